"""Moderators' tools: the queue of flagged comments, hiding and restoring with a logged
reason, locking discussions, and the log itself."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from discussion import moderation
from discussion.models import (
    Comment,
    CommentRevision,
    Flag,
    FlaggedComment,
    ModerationAction,
    ModerationState,
    Thread,
)
from discussion.services import DiscussionError, NotAllowed


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (shown in the public moderation log)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def reason_action(name: str, description: str, apply: Callable, permission: str = "change"):
    """An admin action that asks for a reason, then applies `apply(obj, user, reason)` to
    each selected object. The reason goes into the moderation log."""

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    apply(obj, request.user, form.cleaned_data["reason"])
                    done += 1
                except (DiscussionError, NotAllowed) as error:
                    modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
            modeladmin.message_user(request, f"{description}: {done} done.", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/moderation_reason.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "objects": queryset,
                "form": form,
                "action": request.POST.get("action"),
                "opts": modeladmin.model._meta,
            },
        )

    action.__name__ = name
    return action


hide_comments = reason_action(
    "hide_comments",
    "Hide selected comments",
    lambda comment, user, reason: moderation.comment_hide(
        comment=comment, moderator=user, reason=reason
    ),
)
restore_comments = reason_action(
    "restore_comments",
    "Restore selected comments (keep them)",
    lambda comment, user, reason: moderation.comment_restore(
        comment=comment, moderator=user, reason=reason
    ),
)


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    can_delete = False
    fields = ("reason", "details", "user", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    can_delete = False
    fields = ("body", "written_at", "replaced_at")
    readonly_fields = fields
    verbose_name_plural = "earlier texts (edits made after the first five minutes)"

    def has_add_permission(self, request, obj=None):
        return False


class CommentModerationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "short_body", "author", "flag_count", "moderation", "created_at")
    list_select_related = ("author",)
    search_fields = ("body", "author__username")
    readonly_fields = (
        "thread",
        "parent",
        "author",
        "body",
        "flag_count",
        "moderation",
        "moderation_reason",
        "created_at",
        "edited_at",
        "is_deleted",
        "upvotes",
        "downvotes",
    )
    fields = readonly_fields
    inlines = [FlagInline, RevisionInline]
    actions = [hide_comments, restore_comments]

    @admin.display(description="text")
    def short_body(self, comment: Comment) -> str:
        return comment.body[:120]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def view_on_site(self, comment: Comment):
        return f"/comments/{comment.pk}/"


@admin.register(FlaggedComment)
class FlaggedCommentAdmin(CommentModerationAdmin):
    """The queue: flagged comments no moderator has decided on yet, most flagged first."""

    list_filter = ("moderation",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(moderation__in=[ModerationState.FLAGGED, ModerationState.AUTO_HIDDEN])
            .order_by("-flag_count", "created_at")
        )


@admin.register(Comment)
class CommentAdmin(CommentModerationAdmin):
    list_filter = ("moderation", "is_deleted")


lock_threads = reason_action(
    "lock_threads",
    "Lock selected discussions",
    lambda thread, user, reason: moderation.thread_set_locked(
        thread=thread, moderator=user, locked=True, reason=reason
    ),
)
unlock_threads = reason_action(
    "unlock_threads",
    "Unlock selected discussions",
    lambda thread, user, reason: moderation.thread_set_locked(
        thread=thread, moderator=user, locked=False, reason=reason
    ),
)


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("__str__", "comment_count", "is_locked", "created_at")
    list_filter = ("is_locked",)
    readonly_fields = ("content_type", "object_id", "comment_count", "is_locked", "created_at")
    fields = readonly_fields
    actions = [lock_threads, unlock_threads]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def view_on_site(self, thread: Thread):
        return thread.target.get_absolute_url() if thread.target else None


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "moderator", "reason")
    list_filter = ("kind",)
    list_select_related = ("moderator",)
    readonly_fields = ("kind", "moderator", "reason", "comment", "thread", "member", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
