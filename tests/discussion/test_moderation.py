"""Moderation over HTTP: flags, the queue, hiding and restoring, locks, suspensions, the
edit window and who may do what (reader, member, editor, moderator)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.models import Suspension
from accounts.services import member_suspend
from discussion import moderation
from discussion.models import (
    Comment,
    CommentRevision,
    CommentVote,
    Flag,
    ModerationAction,
    Thread,
)
from discussion.services import NotAllowed
from remedies.models import PairVote

HTMX = {"hx-request": "true"}
PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"
REMOVED = "[removed by a moderator]"
SPAM = "Buy cheap pills at pills.example, best prices"
QUEUE = "/admin/discussion/flaggedcomment/"
COMMENTS = "/admin/discussion/comment/"
THREADS = "/admin/discussion/thread/"
SUSPENSIONS = "/admin/accounts/suspension/"
THANKS = "Thank you: moderators will review this comment."
SUSPENDED = "Your account is suspended: you cannot post or vote."
LOCKED = "This discussion is locked: it takes no new comments."


@pytest.fixture
def moderator(make_member):
    user = make_member("moderator", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def author(make_member):
    return make_member("spammer")


@pytest.fixture
def member(make_member):
    return make_member("reader")


@pytest.fixture
def spam(seed, author, make_comment):
    return make_comment(seed, author=author, body=SPAM)


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def role_client(role: str, make_member, editor) -> Client:
    """A client for someone who is not a moderator."""
    if role == "anonymous":
        return Client()
    if role == "member":
        return client_for(make_member())
    return client_for(editor)


def assert_refused_admin(response, role: str) -> None:
    """Not staff: sent to the admin login. Staff without the permission: 403."""
    if role == "editor":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


def flag_url(comment) -> str:
    return f"/comments/{comment.pk}/flag/"


def post_url(pair) -> str:
    return f"/discussions/remedies.pair/{pair.pk}/comments/"


def thread_url(pair) -> str:
    return f"/discussions/remedies.pair/{pair.pk}/"


def reason_action(client, changelist: str, action: str, objects, reason: str):
    """Run an admin action that asks for a reason, as the admin's pages do: choose the
    action on the changelist, then send the reason form."""
    selected = [str(obj.pk) for obj in objects]
    ask = client.post(changelist, {"action": action, "_selected_action": selected, "index": "0"})
    apply = client.post(
        changelist,
        {"action": action, "_selected_action": selected, "apply": "Apply", "reason": reason},
    )
    return ask, apply


def flag_by_members(comment, make_member, count: int, reason: str = "spam") -> list:
    flaggers = [make_member() for _ in range(count)]
    for flagger in flaggers:
        response = client_for(flagger).post(flag_url(comment), {"reason": reason})
        assert response.status_code == 302
    return flaggers


def html_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- flags -----------------------------------------------------------------------------


def test_flag_plain_is_stored_and_thanks_the_member(spam, member, seed):
    client = client_for(member)

    response = client.post(flag_url(spam), {"reason": "spam"})

    assert response.status_code == 302
    assert response["Location"] == f"{PAIR_URL}#comment-{spam.pk}"
    assert THANKS in html_of(client, PAIR_URL)
    flag = Flag.objects.get()
    assert (flag.comment, flag.user, flag.reason, flag.details) == (spam, member, "spam", "")
    spam.refresh_from_db()
    assert (spam.flag_count, spam.moderation) == (1, "flagged")


def test_flag_with_htmx_answers_with_the_thanks_in_place(spam, member):
    response = client_for(member).post(flag_url(spam), {"reason": "spam"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert THANKS in html
    assert "<html" not in html
    assert Flag.objects.filter(comment=spam, user=member, reason="spam").count() == 1


def test_flag_form_offers_the_reasons(spam, member):
    html = html_of(client_for(member), flag_url(spam))

    for label in ["Spam", "Harassment", "Dangerous medical advice", "Off topic", "Other"]:
        assert f">{label}</label>" in html
    assert "Send to moderators" in html
    assert Flag.objects.count() == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_flag_twice_is_refused_with_a_message(spam, member, htmx):
    client = client_for(member)
    client.post(flag_url(spam), {"reason": "spam"})

    response = client.post(flag_url(spam), {"reason": "harassment"}, headers=HTMX if htmx else {})

    assert response.status_code == 400
    assert "You already flagged this comment." in response.content.decode()
    assert Flag.objects.filter(comment=spam).count() == 1
    spam.refresh_from_db()
    assert spam.flag_count == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_flag_other_needs_details(spam, member, htmx):
    client = client_for(member)
    headers = HTMX if htmx else {}

    refused = client.post(flag_url(spam), {"reason": "other", "details": "  "}, headers=headers)

    assert refused.status_code == 400
    assert "Say briefly what is wrong with this comment." in refused.content.decode()
    assert Flag.objects.count() == 0

    accepted = client.post(
        flag_url(spam), {"reason": "other", "details": "Advertising"}, headers=headers
    )
    assert accepted.status_code == (200 if htmx else 302)
    assert Flag.objects.get().details == "Advertising"


@pytest.mark.parametrize("reason", ["", "rude", "SPAM"])
def test_flag_reason_must_come_from_the_list(spam, member, reason):
    response = client_for(member).post(flag_url(spam), {"reason": reason})

    assert response.status_code == 400
    assert "Pick a reason from the list." in response.content.decode()
    assert Flag.objects.count() == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_own_comment_cannot_be_flagged(spam, author, htmx):
    response = client_for(author).post(
        flag_url(spam), {"reason": "spam"}, headers=HTMX if htmx else {}
    )

    assert response.status_code == 400
    assert "You cannot flag your own comment." in response.content.decode()
    assert Flag.objects.count() == 0
    spam.refresh_from_db()
    assert (spam.flag_count, spam.moderation) == (0, "")


def test_anonymous_flag_goes_to_login(client, spam):
    plain = client.post(flag_url(spam), {"reason": "spam"})
    htmx = client.post(flag_url(spam), {"reason": "spam"}, headers=HTMX)

    assert plain.status_code == 302
    assert plain["Location"].startswith("/accounts/login/?next=")
    assert htmx["HX-Redirect"].startswith("/accounts/login/?next=")
    assert Flag.objects.count() == 0


def test_first_flag_queues_the_comment_but_it_stays_visible(
    spam, member, moderator, seed, make_comment
):
    unflagged = make_comment(seed, body="A calm, helpful comment")

    client_for(member).post(flag_url(spam), {"reason": "spam"})

    queue = html_of(client_for(moderator), QUEUE)
    assert f"/admin/discussion/flaggedcomment/{spam.pk}/change/" in queue
    assert SPAM in queue
    assert "A calm, helpful comment" not in queue
    page = html_of(Client(), PAIR_URL)
    assert SPAM in page
    assert REMOVED not in page
    spam.refresh_from_db()
    unflagged.refresh_from_db()
    assert (spam.moderation, unflagged.moderation) == ("flagged", "")


def test_enough_flags_hide_the_comment_automatically_and_log_it(
    spam, seed, make_member, make_comment
):
    assert settings.FLAGS_TO_HIDE == 3
    reply = make_comment(seed, body="Please do not buy these", parent=spam)

    flag_by_members(spam, make_member, 2)
    assert SPAM in html_of(Client(), PAIR_URL)
    assert not ModerationAction.objects.exists()
    flag_by_members(spam, make_member, 1)

    spam.refresh_from_db()
    assert (spam.flag_count, spam.moderation) == (3, "auto-hidden")
    action = ModerationAction.objects.get()
    assert (action.kind, action.comment, action.moderator) == ("auto-hide", spam, None)
    assert action.reason == "Hidden automatically after 3 members flagged it."
    for url in [PAIR_URL, thread_url(seed), "/"]:
        html = html_of(Client(), url)
        assert SPAM not in html, url
    page = html_of(Client(), PAIR_URL)
    assert REMOVED in page
    assert "Please do not buy these" in page
    assert Comment.objects.get(pk=reply.pk).moderation == ""
    fragment = Client().get(f"/comments/{spam.pk}/", headers=HTMX).content.decode()
    assert REMOVED in fragment and SPAM not in fragment


def test_flags_and_flaggers_never_appear_on_public_pages(spam, author, seed, make_member):
    flaggers = [make_member(f"whistleblower{i}") for i in range(3)]
    for flagger in flaggers:
        client_for(flagger).post(
            flag_url(spam), {"reason": "other", "details": "Secret note to moderators"}
        )
    assert Flag.objects.count() == 3

    pages = [
        (Client(), PAIR_URL),
        (Client(), "/moderation/"),
        (Client(), f"/members/{author.username}/"),
        (client_for(author), PAIR_URL),
        (client_for(author), f"/members/{author.username}/"),
    ]
    for client, url in pages:
        html = html_of(client, url)
        assert "whistleblower" not in html, url
        assert "Secret note to moderators" not in html, url
    # A flagger's own profile says nothing of what they flagged.
    flagger_profile = html_of(Client(), f"/members/{flaggers[0].username}/")
    assert "Secret note to moderators" not in flagger_profile
    assert SPAM not in flagger_profile
    assert "0 comments" in flagger_profile
    assert "Hidden automatically after 3 members flagged it." in html_of(Client(), "/moderation/")


@pytest.mark.parametrize("hidden_by", ["flags", "moderator"])
def test_hidden_comment_text_is_not_on_its_reply_page(spam, moderator, make_member, hidden_by):
    if hidden_by == "flags":
        flag_by_members(spam, make_member, 3)
    else:
        moderation.comment_hide(comment=spam, moderator=moderator, reason="Advertising")

    response = Client().get(f"/comments/{spam.pk}/reply/")

    assert Comment.objects.get(pk=spam.pk).is_hidden
    assert response.status_code in {200, 404}
    assert SPAM not in response.content.decode()


# --- hiding and restoring --------------------------------------------------------------


def test_moderator_hides_a_comment_from_the_queue_with_a_reason(spam, member, moderator, author):
    client_for(member).post(flag_url(spam), {"reason": "spam"})
    client = client_for(moderator)

    ask, done = reason_action(client, QUEUE, "hide_comments", [spam], "Advertising pills")

    assert ask.status_code == 200
    assert "Reason (shown in the public moderation log)" in ask.content.decode()
    assert done.status_code == 302
    assert "Hide selected comments: 1 done." in html_of(client, done["Location"])
    spam.refresh_from_db()
    assert (spam.moderation, spam.moderation_reason) == ("hidden", "Advertising pills")
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.comment) == ("hide", moderator, spam)
    assert action.reason == "Advertising pills"
    assert timezone.now() - action.created_at < timedelta(minutes=1)
    page = html_of(Client(), PAIR_URL)
    assert REMOVED in page and SPAM not in page
    assert f"/admin/discussion/flaggedcomment/{spam.pk}/change/" not in html_of(client, QUEUE)
    log = html_of(Client(), "/moderation/")
    assert "Hid a comment" in log and "Advertising pills" in log
    assert member.username not in log


def test_hiding_needs_a_reason(spam, member, moderator):
    client_for(member).post(flag_url(spam), {"reason": "spam"})

    _, done = reason_action(client_for(moderator), QUEUE, "hide_comments", [spam], "  ")

    assert done.status_code == 200
    assert "This field is required." in done.content.decode()
    spam.refresh_from_db()
    assert spam.moderation == "flagged"
    assert not ModerationAction.objects.exists()


def test_moderator_restores_a_hidden_comment_and_later_flags_do_not_hide_it(
    spam, moderator, make_member
):
    flag_by_members(spam, make_member, 1)
    client = client_for(moderator)
    reason_action(client, QUEUE, "hide_comments", [spam], "Looked like an advert")

    ask, done = reason_action(
        client, COMMENTS, "restore_comments", [spam], "The link is a real study"
    )

    assert ask.status_code == 200
    assert done.status_code == 302
    spam.refresh_from_db()
    assert (spam.moderation, spam.moderation_reason) == ("approved", "")
    restore = ModerationAction.objects.get(kind="restore")
    assert (restore.moderator, restore.comment) == (moderator, spam)
    assert restore.reason == "The link is a real study"
    assert timezone.now() - restore.created_at < timedelta(minutes=1)
    page = html_of(Client(), PAIR_URL)
    assert SPAM in page and REMOVED not in page

    flag_by_members(spam, make_member, 3)

    spam.refresh_from_db()
    assert (spam.flag_count, spam.moderation) == (4, "approved")
    assert not ModerationAction.objects.filter(kind="auto-hide").exists()
    assert SPAM in html_of(Client(), PAIR_URL)
    log = html_of(Client(), "/moderation/")
    assert "Restored a comment" in log and "The link is a real study" in log
    assert "Hid a comment" in log and "Looked like an advert" in log


def test_moderator_restores_a_comment_hidden_by_flags_from_the_queue(spam, moderator, make_member):
    flag_by_members(spam, make_member, 3)

    _, done = reason_action(client_for(moderator), QUEUE, "restore_comments", [spam], "Fine")

    assert done.status_code == 302
    spam.refresh_from_db()
    assert spam.moderation == "approved"
    assert SPAM in html_of(Client(), PAIR_URL)


@pytest.mark.parametrize("role", ["anonymous", "member", "editor"])
def test_only_moderators_reach_the_queue_and_the_moderation_tools(
    role, spam, seed, make_member, editor, moderator
):
    flag_by_members(spam, make_member, 1)
    suspended = make_member("troll")
    suspension = member_suspend(member=suspended, moderator=moderator, reason="Trolling")
    target = make_member("target")
    client = role_client(role, make_member, editor)
    actions_before = ModerationAction.objects.count()

    for url in [QUEUE, COMMENTS, THREADS, SUSPENSIONS, f"{SUSPENSIONS}add/"]:
        assert_refused_admin(client.get(url), role)
        assert client_for(moderator).get(url).status_code == 200, url
    attempts = [
        (QUEUE, "hide_comments", [spam]),
        (COMMENTS, "hide_comments", [spam]),
        (COMMENTS, "restore_comments", [spam]),
        (THREADS, "lock_threads", [Thread.objects.get()]),
        (SUSPENSIONS, "lift_suspensions", [suspension]),
    ]
    for changelist, action, objects in attempts:
        ask, done = reason_action(client, changelist, action, objects, "Because I can")
        assert_refused_admin(ask, role)
        assert_refused_admin(done, role)
    added = client.post(f"{SUSPENSIONS}add/", {"member": target.pk, "reason": "Because"})
    assert_refused_admin(added, role)

    spam.refresh_from_db()
    assert spam.moderation == "flagged"
    assert not Thread.objects.get().is_locked
    assert Suspension.objects.filter(member=suspended).exists()
    assert not Suspension.objects.filter(member=target).exists()
    assert ModerationAction.objects.count() == actions_before


@pytest.mark.parametrize("role", ["member", "editor"])
def test_moderation_services_refuse_non_moderators(role, spam, make_member, editor):
    user = make_member() if role == "member" else editor
    thread = Thread.objects.get()

    with pytest.raises(NotAllowed):
        moderation.comment_hide(comment=spam, moderator=user, reason="No")
    with pytest.raises(NotAllowed):
        moderation.comment_restore(comment=spam, moderator=user, reason="No")
    with pytest.raises(NotAllowed):
        moderation.thread_set_locked(thread=thread, moderator=user, locked=True, reason="No")
    with pytest.raises(NotAllowed):
        member_suspend(member=make_member(), moderator=user, reason="No")

    spam.refresh_from_db()
    thread.refresh_from_db()
    assert (spam.moderation, thread.is_locked) == ("", False)
    assert not Suspension.objects.exists()
    assert not ModerationAction.objects.exists()


def test_author_sees_why_their_comment_was_hidden_others_see_nothing_of_it(
    spam, author, moderator, make_member
):
    moderation.comment_hide(comment=spam, moderator=moderator, reason="Advertising pills")
    profile = f"/members/{author.username}/"

    own = html_of(client_for(author), profile)
    assert "Removed by a moderator." in own
    assert "Advertising pills" in own
    assert SPAM in own
    for client in [Client(), client_for(make_member()), client_for(moderator)]:
        html = html_of(client, profile)
        assert SPAM not in html
        assert "Removed by a moderator." not in html
        assert "0 comments" in html
    assert Comment.objects.get(pk=spam.pk).moderation == "hidden"


# --- locking ---------------------------------------------------------------------------


@pytest.fixture
def locked_thread(spam, moderator):
    """The pair's discussion, locked by a moderator in admin."""
    thread = Thread.objects.get()
    ask, done = reason_action(
        client_for(moderator), THREADS, "lock_threads", [thread], "Heated, cooling off"
    )
    assert ask.status_code == 200 and done.status_code == 302
    thread.refresh_from_db()
    assert thread.is_locked
    return thread


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("reply", [False, True])
def test_locked_discussion_refuses_comments_and_replies(
    locked_thread, spam, seed, member, htmx, reply
):
    data = {"body": "Can I still post?"}
    if reply:
        data["parent"] = str(spam.pk)

    response = client_for(member).post(post_url(seed), data, headers=HTMX if htmx else {})

    assert response.status_code == 403
    html = response.content.decode()
    assert LOCKED in html
    assert "Can I still post?" in html  # what the member typed is kept
    assert Comment.objects.count() == 1
    locked_thread.refresh_from_db()
    assert locked_thread.comment_count == 1


def test_locked_discussion_says_so_and_offers_no_comment_box(locked_thread, seed, member):
    html = html_of(client_for(member), thread_url(seed))

    assert "This discussion is locked." in html
    assert f'action="{post_url(seed)}"' not in html
    assert f"/comments/{Comment.objects.get().pk}/reply/" not in html
    assert (
        f'action="{post_url(seed)}"'
        not in html_of(client_for(member), PAIR_URL).split('id="pair-discussion-heading"', 1)[1]
    )
    action = ModerationAction.objects.get()
    assert (action.kind, action.thread, action.reason) == (
        "lock",
        locked_thread,
        "Heated, cooling off",
    )


def test_unlocking_restores_posting_and_is_logged(locked_thread, seed, member, moderator):
    _, done = reason_action(
        client_for(moderator), THREADS, "unlock_threads", [locked_thread], "Calm again"
    )

    assert done.status_code == 302
    locked_thread.refresh_from_db()
    assert not locked_thread.is_locked
    response = client_for(member).post(post_url(seed), {"body": "Posting again"})
    assert response.status_code == 302
    assert Comment.objects.filter(body="Posting again").exists()
    assert "This discussion is locked." not in html_of(Client(), thread_url(seed))
    kinds = list(ModerationAction.objects.order_by("id").values_list("kind", "moderator", "reason"))
    assert kinds == [
        ("lock", moderator.pk, "Heated, cooling off"),
        ("unlock", moderator.pk, "Calm again"),
    ]
    log = html_of(Client(), "/moderation/")
    assert "Locked a discussion" in log and "Unlocked a discussion" in log


# --- suspensions -----------------------------------------------------------------------


def test_moderator_suspends_a_member_in_admin_and_it_is_logged(moderator, author, spam):
    client = client_for(moderator)
    assert client.get(f"{SUSPENSIONS}add/").status_code == 200

    response = client.post(
        f"{SUSPENSIONS}add/", {"member": author.pk, "reason": "Repeated advertising"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    suspension = Suspension.objects.get()
    assert (suspension.member, suspension.suspended_by) == (author, moderator)
    assert suspension.reason == "Repeated advertising"
    action = ModerationAction.objects.get()
    assert (action.kind, action.moderator, action.member) == ("suspend", moderator, author)
    assert action.reason == "Repeated advertising"
    log = html_of(Client(), "/moderation/")
    assert "Suspended a member" in log and "Repeated advertising" in log
    # What they wrote stays.
    assert SPAM in html_of(Client(), PAIR_URL)


@pytest.fixture
def suspended(make_member, moderator, seed, make_comment):
    """A member suspended after writing a comment, and someone else's comment."""
    member = make_member("suspended")
    own = make_comment(seed, author=member, body="Written before the suspension")
    other = make_comment(seed, body="Someone else's comment")
    member_suspend(member=member, moderator=moderator, reason="Cooling off")
    return member, own, other


def snapshot(seed) -> tuple:
    seed.refresh_from_db()
    return (
        list(Comment.objects.order_by("pk").values_list("body", "upvotes", "downvotes")),
        Thread.objects.get().comment_count,
        CommentVote.objects.count(),
        PairVote.objects.count(),
        Flag.objects.count(),
        (seed.upvotes, seed.downvotes),
    )


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("write", ["post", "reply", "edit", "vote-pair", "vote-comment", "flag"])
def test_suspended_member_cannot_write(suspended, seed, write, htmx):
    member, own, other = suspended
    requests = {
        "post": (post_url(seed), {"body": "New comment while suspended"}),
        "reply": (post_url(seed), {"body": "A reply while suspended", "parent": other.pk}),
        "edit": (f"/comments/{own.pk}/edit/", {"body": "Edited while suspended"}),
        "vote-pair": ("/remedies/vitamin-k2/osteoporosis/vote/", {"value": "up"}),
        "vote-comment": (f"/comments/{other.pk}/vote/", {"value": "up"}),
        "flag": (flag_url(other), {"reason": "spam"}),
    }
    url, data = requests[write]
    before = snapshot(seed)

    response = client_for(member).post(url, data, headers=HTMX if htmx else {})

    assert response.status_code == 403
    assert SUSPENDED in response.content.decode()
    assert snapshot(seed) == before


def test_suspended_members_comments_stay_visible(suspended, seed):
    member, own, _ = suspended

    page = html_of(Client(), PAIR_URL)
    profile = html_of(Client(), f"/members/{member.username}/")

    assert "Written before the suspension" in page
    assert "Written before the suspension" in profile
    assert Suspension.objects.filter(member=member).exists()
    assert Comment.objects.get(pk=own.pk).moderation == ""


def test_lifting_a_suspension_in_admin_restores_writing(suspended, seed, moderator):
    member, _, other = suspended
    suspension = Suspension.objects.get(member=member)

    ask, done = reason_action(
        client_for(moderator), SUSPENSIONS, "lift_suspensions", [suspension], "Served"
    )

    assert ask.status_code == 200 and done.status_code == 302
    assert not Suspension.objects.exists()
    action = ModerationAction.objects.get(kind="unsuspend")
    assert (action.moderator, action.member, action.reason) == (moderator, member, "Served")
    client = client_for(member)
    assert client.post(post_url(seed), {"body": "Back again"}).status_code == 302
    assert client.post(f"/comments/{other.pk}/vote/", {"value": "up"}).status_code == 302
    assert client.post(flag_url(other), {"reason": "spam"}).status_code == 302
    assert Comment.objects.filter(author=member, body="Back again").exists()
    assert CommentVote.objects.filter(user=member, target=other).exists()
    assert Flag.objects.filter(user=member, comment=other).exists()


# --- the edit window -------------------------------------------------------------------


def age_comment(comment, age: timedelta) -> None:
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - age)


@pytest.fixture
def own_comment(seed, member, make_comment):
    return make_comment(seed, author=member, body="First thoughts on K2")


def test_edit_within_five_minutes_keeps_no_history(own_comment, member):
    age_comment(own_comment, timedelta(minutes=4))

    response = client_for(member).post(
        f"/comments/{own_comment.pk}/edit/", {"body": "Better thoughts on K2"}
    )

    assert response.status_code == 302
    own_comment.refresh_from_db()
    assert own_comment.body == "Better thoughts on K2"
    assert own_comment.edited_at is not None
    assert not CommentRevision.objects.exists()


def test_edit_after_five_minutes_keeps_the_earlier_text_for_moderators(
    own_comment, member, moderator, editor, make_member, seed
):
    age_comment(own_comment, timedelta(minutes=10))
    written_at = Comment.objects.get(pk=own_comment.pk).created_at

    response = client_for(member).post(
        f"/comments/{own_comment.pk}/edit/", {"body": "Better thoughts on K2"}, headers=HTMX
    )

    assert response.status_code == 200
    assert "Better thoughts on K2" in response.content.decode()
    revision = CommentRevision.objects.get()
    assert (revision.comment_id, revision.body) == (own_comment.pk, "First thoughts on K2")
    assert revision.written_at == written_at
    admin_page = f"/admin/discussion/comment/{own_comment.pk}/change/"
    moderator_view = html_of(client_for(moderator), admin_page)
    assert "First thoughts on K2" in moderator_view
    assert "Better thoughts on K2" in moderator_view
    for url in [PAIR_URL, thread_url(seed), f"/members/{member.username}/"]:
        html = html_of(client_for(make_member()), url)
        assert "First thoughts on K2" not in html, url
        assert "Better thoughts on K2" in html, url
    assert_refused_admin(client_for(editor).get(admin_page), "editor")
    assert_refused_admin(client_for(member).get(admin_page), "member")


@pytest.mark.parametrize("htmx", [False, True])
def test_editing_after_24_hours_is_refused_and_the_edit_button_is_gone(
    own_comment, member, seed, make_comment, htmx
):
    fresh = make_comment(seed, author=member, body="A fresh comment")
    age_comment(own_comment, timedelta(hours=24, minutes=1))
    client = client_for(member)
    headers = HTMX if htmx else {}

    shown = client.get(f"/comments/{own_comment.pk}/edit/", headers=headers)
    sent = client.post(
        f"/comments/{own_comment.pk}/edit/", {"body": "Too late to edit"}, headers=headers
    )

    assert shown.status_code == sent.status_code == 403
    own_comment.refresh_from_db()
    assert (own_comment.body, own_comment.edited_at) == ("First thoughts on K2", None)
    assert not CommentRevision.objects.exists()
    page = html_of(client, thread_url(seed))
    assert f'action="/comments/{own_comment.pk}/edit/"' not in page
    assert f'action="/comments/{fresh.pk}/edit/"' in page


def test_edit_button_stays_until_the_end_of_the_window(own_comment, member, seed):
    age_comment(own_comment, timedelta(hours=23, minutes=50))

    page = html_of(client_for(member), thread_url(seed))
    response = client_for(member).post(f"/comments/{own_comment.pk}/edit/", {"body": "Late"})

    assert f'action="/comments/{own_comment.pk}/edit/"' in page
    assert response.status_code == 302
    assert Comment.objects.get(pk=own_comment.pk).body == "Late"
    assert CommentRevision.objects.get().body == "First thoughts on K2"


# --- group permissions -----------------------------------------------------------------


def permissions_of(group_name: str) -> set[tuple[str, str]]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_editors_may_change_content_but_not_users_or_moderation(db):
    perms = permissions_of("Editors")
    codenames = {codename for _, codename in perms}

    for model in ["remedy", "pair", "condition", "citation", "evidence", "warning", "product"]:
        for verb in ["add", "change", "delete", "view"]:
            assert f"{verb}_{model}" in codenames, f"{verb}_{model}"
    assert {app for app, _ in perms} == {"remedies", "conditions"}
    assert not codenames & {"view_user", "change_user", "add_user", "change_group"}
    assert not codenames & {"change_comment", "view_flaggedcomment", "add_suspension"}


def test_moderators_may_moderate_discussions_but_not_change_content_or_users(db):
    perms = permissions_of("Moderators")

    assert perms == {
        ("discussion", "view_comment"),
        ("discussion", "change_comment"),
        ("discussion", "view_flaggedcomment"),
        ("discussion", "change_flaggedcomment"),
        ("discussion", "view_flag"),
        ("discussion", "view_commentrevision"),
        ("discussion", "view_moderationaction"),
        ("discussion", "view_thread"),
        ("discussion", "change_thread"),
        ("accounts", "view_suspension"),
        ("accounts", "add_suspension"),
        ("accounts", "change_suspension"),
        ("accounts", "delete_suspension"),
        ("auth", "view_user"),
    }
    assert not {app for app, _ in perms} & {"remedies", "conditions"}


def test_group_boundaries_hold_for_their_members(editor, moderator, make_member):
    member = make_member()

    assert editor.has_perm("remedies.change_pair")
    assert not editor.has_perm("discussion.change_comment")
    assert not editor.has_perm("accounts.add_suspension")
    assert not editor.has_perm("auth.view_user")
    assert moderator.has_perm("discussion.change_comment")
    assert moderator.has_perm("accounts.add_suspension")
    assert moderator.has_perm("auth.view_user")
    assert not moderator.has_perm("auth.change_user")
    assert not moderator.has_perm("remedies.change_pair")
    assert not moderator.has_perm("remedies.view_pair")
    assert not member.get_all_permissions()
    assert moderator.groups.get().name == "Moderators"
