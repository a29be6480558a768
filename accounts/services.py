"""Suspending members. Their content stays; they cannot post or vote meanwhile."""

from django.db import transaction

from accounts.models import Suspension
from discussion.models import ModerationAction
from discussion.services import DiscussionError, NotAllowed


def _check(moderator, reason: str) -> str:
    if not moderator.has_perm("accounts.add_suspension"):
        raise NotAllowed("Only moderators can do this.")
    reason = reason.strip()
    if not reason:
        raise DiscussionError("Give a reason: it is shown in the public moderation log.")
    return reason


@transaction.atomic
def member_suspend(*, member, moderator, reason: str) -> Suspension:
    reason = _check(moderator, reason)
    suspension, _ = Suspension.objects.update_or_create(
        member=member, defaults={"reason": reason, "suspended_by": moderator}
    )
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.SUSPEND, moderator=moderator, member=member, reason=reason
    )
    return suspension


@transaction.atomic
def member_unsuspend(*, member, moderator, reason: str) -> None:
    reason = _check(moderator, reason)
    Suspension.objects.filter(member=member).delete()
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.UNSUSPEND, moderator=moderator, member=member, reason=reason
    )
