from django import template
from django.urls import reverse

from conditions.models import Condition
from discussion.models import FlaggedComment, ModerationState
from remedies.models import Pair, Remedy

register = template.Library()


@register.inclusion_tag("admin/needs_attention.html", takes_context=True)
def needs_attention(context) -> dict:
    """The admin dashboard's list of what needs an editor's or a moderator's attention."""
    user = context["request"].user
    items = []
    if user.has_perm("remedies.change_pair"):
        items += [
            (
                "Draft remedies",
                Remedy.objects.filter(status="draft").count(),
                reverse("admin:remedies_remedy_changelist") + "?status__exact=draft",
            ),
            (
                "Draft conditions",
                Condition.objects.filter(status="draft").count(),
                reverse("admin:conditions_condition_changelist") + "?status__exact=draft",
            ),
            (
                "Draft remedy–condition pages",
                Pair.objects.filter(status="draft").count(),
                reverse("admin:remedies_pair_changelist") + "?status__exact=draft",
            ),
            (
                "Pages not reviewed for a year (or never)",
                Pair.objects.needing_review().count(),
                reverse("admin:remedies_pair_changelist") + "?review=due",
            ),
        ]
    if user.has_perm("discussion.view_flaggedcomment"):
        queue = FlaggedComment.objects.filter(
            moderation__in=[ModerationState.FLAGGED, ModerationState.AUTO_HIDDEN]
        )
        items.append(
            (
                "Flagged comments awaiting review",
                queue.count(),
                reverse("admin:discussion_flaggedcomment_changelist"),
            )
        )
    return {"items": items}
