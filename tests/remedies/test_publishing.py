"""Drafts, editorial review dates, revision history and the editors' admin tools."""

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from discussion import moderation
from discussion.models import Comment, CommentVote, Thread
from remedies.models import Pair, PairVote
from tests.htmlcheck import start_tags

DRAFT_BANNER = "readers cannot see this page yet"


@pytest.fixture
def member(make_member):
    return make_member("reader")


@pytest.fixture(params=["anonymous", "member"])
def reader(request, member) -> Client:
    """Someone reading the site: not signed in, or a signed-in member who is not staff."""
    client = Client()
    if request.param == "member":
        client.force_login(member)
    return client


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def page_html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- drafts ----------------------------------------------------------------------------


def test_draft_remedy_is_404_and_absent_from_every_list_for_readers(
    reader, make_remedy, make_condition, make_pair
):
    condition = make_condition(name="Open Condition", slug="open-condition")
    shown = make_pair(remedy=make_remedy(name="Shown Root", slug="shown-root"), condition=condition)
    draft = make_remedy(name="Secret Bark", slug="secret-bark", status="draft")
    make_pair(remedy=draft, condition=condition)  # a published pair of the draft remedy

    assert reader.get("/remedies/secret-bark/").status_code == 404
    assert reader.get("/remedies/secret-bark/open-condition/").status_code == 404
    for url in ["/", "/remedies/", "/conditions/", "/conditions/open-condition/"]:
        html = page_html(reader, url)
        assert "Secret Bark" not in html, url
        assert "/remedies/secret-bark/" not in html, url
    # The lists do work: the published remedy is on them.
    assert "Shown Root" in page_html(reader, "/remedies/")
    assert "Shown Root" in page_html(reader, "/conditions/open-condition/")
    assert "1 remedy" in page_html(reader, "/conditions/")  # the draft one is not counted
    assert Pair.objects.filter(remedy=draft, status="published").exists()
    assert shown.remedy.status == "published"


def test_draft_condition_is_404_and_absent_from_every_list_for_readers(
    reader, make_remedy, make_condition, make_pair
):
    remedy = make_remedy(name="Open Remedy", slug="open-remedy")
    make_pair(remedy=remedy, condition=make_condition(name="Shown Ache", slug="shown-ache"))
    draft = make_condition(name="Secret Syndrome", slug="secret-syndrome", status="draft")
    make_pair(remedy=remedy, condition=draft)  # a published pair of the draft condition

    assert reader.get("/conditions/secret-syndrome/").status_code == 404
    assert reader.get("/remedies/open-remedy/secret-syndrome/").status_code == 404
    remedy_page = page_html(reader, "/remedies/open-remedy/")
    helps_with = remedy_page.split('id="helps-heading"', 1)[1].split("</section>", 1)[0]
    assert "Shown Ache" in helps_with
    assert "Secret Syndrome" not in remedy_page
    for url in ["/", "/remedies/", "/conditions/"]:
        html = page_html(reader, url)
        assert "Secret Syndrome" not in html, url
        assert "/conditions/secret-syndrome/" not in html, url
    assert "Shown Ache" in page_html(reader, "/conditions/")
    assert "1 condition" in page_html(reader, "/remedies/")  # the draft one is not counted
    assert draft.status == "draft"


def test_draft_pair_is_404_and_absent_from_its_remedy_and_condition_pages(
    reader, make_remedy, make_condition, make_pair
):
    remedy = make_remedy(name="Open Leaf", slug="open-leaf")
    condition = make_condition(name="Open Itch", slug="open-itch")
    make_pair(remedy=remedy, condition=make_condition(name="Listed Cough", slug="listed-cough"))
    draft = make_pair(remedy=remedy, condition=condition, status="draft", summary="Draft pair")

    assert reader.get("/remedies/open-leaf/open-itch/").status_code == 404
    remedy_page = page_html(reader, "/remedies/open-leaf/")
    assert "/remedies/open-leaf/listed-cough/" in remedy_page
    assert "/remedies/open-leaf/open-itch/" not in remedy_page
    assert "Open Itch" not in remedy_page
    sibling_page = page_html(reader, "/remedies/open-leaf/listed-cough/")
    assert "/remedies/open-leaf/open-itch/" not in sibling_page
    condition_page = page_html(reader, "/conditions/open-itch/")
    assert "/remedies/open-leaf/open-itch/" not in condition_page
    assert "No remedies have been reviewed for Open Itch yet." in condition_page
    for url in ["/", "/remedies/", "/conditions/"]:
        assert "/remedies/open-leaf/open-itch/" not in page_html(reader, url), url
    assert Pair.objects.get(pk=draft.pk).status == "draft"


def test_draft_pages_show_to_an_editor_under_a_draft_banner(
    editor_client, make_remedy, make_condition, make_pair
):
    remedy = make_remedy(name="Draft Moss", slug="draft-moss", status="draft")
    condition = make_condition(name="Draft Fever", slug="draft-fever", status="draft")
    make_pair(remedy=remedy, condition=make_condition(slug="published-one"))
    make_pair(remedy=make_remedy(slug="published-two"), condition=condition)
    make_pair(
        remedy=make_remedy(slug="published-three"),
        condition=make_condition(slug="published-four"),
        status="draft",
    )

    for url in [
        "/remedies/draft-moss/",
        "/conditions/draft-fever/",
        "/remedies/published-three/published-four/",  # draft pair
        "/remedies/draft-moss/published-one/",  # published pair, draft remedy
        "/remedies/published-two/draft-fever/",  # published pair, draft condition
    ]:
        html = page_html(editor_client, url)
        assert DRAFT_BANNER in html, url
        assert '<p class="draft-banner" role="note"><strong>Draft</strong>' in html, url


@pytest.mark.parametrize("viewer", ["anonymous", "member", "editor"])
def test_published_pages_never_show_the_draft_banner(client, viewer, seed, make_member, editor):
    if viewer == "member":
        client.force_login(make_member())
    elif viewer == "editor":
        client.force_login(editor)

    for url in [
        "/",
        "/remedies/vitamin-k2/",
        "/conditions/osteoporosis/",
        "/remedies/vitamin-k2/osteoporosis/",
    ]:
        html = page_html(client, url)
        assert DRAFT_BANNER not in html, url
        assert "draft-banner" not in html, url
    assert seed.status == seed.remedy.status == seed.condition.status == "published"


def test_reader_cannot_read_or_join_the_discussion_of_a_draft_pair(
    reader, editor_client, make_pair
):
    pair = make_pair(status="draft")
    url = f"/discussions/remedies.pair/{pair.pk}/"

    assert reader.get(url).status_code == 404
    for data in [{"body": "Sneaky comment"}, {"body": "Sneaky reply", "parent": "1"}]:
        for headers in [{}, {"hx-request": "true"}]:
            response = reader.post(f"{url}comments/", data, headers=headers)
            assert response.status_code == 404
    assert Comment.objects.count() == 0
    assert Thread.objects.count() == 0
    # An editor previews it.
    assert editor_client.get(url).status_code == 200


def test_reader_cannot_read_the_discussions_of_a_draft_remedy_or_its_pairs(
    reader, make_remedy, make_pair, make_comment
):
    remedy = make_remedy(status="draft")
    pair = make_pair(remedy=remedy)
    make_comment(pair, body="Written on the pair while it was visible")
    make_comment(remedy, body="Written on the remedy while it was visible")

    for url in [
        f"/discussions/remedies.pair/{pair.pk}/",
        f"/discussions/remedies.remedy/{remedy.pk}/",
    ]:
        response = reader.get(url)
        assert response.status_code == 404, url
        assert "while it was visible" not in response.content.decode()
        assert reader.post(f"{url}comments/", {"body": "Sneaky"}).status_code == 404
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("htmx", [False, True])
def test_reader_cannot_vote_on_a_draft_pair(reader, make_pair, htmx):
    pair = make_pair(status="draft")
    url = f"/remedies/{pair.remedy.slug}/{pair.condition.slug}/vote/"

    response = reader.post(url, {"value": "up"}, headers={"hx-request": "true"} if htmx else {})

    assert response.status_code == 404
    assert PairVote.objects.count() == 0
    pair.refresh_from_db()
    assert (pair.upvotes, pair.downvotes) == (0, 0)


def test_member_cannot_vote_on_a_comment_in_the_discussion_of_a_draft_pair(
    client, member, make_pair, make_comment
):
    pair = make_pair()
    comment = make_comment(pair, body="Posted before it was unpublished")
    Pair.objects.filter(pk=pair.pk).update(status="draft")
    client.force_login(member)

    response = client.post(f"/comments/{comment.pk}/vote/", {"value": "up"})

    assert response.status_code == 404
    assert CommentVote.objects.count() == 0


# --- review dates ----------------------------------------------------------------------


def test_pair_page_shows_when_an_editor_last_reviewed_it(client, make_pair):
    reviewed = make_pair(last_reviewed=date(2024, 3, 5))
    never = make_pair(last_reviewed=None)

    reviewed_html = page_html(client, reviewed.get_absolute_url())
    never_html = page_html(client, never.get_absolute_url())

    assert re.search(r"Last reviewed <time[^>]*>March 5, 2024</time>", reviewed_html)
    assert 'datetime="2024-03-05"' in reviewed_html
    assert "Not yet reviewed by an editor" not in reviewed_html
    assert "Not yet reviewed by an editor" in never_html
    assert "Last reviewed" not in never_html
    assert Pair.objects.get(pk=reviewed.pk).last_reviewed == date(2024, 3, 5)


# --- revision history ------------------------------------------------------------------


class _FormFields(HTMLParser):
    """What a browser submits from one form (no button pressed): inputs with their
    values, checked boxes only, each select's chosen option, each textarea's text."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.found = False
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            self.found = self.found or self.inside
            return
        name = attrs.get("name")
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or [self._select["first"] or ""]
            self.fields.extend((self._select["name"], value) for value in chosen)
            self._select = None


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    assert parser.found, f"no form with id {form_id!r}"
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def test_editor_changes_a_pair_in_admin_then_reverts_to_the_earlier_version(
    editor_client, make_pair
):
    pair = make_pair(mechanism="The *original* explanation of how it works.")
    public_url = pair.get_absolute_url()
    change_url = f"/admin/remedies/pair/{pair.pk}/change/"

    form = editor_client.get(change_url)
    assert form.status_code == 200
    data = form_data(form.content.decode(), "pair_form")
    for prefix in ["regimens", "evidence_items", "warnings"]:
        assert data[f"{prefix}-TOTAL_FORMS"] == ["0"], prefix
    assert data["mechanism"] == ["The *original* explanation of how it works."]
    data["mechanism"] = ["A *rewritten* explanation, after new trials."]
    data["_save"] = ["Save"]
    saved = editor_client.post(change_url, data)

    assert saved.status_code == 302, saved.content.decode()[:2000]
    pair.refresh_from_db()
    assert pair.mechanism == "A *rewritten* explanation, after new trials."
    html = page_html(Client(), public_url)
    assert "A <em>rewritten</em> explanation, after new trials." in html
    assert "original" not in html

    versions = list(pair.history.order_by("history_date", "history_id"))
    assert [v.mechanism for v in versions] == [
        "The *original* explanation of how it works.",
        "A *rewritten* explanation, after new trials.",
    ]
    history = page_html(editor_client, f"/admin/remedies/pair/{pair.pk}/history/")
    for version in versions:
        assert f"/admin/remedies/pair/{pair.pk}/history/{version.history_id}/" in history

    revert_url = f"/admin/remedies/pair/{pair.pk}/history/{versions[0].history_id}/"
    revert_form = page_html(editor_client, revert_url)
    data = form_data(revert_form, "historicalpair_form")
    assert data["mechanism"] == ["The *original* explanation of how it works."]
    reverted = editor_client.post(revert_url, data)

    assert reverted.status_code == 302, reverted.content.decode()[:2000]
    pair.refresh_from_db()
    assert pair.mechanism == "The *original* explanation of how it works."
    assert pair.mechanism_html == "<p>The <em>original</em> explanation of how it works.</p>"
    assert pair.history.count() == 3
    html = page_html(Client(), public_url)
    assert "The <em>original</em> explanation of how it works." in html
    assert "rewritten" not in html


# --- the admin dashboard ---------------------------------------------------------------


def needs_attention(html: str) -> dict[str, int]:
    assert "<h2>Needs attention</h2>" in html
    box = html.split('id="needs-attention"', 1)[1].split("</div>", 1)[0]
    rows = re.findall(r'<a href="[^"]*">([^<]+)</a></th><td>(\d+)</td>', box)
    return {label: int(count) for label, count in rows}


@pytest.fixture
def flagged_comments(make_pair, make_comment, make_member):
    """Two comments in the moderation queue (one flagged, one hidden by flags), one
    comment a moderator already decided on, one never flagged."""
    pair = make_pair(last_reviewed=timezone.localdate())
    once, thrice, decided, _ = (make_comment(pair) for _ in range(4))
    moderation.flag_create(comment=once, user=make_member(), reason="spam")
    for _ in range(3):
        moderation.flag_create(comment=thrice, user=make_member(), reason="harassment")
    moderation.flag_create(comment=decided, user=make_member(), reason="spam")
    Comment.objects.filter(pk=decided.pk).update(moderation="approved")
    return [once, thrice]


def test_admin_dashboard_lists_what_needs_attention_with_counts(
    client, make_member, make_remedy, make_condition, make_pair, flagged_comments
):
    today = timezone.localdate()
    make_remedy(status="draft")
    make_remedy(status="draft")
    make_condition(status="draft")
    make_pair(status="draft", last_reviewed=today)
    make_pair(last_reviewed=today - timedelta(days=400))
    make_pair(last_reviewed=None)
    make_pair(last_reviewed=today - timedelta(days=30))
    client.force_login(make_member("boss", is_staff=True, is_superuser=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert needs_attention(response.content.decode()) == {
        "Draft remedies": 2,
        "Draft conditions": 1,
        "Draft remedy–condition pages": 1,
        "Pages not reviewed for a year (or never)": 2,
        "Flagged comments awaiting review": 2,
    }
    assert Pair.objects.needing_review().count() == 2


def test_admin_dashboard_shows_editors_the_content_and_moderators_the_queue(
    client, editor, make_member, make_pair, flagged_comments
):
    from django.contrib.auth.models import Group

    make_pair(status="draft")
    moderator = make_member("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))

    client.force_login(editor)
    seen_by_editor = needs_attention(page_html(client, "/admin/"))
    client.force_login(moderator)
    seen_by_moderator = needs_attention(page_html(client, "/admin/"))

    assert seen_by_editor["Draft remedy–condition pages"] == 1
    assert "Flagged comments awaiting review" not in seen_by_editor
    assert seen_by_moderator == {"Flagged comments awaiting review": 2}


# --- Markdown preview and citation picker ----------------------------------------------

PREVIEW_URL = "/editorial/markdown-preview/"


def test_markdown_preview_returns_sanitized_html_with_numbered_citations(editor_client, seed):
    text = (
        "**Bold** claim [@mdpi].\n\n"
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [js](javascript:alert(1))\n\n"
        "Another source [@internet-archive], and the first again [@mdpi]. Unknown [@nope]."
    )

    response = editor_client.post(PREVIEW_URL, {"text": text})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Bold</strong> claim" in html
    assert "<script" not in html
    for tag, attrs in start_tags(html):
        assert tag not in {"script", "img"}, (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "javascript:" not in (attrs.get("href") or ""), (tag, attrs)
    numbers = re.findall(r'<a href="#ref-(\d)" aria-label="Reference \d">\[(\d)\]</a>', html)
    assert numbers == [("1", "1"), ("2", "2"), ("1", "1")]
    assert "[@" not in html
    assert Pair.objects.get(pk=seed.pk).mechanism_html == seed.mechanism_html  # nothing saved


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_markdown_preview_and_citation_search_send_non_staff_to_admin_login(
    client, make_member, who, seed
):
    if who == "member":
        client.force_login(make_member())

    preview = client.post(PREVIEW_URL, {"text": "**hi** [@mdpi]"})
    search = client.get("/editorial/citations/?q=mdpi")

    for response in [preview, search]:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
        assert b"mdpi" not in response.content


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_markdown_preview_refuses_get(client, editor, who):
    if who == "editor":
        client.force_login(editor)

    response = client.get(PREVIEW_URL, {"text": "**hi**"})

    assert response.status_code == 405
    assert b"<strong>hi</strong>" not in response.content


def test_citation_search_finds_the_seed_source(editor_client, seed):
    response = editor_client.get("/editorial/citations/?q=mdpi")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = json.loads(response.content)["results"]
    assert "mdpi" in [result["key"] for result in results]
    assert all("mdpi" in (r["key"] + r["label"]).lower() for r in results)
    nothing = json.loads(editor_client.get("/editorial/citations/?q=zzzz-none").content)
    assert nothing == {"results": []}
