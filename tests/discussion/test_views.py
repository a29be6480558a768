"""Posting, replying, editing, deleting and voting over HTTP, plain and with htmx."""

import uuid

import pytest
from django.test import Client

from discussion.models import Comment, CommentVote
from remedies.models import PairVote
from tests.htmlcheck import assert_no_active_content

HTMX = {"hx-request": "true"}
PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"


@pytest.fixture
def member(make_member):
    return make_member("reader")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def post_url(pair) -> str:
    return f"/discussions/remedies.pair/{pair.pk}/comments/"


def test_post_comment_plain_redirects_to_its_anchor(member_client, seed, member):
    response = member_client.post(post_url(seed), {"body": "Took **MK-7** for a year."})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{PAIR_URL}#comment-{comment.pk}"
    assert comment.author == member
    page = member_client.get(PAIR_URL).content.decode()
    assert "Took <strong>MK-7</strong> for a year." in page
    assert "Your comment was posted." in page


def test_post_comment_with_htmx_returns_the_new_comment_and_a_fresh_form(member_client, seed):
    response = member_client.post(post_url(seed), {"body": "Hello *there*"}, headers=HTMX)

    html = response.content.decode()
    comment = Comment.objects.get()
    assert response.status_code == 200
    assert f'id="comment-{comment.pk}"' in html
    assert "Hello <em>there</em>" in html
    assert f'hx-swap-oob="afterbegin:#comments-pair-{seed.pk}"' in html
    assert "1 comment" in html
    assert "<textarea" in html and "Hello *there*</textarea>" not in html


def test_reply_with_htmx_is_appended_under_its_parent(member_client, seed, make_comment):
    parent = make_comment(seed)

    response = member_client.post(
        post_url(seed), {"body": "A reply", "parent": parent.pk}, headers=HTMX
    )

    reply = Comment.objects.get(parent=parent)
    html = response.content.decode()
    assert f'hx-swap-oob="beforeend:#replies-{parent.pk}"' in html
    assert f'id="comment-{reply.pk}"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": ""}, "Write something before posting."),
        ({"body": "   "}, "Write something before posting."),
        ({"body": "x" * 10_001}, "at most 10000 characters"),
        ({"body": "Hi", "parent": "999999"}, "no longer exists"),
        ({"body": "Hi", "parent": "abc"}, "not a comment you can reply to"),
        ({"body": "Hi", "parent": "-3"}, "not a comment you can reply to"),
        ({"body": "Hi", "submission": "not-a-uuid"}, "valid UUID"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_gets_a_message_400_keeps_the_text_and_stores_nothing(
    member_client, seed, data, message, htmx
):
    response = member_client.post(post_url(seed), data, headers=HTMX if htmx else {})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if data["body"].strip():
        assert data["body"][:50] in html  # what the member typed is still in the box
    assert Comment.objects.count() == 0


def test_reply_into_another_thread_is_refused(member_client, seed, make_comment):
    remedy_comment = make_comment(seed.remedy)

    response = member_client.post(post_url(seed), {"body": "Hi", "parent": remedy_comment.pk})

    assert response.status_code == 400
    assert "same discussion" in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "url", ["/discussions/remedies.pair/abc/comments/", "/discussions/auth.user/1/comments/"]
)
def test_malformed_or_foreign_targets_are_404(member_client, seed, url):
    response = member_client.post(url, {"body": "Hi"})

    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_unknown_target_id_is_404(member_client, seed):
    response = member_client.post("/discussions/remedies.pair/999999/comments/", {"body": "Hi"})

    assert response.status_code == 404


def test_double_submitted_form_stores_one_comment(member_client, seed):
    data = {"body": "Only once", "submission": str(uuid.uuid4())}

    first = member_client.post(post_url(seed), data)
    second = member_client.post(post_url(seed), data)

    assert first.status_code == second.status_code == 302
    assert Comment.objects.count() == 1


def test_resending_a_form_after_an_error_works(member_client, seed):
    data = {"body": "Hi", "parent": "999999", "submission": str(uuid.uuid4())}
    assert member_client.post(post_url(seed), data).status_code == 400

    data["parent"] = ""
    assert member_client.post(post_url(seed), data).status_code == 302
    assert Comment.objects.count() == 1


def test_anonymous_post_goes_to_login_and_the_text_comes_back(client, seed, member):
    response = client.post(post_url(seed), {"body": "My draft about K2"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert Comment.objects.count() == 0

    login = client.post(
        response["Location"], {"username": "reader", "password": "a-long-passphrase-1"}
    )
    assert login.status_code == 302
    assert login["Location"] == f"{PAIR_URL}#discussion-pair-{seed.pk}"
    page = client.get(PAIR_URL).content.decode()
    assert "My draft about K2</textarea>" in page


def test_anonymous_htmx_post_is_told_to_redirect_to_login(client, seed):
    response = client.post(post_url(seed), {"body": "Hi"}, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_posting_is_rate_limited_with_429(member_client, seed, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (2, 60)}

    statuses = [member_client.post(post_url(seed), {"body": f"n{i}"}).status_code for i in range(4)]

    assert statuses == [302, 302, 429, 429]
    assert Comment.objects.count() == 2


def test_comment_posts_need_a_csrf_token(seed, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(post_url(seed), {"body": "Hi"})

    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_edit_own_comment_plain_and_htmx(member_client, seed, make_comment, member):
    comment = make_comment(seed, author=member, body="before")

    form = member_client.get(f"/comments/{comment.pk}/edit/", headers=HTMX)
    assert "before</textarea>" in form.content.decode()
    response = member_client.post(f"/comments/{comment.pk}/edit/", {"body": "after"}, headers=HTMX)

    assert response.status_code == 200
    assert "<p>after</p>" in response.content.decode()
    assert "(edited)" in response.content.decode()
    plain = member_client.post(f"/comments/{comment.pk}/edit/", {"body": "again"})
    assert plain["Location"] == f"{PAIR_URL}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body == "again"


def test_edit_with_empty_body_is_refused(member_client, seed, make_comment, member):
    comment = make_comment(seed, author=member, body="keep me")

    response = member_client.post(f"/comments/{comment.pk}/edit/", {"body": ""}, headers=HTMX)

    assert response.status_code == 400
    assert "Write something before posting." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "keep me"


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_other_members_comment_cannot_be_changed(member_client, seed, make_comment, action):
    comment = make_comment(seed, body="not yours")

    response = member_client.post(f"/comments/{comment.pk}/{action}/", {"body": "mine now"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "not yours" and not comment.is_deleted


def test_delete_with_replies_shows_deleted_placeholder(member_client, seed, make_comment, member):
    comment = make_comment(seed, author=member, body="going away")
    make_comment(seed, parent=comment, body="still here")

    response = member_client.post(f"/comments/{comment.pk}/delete/", headers=HTMX)

    assert response.status_code == 200
    assert "[deleted]" in response.content.decode()
    page = member_client.get(PAIR_URL).content.decode()
    assert "[deleted]" in page and "still here" in page and "going away" not in page


def test_delete_without_replies_removes_it_from_the_page(member_client, seed, make_comment, member):
    comment = make_comment(seed, author=member, body="gone soon")

    response = member_client.post(f"/comments/{comment.pk}/delete/", headers=HTMX)

    assert response["HX-Retarget"] == f"#comment-{comment.pk}"
    assert not Comment.objects.exists()
    assert "gone soon" not in member_client.get(PAIR_URL).content.decode()


def test_pair_vote_up_switch_remove_with_htmx(member_client, seed):
    url = f"{PAIR_URL}vote/"

    up = member_client.post(url, {"value": "up"}, headers=HTMX).content.decode()
    assert (
        "1 up • 0 down" in up and 'value="up" class="vote-button vote-up" aria-pressed="true"' in up
    )
    down = member_client.post(url, {"value": "down"}, headers=HTMX).content.decode()
    assert "0 up • 1 down" in down
    again = member_client.post(url, {"value": "down"}, headers=HTMX).content.decode()
    assert "0 up • 0 down" in again and 'aria-pressed="true"' not in again
    assert PairVote.objects.count() == 0


def test_pair_vote_plain_redirects_back_and_page_shows_it(member_client, seed):
    response = member_client.post(
        f"{PAIR_URL}vote/", {"value": "up", "next": f"{PAIR_URL}#community-vote"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{PAIR_URL}#community-vote"
    assert "1 up • 0 down" in member_client.get(PAIR_URL).content.decode()


@pytest.mark.parametrize("value", ["", "sideways", "1"])
def test_bad_vote_value_is_400(member_client, seed, value):
    response = member_client.post(f"{PAIR_URL}vote/", {"value": value}, headers=HTMX)

    assert response.status_code == 400
    assert "either up or down" in response.content.decode()
    assert PairVote.objects.count() == 0


def test_vote_next_cannot_leave_the_site(member_client, seed):
    response = member_client.post(
        f"{PAIR_URL}vote/", {"value": "up", "next": "https://evil.example/"}
    )

    assert response["Location"] == f"{PAIR_URL}#community-vote"


def test_anonymous_vote_goes_to_login_and_back(client, seed):
    response = client.post(
        f"{PAIR_URL}vote/", {"value": "up", "next": f"{PAIR_URL}#community-vote"}
    )

    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/login/?next=%2Fremedies%2Fvitamin-k2%2Fosteoporosis%2F%23community-vote"
    )
    assert PairVote.objects.count() == 0


def test_comment_vote_and_own_vote_shown_as_pressed(member_client, seed, make_comment):
    comment = make_comment(seed)

    response = member_client.post(f"/comments/{comment.pk}/vote/", {"value": "up"}, headers=HTMX)

    assert "1 up • 0 down" in response.content.decode()
    assert CommentVote.objects.get().value == 1
    page = member_client.get(PAIR_URL).content.decode()
    assert 'aria-pressed="true"><span aria-hidden="true">▲</span> Upvote' in page


def test_voting_is_rate_limited(member_client, seed, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": (3, 60)}

    statuses = [
        member_client.post(f"{PAIR_URL}vote/", {"value": "up"}, headers=HTMX).status_code
        for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]
    assert (
        "too fast"
        in member_client.post(f"{PAIR_URL}vote/", {"value": "up"}, headers=HTMX).content.decode()
    )


def test_get_on_write_endpoints_is_refused(member_client, seed, make_comment):
    comment = make_comment(seed)

    for url in [
        post_url(seed),
        f"/comments/{comment.pk}/delete/",
        f"/comments/{comment.pk}/vote/",
        f"{PAIR_URL}vote/",
    ]:
        assert member_client.get(url).status_code == 405
    assert Comment.objects.count() == 1


def test_thread_loads_lazily_and_is_in_the_page_without_javascript(client, seed, make_comment):
    make_comment(seed, body="Visible without JS")

    page = client.get(PAIR_URL).content.decode()
    assert "Loading discussion…" in page
    assert f'data-hx-get="/discussions/remedies.pair/{seed.pk}/" data-hx-trigger="load"' in page
    fallback = page[
        page.index('<div class="no-js-only">', page.index("Discussion for Osteoporosis")) :
    ]
    assert "Visible without JS" in fallback
    partial = client.get(f"/discussions/remedies.pair/{seed.pk}/", headers=HTMX).content.decode()
    assert "Visible without JS" in partial and "<html" not in partial


def test_top_level_comments_come_in_pages_with_their_replies(
    client, seed, make_comment, make_member
):
    author = make_member()
    tops = [make_comment(seed, author=author, body=f"top {i:02d}") for i in range(25)]
    make_comment(seed, author=author, parent=tops[0], body="reply to the oldest")

    first = client.get(
        f"/discussions/remedies.pair/{seed.pk}/?sort=new", headers=HTMX
    ).content.decode()
    assert "top 24" in first and "top 05" in first and "top 04" not in first
    assert "Load more comments" in first
    more = client.get(
        f"/discussions/remedies.pair/{seed.pk}/?sort=new&page=2", headers=HTMX
    ).content.decode()
    assert "top 04" in more and "top 00" in more and "reply to the oldest" in more
    assert "Load more comments" not in more
    plain = client.get(f"/discussions/remedies.pair/{seed.pk}/?sort=new&page=2")
    assert "<html" in plain.content.decode() and "top 00" in plain.content.decode()


def test_sorts_order_top_level_comments(client, seed, make_comment, make_member):
    old = make_comment(seed, body="the old one")
    new = make_comment(seed, body="the new one")
    from discussion.services import vote_toggle

    vote_toggle(vote_model=CommentVote, target=old, user=make_member(), value=1)
    url = f"/discussions/remedies.pair/{seed.pk}/"

    def order(sort):
        html = client.get(f"{url}?sort={sort}", headers=HTMX).content.decode()
        return html.index(f'id="comment-{old.pk}"') < html.index(f'id="comment-{new.pk}"')

    assert order("best") is True
    assert order("new") is False
    assert order("old") is True
    assert order("nonsense") is True  # unknown sorts fall back to best


def test_deep_replies_are_all_shown_with_indentation_capped(client, seed, make_comment):
    parent = make_comment(seed, body="level 0")
    for level in range(1, 12):
        parent = make_comment(seed, parent=parent, body=f"level {level}")

    html = client.get(f"/discussions/remedies.pair/{seed.pk}/", headers=HTMX).content.decode()

    for level in range(12):
        assert f"level {level}</p>" in html
    assert html.count('<ol class="replies"') == 12
    assert "in reply to" in html


def test_script_in_a_comment_never_reaches_the_page(member_client, seed):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    member_client.post(post_url(seed), {"body": payload})

    page = member_client.get(PAIR_URL).content.decode()
    assert_no_active_content(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
