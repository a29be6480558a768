"""Signing up, logging in and out, passwords and member profiles, as a visitor sees them."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.forms import signup_started_token
from discussion.models import Comment
from discussion.services import comment_delete
from tests.htmlcheck import start_tags

PASSWORD = "a-long-passphrase-1"
NEW_PASSWORD = "another-long-passphrase-2"
PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"
REMEDY_URL = "/remedies/vitamin-k2/"
# The member, the page count, the page of comments, and one query per kind of page
# (remedy, remedy for a condition) the comments were posted on.
PROFILE_QUERIES = 5


class _LabelCollector(HTMLParser):
    """The text of every <label>, keyed by the id of the field it names."""

    def __init__(self):
        super().__init__()
        self.labels: dict[str, str] = {}
        self._for: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "label":
            self._for = dict(attrs).get("for")
            self.labels[self._for] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._for = None

    def handle_data(self, data):
        if self._for is not None:
            self.labels[self._for] += data


def labels(html: str) -> dict[str, str]:
    parser = _LabelCollector()
    parser.feed(html)
    return {field: text.strip() for field, text in parser.labels.items()}


def inputs(html: str) -> dict[str, dict[str, str | None]]:
    return {
        attrs["name"]: attrs
        for tag, attrs in start_tags(html)
        if tag in {"input", "textarea"} and attrs.get("name")
    }


def signup_data(**overrides) -> dict[str, str]:
    data = {
        "started": signup_started_token(),  # what the form carries when it is shown
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": "correct-horse-battery-9",
        "password2": "correct-horse-battery-9",
    }
    data.update(overrides)
    return data


def assert_signed_in_header(html: str, username: str) -> None:
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert f'<a href="/members/{username}/">{username}</a>' in header
    assert 'action="/accounts/logout/"' in header
    assert ">Log out</button>" in header
    assert ">Log in</a>" not in header and ">Sign up</a>" not in header


def assert_anonymous_header(html: str) -> None:
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert ">Log in</a>" in header and ">Sign up</a>" in header
    assert "Log out" not in header


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- signing up ----------------------------------------------------------------------


def test_signup_form_has_username_password_confirmation_and_optional_email(client, db):
    html = client.get("/accounts/signup/").content.decode()

    found = labels(html)
    assert found["id_username"] == "Username"
    assert found["id_password1"] == "Password"
    assert found["id_password2"] == "Password confirmation"
    assert found["id_email"] == "Email address"
    fields = inputs(html)
    assert "required" in fields["username"]
    assert "required" in fields["password1"] and "required" in fields["password2"]
    assert fields["email"]["type"] == "email" and "required" not in fields["email"]
    assert "Optional." in html


def test_signup_creates_the_member_signs_them_in_and_goes_to_next(client, db):
    response = client.post("/accounts/signup/", signup_data(next=REMEDY_URL))

    assert response.status_code == 302
    assert response["Location"] == REMEDY_URL
    user = User.objects.get(username="newcomer")
    assert user.email == "newcomer@example.com"
    assert user.check_password("correct-horse-battery-9")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert_signed_in_header(client.get("/").content.decode(), "newcomer")


def test_signup_next_from_the_query_string_is_kept_in_the_form(client, db):
    html = client.get(f"/accounts/signup/?next={PAIR_URL}").content.decode()

    assert inputs(html)["next"]["value"] == PAIR_URL
    response = client.post("/accounts/signup/", signup_data(next=inputs(html)["next"]["value"]))
    assert response["Location"] == PAIR_URL


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "http://evil.example/remedies/"]
)
def test_signup_never_redirects_off_the_site(client, db, next_url):
    form = client.get("/accounts/signup/", {"next": next_url}).content.decode()
    assert "evil.example" not in inputs(form)["next"]["value"]

    response = client.post("/accounts/signup/", signup_data(next=next_url))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert User.objects.filter(username="newcomer").exists()


def test_signup_without_email_works(client, db):
    response = client.post("/accounts/signup/", signup_data(email=""))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert User.objects.get(username="newcomer").email == ""
    assert is_signed_in(client)


def test_signup_with_mismatched_passwords_shows_the_error_and_creates_nobody(client, db):
    response = client.post(
        "/accounts/signup/", signup_data(password2="something-else-entirely", next=PAIR_URL)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The two password fields didn’t match." in html
    assert inputs(html)["username"]["value"] == "newcomer"  # what they typed is kept
    assert inputs(html)["next"]["value"] == PAIR_URL  # and where they were going
    assert not User.objects.filter(username="newcomer").exists()
    assert not is_signed_in(client)


@pytest.mark.parametrize("username", ["taken", "TAKEN"])
def test_signup_with_a_taken_username_shows_the_error_and_creates_nobody(
    client, make_member, username
):
    make_member("taken")

    response = client.post("/accounts/signup/", signup_data(username=username))

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.count() == 1
    assert not is_signed_in(client)


def test_signup_with_a_weak_password_is_refused(client, db):
    response = client.post("/accounts/signup/", signup_data(password1="12345", password2="12345"))

    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert not User.objects.exists()


# --- logging in and out --------------------------------------------------------------


def test_anonymous_header_offers_log_in_and_sign_up(client, seed):
    html = client.get(PAIR_URL).content.decode()

    assert_anonymous_header(html)
    assert f'<a href="/accounts/login/?next={PAIR_URL}">Log in</a>' in html
    assert f'<a href="/accounts/signup/?next={PAIR_URL}" class="button-link">Sign up</a>' in html


def test_header_log_in_link_brings_the_member_back_to_the_page(client, seed, make_member):
    make_member("reader")
    html = client.get(PAIR_URL).content.decode()
    login_href = next(
        attrs["href"]
        for tag, attrs in start_tags(html)
        if tag == "a" and (attrs.get("href") or "").startswith("/accounts/login/")
    )

    form = client.get(login_href).content.decode()
    response = client.post(
        "/accounts/login/",
        {"username": "reader", "password": PASSWORD, "next": inputs(form)["next"]["value"]},
    )

    assert response["Location"] == PAIR_URL
    assert_signed_in_header(client.get(PAIR_URL).content.decode(), "reader")


def test_login_signs_in_and_honours_next(client, make_member):
    make_member("reader")

    response = client.post(
        "/accounts/login/", {"username": "reader", "password": PASSWORD, "next": PAIR_URL}
    )

    assert response.status_code == 302
    assert response["Location"] == PAIR_URL
    assert is_signed_in(client)
    assert_signed_in_header(client.get("/").content.decode(), "reader")


def test_login_next_from_the_query_string_is_kept_in_the_form(client, db):
    html = client.get(f"/accounts/login/?next={REMEDY_URL}").content.decode()

    assert inputs(html)["next"]["value"] == REMEDY_URL


def test_login_never_redirects_off_the_site(client, make_member):
    make_member("reader")

    response = client.post(
        "/accounts/login/",
        {"username": "reader", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_with_a_wrong_password_is_refused(client, make_member):
    make_member("reader")

    response = client.post("/accounts/login/", {"username": "reader", "password": "wrong-one"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert not is_signed_in(client)


def test_logout_by_get_is_refused_and_keeps_the_member_signed_in(client, make_member):
    client.force_login(make_member("reader"))

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert is_signed_in(client)


def test_logout_by_post_signs_out(client, make_member):
    client.force_login(make_member("reader"))

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not is_signed_in(client)
    assert_anonymous_header(client.get("/").content.decode())


def test_logout_needs_a_csrf_token(make_member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member("reader"))

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    assert is_signed_in(client)


# --- passwords -----------------------------------------------------------------------


def test_password_change_needs_a_signed_in_member(client, db):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


def test_password_change_sets_the_new_password(client, make_member):
    member = make_member("reader")
    client.force_login(member)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert "Your password was changed." in client.get(response["Location"]).content.decode()
    assert is_signed_in(client)  # changing it does not sign the member out
    fresh = Client()
    assert not fresh.login(username="reader", password=PASSWORD)
    assert fresh.login(username="reader", password=NEW_PASSWORD)


def test_password_change_with_a_wrong_old_password_is_refused(client, make_member):
    client.force_login(make_member("reader"))

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    assert User.objects.get(username="reader").check_password(PASSWORD)


def test_profile_links_to_password_change_only_for_its_owner(client, make_member):
    make_member("reader")
    client.force_login(make_member("other"))

    assert "/accounts/password_change/" not in client.get("/members/reader/").content.decode()
    assert "/accounts/password_change/" in client.get("/members/other/").content.decode()


def test_password_reset_emails_a_link_that_sets_a_new_password(client, make_member, mailoutbox):
    make_member("reader", email="reader@example.com")

    response = client.post("/accounts/password_reset/", {"email": "reader@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["reader@example.com"]
    match = re.search(r"http://testserver(/accounts/reset/[\w-]+/[\w-]+/)", message.body)
    assert match, message.body

    link = client.get(match.group(1))
    assert link.status_code == 302
    assert link["Location"].endswith("/set-password/")
    form = client.get(link["Location"])
    assert "new_password1" in inputs(form.content.decode())
    done = client.post(
        link["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"

    login = client.post("/accounts/login/", {"username": "reader", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert is_signed_in(client)
    assert not Client().login(username="reader", password=PASSWORD)


def test_password_reset_link_works_only_once(client, make_member, mailoutbox):
    make_member("reader", email="reader@example.com")
    client.post("/accounts/password_reset/", {"email": "reader@example.com"})
    path = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    set_password = client.get(path)["Location"]
    client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(path, follow=True)

    assert "That link is invalid or has already been used." in again.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing(client, db, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mailoutbox == []


# --- profiles ------------------------------------------------------------------------


def comment_href(comment: Comment) -> str:
    base = PAIR_URL if comment.thread.content_type.model == "pair" else REMEDY_URL
    return f'href="{base}#comment-{comment.pk}"'


def post_comments(seed, make_comment, author, count: int) -> list[Comment]:
    """`count` comments by `author`, alternating between the pair and its remedy, oldest
    first."""
    targets = [seed, seed.remedy]
    return [
        make_comment(targets[i % 2], author=author, body=f"Remark number {i:02d}")
        for i in range(count)
    ]


def test_profile_lists_comments_newest_first_twenty_a_page(client, seed, make_member, make_comment):
    author = make_member("writer")
    comments = post_comments(seed, make_comment, author, 25)
    newest_first = comments[::-1]

    first = client.get("/members/writer/")

    html = first.content.decode()
    assert first.status_code == 200
    assert "<h1>writer</h1>" in html and "25 comments" in html
    positions = [html.index(f"<p>Remark number {i:02d}</p>") for i in range(24, 4, -1)]
    assert positions == sorted(positions)
    for comment in newest_first[:20]:
        assert comment_href(comment) in html
    for comment in newest_first[20:]:
        assert f'#comment-{comment.pk}"' not in html
        assert comment.body not in html
    assert '<a href="?page=2">Older comments</a>' in html
    assert "Newer comments" not in html
    assert "Page 1 of 2" in html

    second = client.get("/members/writer/?page=2").content.decode()
    positions = [second.index(f"<p>Remark number {i:02d}</p>") for i in range(4, -1, -1)]
    assert positions == sorted(positions)
    for comment in newest_first[20:]:
        assert comment_href(comment) in second
    assert "Remark number 05" not in second
    assert "Older comments" not in second
    assert '<a href="?page=1">Newer comments</a>' in second


def test_profile_links_each_comment_to_the_page_it_was_posted_on(
    client, seed, make_member, make_comment
):
    author = make_member("writer")
    on_pair = make_comment(seed, author=author, body="About bones")
    on_remedy = make_comment(seed.remedy, author=author, body="About K2 in general")

    html = client.get("/members/writer/").content.decode()

    assert f'<a href="{PAIR_URL}#comment-{on_pair.pk}">Vitamin K2 for Osteoporosis</a>' in html
    assert f'<a href="{REMEDY_URL}#comment-{on_remedy.pk}">Vitamin K2</a>' in html
    # The anchors exist on those pages (in the discussion shown without JavaScript).
    assert f'id="comment-{on_pair.pk}"' in client.get(PAIR_URL).content.decode()
    assert f'id="comment-{on_remedy.pk}"' in client.get(REMEDY_URL).content.decode()


def test_profile_leaves_out_deleted_comments_and_other_members(
    client, seed, make_member, make_comment
):
    author = make_member("writer")
    kept = make_comment(seed, author=author, body="Still standing")
    deleted = make_comment(seed, author=author, body="Thought better of it")
    make_comment(seed, parent=deleted, body="A reply keeps it as [deleted]")
    make_comment(seed.remedy, body="Someone else entirely")
    assert comment_delete(comment=deleted, user=author) is True

    html = client.get("/members/writer/").content.decode()

    assert "Still standing" in html and f"#comment-{kept.pk}" in html
    assert f"#comment-{deleted.pk}" not in html
    assert "[deleted]" not in html
    assert "Someone else entirely" not in html and "A reply keeps it" not in html
    assert "1 comment" in html and "1 comments" not in html


def test_profile_without_comments_says_so(client, make_member):
    make_member("quiet")

    html = client.get("/members/quiet/").content.decode()

    assert "No comments yet." in html and "0 comments" in html
    assert "Older comments" not in html


@pytest.mark.parametrize("count", [1, 25])
def test_profile_query_count_does_not_grow_with_comments(
    client, seed, make_member, make_comment, count, django_assert_max_num_queries
):
    author = make_member("writer")
    post_comments(seed, make_comment, author, count)
    client.get("/members/writer/")  # warm per-process caches (content types)

    with django_assert_max_num_queries(PROFILE_QUERIES):
        response = client.get("/members/writer/")

    assert response.content.decode().count('<li class="card">') == min(count, 20)


def test_profile_query_count_does_not_grow_with_the_pages_commented_on(
    client, make_member, make_comment, make_pair, django_assert_max_num_queries
):
    author = make_member("writer")
    for _ in range(12):
        pair = make_pair()
        make_comment(pair, author=author)
        make_comment(pair.remedy, author=author)
    client.get("/members/writer/")  # warm per-process caches (content types)

    with django_assert_max_num_queries(PROFILE_QUERIES):
        html = client.get("/members/writer/").content.decode()

    assert html.count('<li class="card">') == 20
    assert html.count("/remedies/remedy-") == 20


def test_profile_comment_links_all_lead_to_existing_pages_after_a_page_is_deleted(
    client, make_member, make_comment, make_pair
):
    author = make_member("writer")
    pair = make_pair()
    make_comment(pair, author=author, body="On a page that goes away")
    kept = make_comment(pair.remedy, author=author, body="On a page that stays")
    pair.delete()

    html = client.get("/members/writer/").content.decode()

    assert f'href="{kept.thread.target.get_absolute_url()}#comment-{kept.pk}"' in html
    assert ">None</a>" not in html
    links = [
        attrs["href"]
        for tag, attrs in start_tags(html[html.index('<ol class="profile-comments">') :])
        if tag == "a" and "#comment-" in (attrs.get("href") or "")
    ]
    assert links
    for href in links:
        path = href.split("#")[0]
        assert path and client.get(path).status_code == 200, href


@pytest.mark.parametrize("username", ["nobody", "no.such-member"])
def test_profile_of_an_unknown_member_is_404(client, db, username):
    assert client.get(f"/members/{username}/").status_code == 404


def test_profile_of_a_deactivated_member_is_404(client, make_member):
    make_member("gone", is_active=False)

    assert client.get("/members/gone/").status_code == 404
