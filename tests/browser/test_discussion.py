"""Community flows in a real browser: with htmx, and again with JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from discussion.models import Comment
from remedies.models import PairVote
from tests.browser.helpers import PASSWORD, log_in, pair_discussion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"


def mark_page(page) -> None:
    """Set a flag that a full page load would wipe: proves swaps happen in place."""
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__noReload === true")


def test_signup_then_vote_up_switch_and_remove_in_place(page, seed, screenshot):
    page.goto(f"/accounts/signup/?next={PAIR_URL}")
    page.get_by_label("Username").fill("newmember")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(re.compile(re.escape(PAIR_URL)))
    expect(page.get_by_role("link", name="newmember")).to_be_visible()
    votes = page.locator("#pair-votes")
    mark_page(page)

    votes.get_by_role("button", name="Upvote").click()
    expect(page.locator("#pair-votes .tally")).to_have_text("1 up • 0 down")
    expect(page.locator("#pair-votes").get_by_role("button", name="Upvote")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.locator("#pair-votes").get_by_role("button", name="Downvote").click()
    expect(page.locator("#pair-votes .tally")).to_have_text("0 up • 1 down")
    page.locator("#pair-votes").get_by_role("button", name="Downvote").click()
    expect(page.locator("#pair-votes .tally")).to_have_text("0 up • 0 down")
    expect(page.locator("#pair-votes").get_by_role("button", name="Downvote")).to_have_attribute(
        "aria-pressed", "false"
    )

    assert_not_reloaded(page)
    assert PairVote.objects.count() == 0
    screenshot(page, "pair-page-signed-in")


def test_post_reply_edit_and_delete_in_place(page, seed, make_member, screenshot):
    make_member("alice")
    log_in(page, "alice")
    page.goto(PAIR_URL)
    discussion = pair_discussion(page)
    expect(
        discussion.get_by_text("No comments yet. Be the first to start the conversation!")
    ).to_be_visible()
    mark_page(page)

    discussion.get_by_label("Comment", exact=True).fill("MK-7 was **easy** to take.")
    discussion.get_by_role("button", name="Post comment").click()
    first = discussion.locator("li.comment").first
    expect(first.locator("strong")).to_have_text("easy")
    expect(discussion.get_by_label("Comment", exact=True)).to_have_value("")
    expect(discussion.get_by_text("1 comment", exact=True)).to_be_visible()

    first.get_by_role("button", name="Reply").click()
    reply_box = first.locator(".reply-form").get_by_label("Comment", exact=True)
    reply_box.fill("Which brand?")
    first.locator(".reply-form").get_by_role("button", name="Post comment").click()
    reply = first.locator("ol.replies li.comment")
    expect(reply).to_contain_text("Which brand?")
    expect(first.locator(".reply-form")).to_have_count(0)

    reply.get_by_role("button", name="Edit").click()
    edit_box = reply.get_by_label("Comment", exact=True)
    expect(edit_box).to_have_value("Which brand?")
    edit_box.fill("Which brand did you use?")
    reply.get_by_role("button", name="Save changes").click()
    expect(reply).to_contain_text("Which brand did you use?")
    expect(reply).to_contain_text("(edited)")

    page.on("dialog", lambda dialog: dialog.accept())
    first.locator(".comment-body").first.get_by_role("button", name="Delete").click()
    expect(first.locator(".comment-body").first).to_contain_text("[deleted]")
    expect(reply).to_contain_text("Which brand did you use?")
    reply_id = Comment.objects.get(parent__isnull=False).pk
    reply.get_by_role("button", name="Delete").click()
    expect(discussion.locator(f"#comment-{reply_id}")).to_have_count(0)

    assert_not_reloaded(page)
    screenshot(page, "pair-discussion")


def test_bad_comment_shows_message_in_place_and_keeps_text(page, seed, make_member):
    make_member("bob")
    log_in(page, "bob")
    page.goto(PAIR_URL)
    discussion = pair_discussion(page)
    box = discussion.get_by_label("Comment", exact=True)

    box.fill("x" * 10)
    box.evaluate("el => { el.removeAttribute('maxlength'); el.value = 'y'.repeat(10001); }")
    discussion.get_by_role("button", name="Post comment").click()

    expect(discussion.get_by_role("alert")).to_contain_text("at most 10000 characters")
    expect(discussion.get_by_label("Comment", exact=True)).to_have_value("y" * 10001)
    assert Comment.objects.count() == 0


def test_double_click_on_post_comment_stores_one(page, seed, make_member):
    make_member("carol")
    log_in(page, "carol")
    page.goto(PAIR_URL)
    discussion = pair_discussion(page)

    discussion.get_by_label("Comment", exact=True).fill("Just once")
    discussion.get_by_role("button", name="Post comment").dblclick()

    expect(discussion.locator("li.comment")).to_have_count(1)
    page.wait_for_timeout(500)
    assert Comment.objects.count() == 1


def test_load_more_comments_appends_the_next_page(page, seed, make_comment, make_member):
    author = make_member()
    for i in range(25):
        make_comment(seed, author=author, body=f"Comment number {i}")
    page.goto(PAIR_URL)
    discussion = pair_discussion(page)
    expect(discussion.locator("ol.comments > li.comment")).to_have_count(20)
    mark_page(page)

    discussion.get_by_role("link", name="Load more comments").click()

    expect(discussion.locator("ol.comments > li.comment")).to_have_count(25)
    expect(discussion.get_by_role("link", name="Load more comments")).to_have_count(0)
    assert_not_reloaded(page)


def test_script_in_a_comment_does_not_run(page, seed, make_member):
    make_member("mallory")
    log_in(page, "mallory")
    page.goto(PAIR_URL)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = (
        '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
        '[click](javascript:window.__pwned=3) <b onmouseover="alert(4)">hover</b>'
    )
    discussion = pair_discussion(page)
    discussion.get_by_label("Comment", exact=True).fill(payload)
    discussion.get_by_role("button", name="Post comment").click()
    expect(discussion.locator("li.comment")).to_have_count(1)

    page.reload()
    comment = pair_discussion(page).locator("li.comment").first
    expect(comment).to_contain_text("<script>window.__pwned = 1</script>")
    comment.get_by_text("hover", exact=False).hover()
    assert page.evaluate("window.__pwned") is None
    assert comment.locator("script, img").count() == 0
    assert dialogs == []


def test_without_javascript_everything_still_works(no_js_page, seed, make_member, make_comment):
    page = no_js_page
    assert page.evaluate("typeof htmx") == "undefined"
    make_member("dora")
    other = make_comment(seed, body="Someone else's comment")

    # An anonymous visitor types, is sent to log in, and comes back with the text kept.
    page.goto(PAIR_URL)
    discussion = pair_discussion(page)
    expect(discussion.get_by_text("Someone else's comment")).to_be_visible()
    for loading in page.get_by_text("Loading discussion…").all():
        expect(loading).to_be_hidden()
    discussion.get_by_label("Comment", exact=True).fill("Typed before logging in")
    discussion.get_by_role("button", name="Post comment").click()
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(PAIR_URL)))
    discussion = pair_discussion(page)
    expect(discussion.get_by_label("Comment", exact=True)).to_have_value("Typed before logging in")

    discussion.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment was posted.")).to_be_visible()
    mine = Comment.objects.get(body="Typed before logging in")
    expect(page.locator(f"#comment-{mine.pk}")).to_contain_text("Typed before logging in")

    page.locator("#pair-votes").get_by_role("button", name="Upvote").click()
    expect(page.locator("#pair-votes .tally")).to_have_text("1 up • 0 down")

    page.locator(f"#comment-{other.pk}").get_by_role("button", name="Reply").first.click()
    page.get_by_label("Comment", exact=True).fill("A reply without JavaScript")
    page.get_by_role("button", name="Post comment").click()
    reply = Comment.objects.get(body="A reply without JavaScript")
    assert reply.parent_id == other.pk
    expect(page.locator(f"#comment-{reply.pk}")).to_be_visible()

    page.locator(f"#comment-{reply.pk}").get_by_role("button", name="Edit").click()
    page.get_by_label("Comment", exact=True).fill("An edited reply")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("An edited reply")

    page.locator(f"#comment-{reply.pk}").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Your comment was deleted.")).to_be_visible()
    assert not Comment.objects.filter(pk=reply.pk).exists()


def test_the_remedy_discussion_on_a_pair_page(page, no_js_page, seed, make_comment):
    """The pair page lazy-loads the remedy's discussion; without JavaScript it links to
    the remedy page, which shows that discussion in full."""
    make_comment(seed.remedy, body="About K2 in general")

    page.goto(PAIR_URL)
    community = page.locator(
        "section", has=page.get_by_role("heading", name="Community Discussion")
    )
    expect(community.get_by_text("About K2 in general")).to_be_visible()

    no_js_page.goto(PAIR_URL)
    community = no_js_page.locator(
        "section", has=no_js_page.get_by_role("heading", name="Community Discussion")
    )
    expect(community.get_by_text("About K2 in general")).to_have_count(0)
    community.get_by_role("link", name="Read and join this discussion (1 comment)").click()
    expect(no_js_page).to_have_url(re.compile(r"/remedies/vitamin-k2/#discussion-remedy-\d+$"))
    expect(no_js_page.get_by_text("About K2 in general")).to_be_visible()


def test_without_javascript_load_more_is_a_link_to_the_next_page(no_js_page, seed, make_comment):
    for i in range(21):
        make_comment(seed, body=f"Numbered {i}")
    page = no_js_page
    page.goto(PAIR_URL)

    pair_discussion(page).get_by_role("link", name="Load more comments").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Discussion: Vitamin K2 for Osteoporosis"
    )
    expect(page.locator("ol.comments > li.comment")).to_have_count(1)


def test_focus_follows_htmx_swaps(page, seed, make_member):
    make_member("erin")
    log_in(page, "erin")
    page.goto(PAIR_URL)

    page.locator("#pair-votes").get_by_role("button", name="Upvote").click()
    expect(page.locator("#pair-votes .tally")).to_have_text("1 up • 0 down")
    focused = page.locator(":focus")
    expect(focused).to_have_text("▲ Upvote")
    expect(focused).to_have_attribute("aria-pressed", "true")

    discussion = pair_discussion(page)
    discussion.get_by_label("Comment", exact=True).fill("Focus lands on me")
    discussion.get_by_role("button", name="Post comment").click()
    expect(discussion.locator("li.comment")).to_have_count(1)
    expect(page.locator("article.comment-body").first).to_be_focused()

    discussion.locator("li.comment").first.get_by_role("button", name="Reply").click()
    expect(discussion.locator(".reply-form textarea")).to_be_focused()


def test_expired_form_says_so_and_keeps_the_text(page, seed, make_member):
    make_member("fred")
    log_in(page, "fred")
    page.goto(PAIR_URL)
    discussion = pair_discussion(page)
    discussion.get_by_label("Comment", exact=True).fill("Please keep this text")
    expect(page.locator(".lazy-thread")).to_have_count(0)  # both discussions loaded
    page.context.clear_cookies(name="csrftoken")

    discussion.get_by_role("button", name="Post comment").click()

    expect(page.locator("#htmx-errors")).to_contain_text("This form has expired")
    expect(discussion.get_by_label("Comment", exact=True)).to_have_value("Please keep this text")
    expect(discussion.get_by_role("button", name="Post comment")).to_be_enabled()
    assert not Comment.objects.exists()


def test_no_content_security_policy_violations_while_using_the_page(page, seed, make_member):
    make_member("gina")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, "gina")
    page.goto(PAIR_URL)
    discussion = pair_discussion(page)

    page.locator("#pair-votes").get_by_role("button", name="Upvote").click()
    discussion.get_by_label("Comment", exact=True).fill("Under a strict policy")
    discussion.get_by_role("button", name="Post comment").click()
    expect(discussion.locator("li.comment")).to_have_count(1)
    discussion.get_by_role("link", name="Newest").click()
    expect(discussion.get_by_text("Under a strict policy")).to_be_visible()

    assert violations == []
