from django import forms
from django.contrib import admin

from accounts.models import Suspension
from accounts.services import member_suspend, member_unsuspend
from discussion.admin import reason_action

lift_suspensions = reason_action(
    "lift_suspensions",
    "Lift selected suspensions",
    lambda suspension, user, reason: member_unsuspend(
        member=suspension.member, moderator=user, reason=reason
    ),
)


class SuspensionForm(forms.ModelForm):
    class Meta:
        model = Suspension
        fields = ("member", "reason")
        labels = {"reason": "Reason (shown in the public moderation log)"}


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    """Suspend a member: they can no longer post or vote; what they wrote stays."""

    form = SuspensionForm
    list_display = ("member", "reason", "suspended_by", "created_at")
    list_select_related = ("member", "suspended_by")
    search_fields = ("member__username", "reason")
    autocomplete_fields = ("member",)
    actions = [lift_suspensions]

    def get_readonly_fields(self, request, obj=None):
        return ("member", "reason", "suspended_by", "created_at") if obj else ()

    def save_model(self, request, obj, form, change):
        # Through the service, so the suspension is logged.
        saved = member_suspend(member=obj.member, moderator=request.user, reason=obj.reason)
        obj.pk = saved.pk

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # lifting goes through the logged action
