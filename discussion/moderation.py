"""Moderation: members flag, moderators decide, every decision is logged."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from discussion.models import (
    Comment,
    Flag,
    FlagReason,
    ModerationAction,
    ModerationState,
    Thread,
    thread_page_versions,
)
from discussion.services import DiscussionError, NotAllowed, ensure_may_write, pages_changed


@transaction.atomic
def flag_create(*, comment: Comment, user, reason: str, details: str = "") -> Flag:
    """Flag a comment once. The first flag queues it; FLAGS_TO_HIDE flags from different
    members hide it until a moderator decides (unless a moderator already kept it)."""
    if reason not in FlagReason.values:
        raise DiscussionError("Pick a reason from the list.")
    details = details.strip()
    if reason == FlagReason.OTHER and not details:
        raise DiscussionError("Say briefly what is wrong with this comment.")
    if comment.author_id == user.pk:
        raise DiscussionError("You cannot flag your own comment.")
    if comment.is_deleted:
        raise DiscussionError("This comment was deleted.")
    ensure_may_write(user)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(comment=comment, user=user, reason=reason, details=details)
    except IntegrityError:
        raise DiscussionError("You already flagged this comment.") from None
    rows = Comment.objects.filter(pk=comment.pk)
    rows.update(flag_count=F("flag_count") + 1)
    comment = rows.select_for_update().get()
    if comment.moderation == ModerationState.NONE:
        rows.update(moderation=ModerationState.FLAGGED)
    if (
        comment.moderation in {ModerationState.NONE, ModerationState.FLAGGED}
        and comment.flag_count >= settings.FLAGS_TO_HIDE
    ):
        reason_text = f"Hidden automatically after {comment.flag_count} members flagged it."
        rows.update(moderation=ModerationState.AUTO_HIDDEN, moderation_reason=reason_text)
        ModerationAction.objects.create(
            kind=ModerationAction.Kind.AUTO_HIDE, comment=comment, reason=reason_text
        )
        pages_changed(comment.page_versions())
    return flag


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DiscussionError("Give a reason: it is shown in the public moderation log.")
    return reason


def _require_moderator(user) -> None:
    if not user.has_perm("discussion.change_comment"):
        raise NotAllowed("Only moderators can do this.")


@transaction.atomic
def comment_hide(*, comment: Comment, moderator, reason: str) -> None:
    _require_moderator(moderator)
    reason = _require_reason(reason)
    Comment.objects.filter(pk=comment.pk).update(
        moderation=ModerationState.HIDDEN, moderation_reason=reason
    )
    pages_changed(comment.page_versions())
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.HIDE, moderator=moderator, comment=comment, reason=reason
    )


@transaction.atomic
def comment_restore(*, comment: Comment, moderator, reason: str) -> None:
    """Keep the comment: shown again, and later flags no longer hide it by themselves."""
    _require_moderator(moderator)
    reason = _require_reason(reason)
    Comment.objects.filter(pk=comment.pk).update(
        moderation=ModerationState.APPROVED, moderation_reason=""
    )
    pages_changed(comment.page_versions())
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.RESTORE, moderator=moderator, comment=comment, reason=reason
    )


@transaction.atomic
def thread_set_locked(*, thread: Thread, moderator, locked: bool, reason: str) -> None:
    if not moderator.has_perm("discussion.change_thread"):
        raise NotAllowed("Only moderators can do this.")
    reason = _require_reason(reason)
    Thread.objects.filter(pk=thread.pk).update(is_locked=locked)
    pages_changed(thread_page_versions(thread))
    kind = ModerationAction.Kind.LOCK if locked else ModerationAction.Kind.UNLOCK
    ModerationAction.objects.create(kind=kind, moderator=moderator, thread=thread, reason=reason)
