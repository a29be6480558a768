"""Moderation in a real browser: a member flags, a moderator hides, a reader sees it gone."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from discussion.models import Flag, ModerationAction
from tests.browser.helpers import PASSWORD, log_in, pair_discussion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"
SPAM = "Cheap pills at pills.example, best prices!"
# What the queue and the hide action need (the Moderators group of the migrations has
# more, but transactional tests flush the database, groups included).
MODERATOR_PERMISSIONS = [
    "view_comment",
    "change_comment",
    "view_flaggedcomment",
    "change_flaggedcomment",
    "view_flag",
]


@pytest.fixture
def moderator(make_member):
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="discussion", codename__in=MODERATOR_PERMISSIONS
        )
    )
    user = make_member("moderator", is_staff=True)
    user.groups.add(group)
    return user


def test_member_flags_moderator_hides_reader_sees_it_removed(
    page, browser, live_server, seed, make_member, make_comment, moderator, screenshot
):
    spam = make_comment(seed, author=make_member("spammer"), body=SPAM)
    make_member("alice")

    # A member flags the comment.
    log_in(page, "alice")
    page.goto(PAIR_URL)
    comment = pair_discussion(page).locator(f"#comment-{spam.pk}")
    expect(comment).to_contain_text(SPAM)
    comment.get_by_role("button", name="Flag").click()
    comment.get_by_label("Spam", exact=True).check()
    comment.get_by_role("button", name="Send to moderators").click()
    expect(comment.get_by_role("status")).to_have_text(
        "Thank you: moderators will review this comment."
    )
    flag = Flag.objects.get()
    assert (flag.comment_id, flag.user.username, flag.reason) == (spam.pk, "alice", "spam")

    # A moderator hides it from the queue, with a reason.
    admin = browser.new_context(base_url=live_server.url).new_page()
    admin.set_default_timeout(10_000)
    admin.goto("/admin/")
    admin.get_by_label("Username").fill("moderator")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Moderation queue").click()
    expect(admin).to_have_url(re.compile(r"/admin/discussion/flaggedcomment/$"))
    row = admin.locator("#result_list tbody tr", has_text=SPAM)
    row.locator('input[name="_selected_action"]').check()
    admin.locator('select[name="action"]').select_option(label="Hide selected comments")
    admin.get_by_role("button", name="Go").click()
    admin.get_by_label("Reason (shown in the public moderation log)").fill("Advertising")
    admin.get_by_role("button", name="Hide selected comments").click()
    expect(admin.locator(".messagelist")).to_contain_text("Hide selected comments: 1 done.")
    expect(admin.locator("#result_list")).to_have_count(0)
    admin.context.close()

    spam.refresh_from_db()
    assert (spam.moderation, spam.moderation_reason) == ("hidden", "Advertising")
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.comment_id) == ("hide", moderator, spam.pk)

    # An anonymous reader sees it removed.
    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.set_default_timeout(10_000)
    reader.goto(PAIR_URL)
    comment = pair_discussion(reader).locator(f"#comment-{spam.pk}")
    expect(comment).to_contain_text("[removed by a moderator]")
    expect(comment).not_to_contain_text(SPAM)
    expect(reader.get_by_text(SPAM)).to_have_count(0)
    assert SPAM not in reader.content()
    screenshot(reader, "moderation-comment-removed")
    reader.context.close()
