"""Threaded discussions and up/down votes, attachable to any model.

This app knows nothing of remedies: a Thread points at its target through a generic
relation, and other apps reuse `VotableModel`/`AbstractVote` for their own votes.
"""

import functools
import math
from datetime import timedelta
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from config.pagecache import ACTIVITY, target_key

WILSON_Z = 1.96  # 95% confidence


def wilson_lower_bound(up: int, down: int) -> float:
    """Lower bound of the Wilson score interval: "best" that a few votes cannot game."""
    n = up + down
    if n == 0:
        return 0.0
    p = up / n
    z2 = WILSON_Z * WILSON_Z
    centre = p + z2 / (2 * n)
    spread = WILSON_Z * math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)
    return (centre - spread) / (1 + z2 / n)


class Tally(NamedTuple):
    up: int
    down: int
    mine: int  # the viewer's own vote: 1, -1 or 0


class VoteValue(models.IntegerChoices):
    UP = 1, "Upvote"
    DOWN = -1, "Downvote"


class VotableModel(models.Model):
    """Counters kept equal to the vote rows by `discussion.services.vote_toggle`."""

    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0, help_text="Wilson lower bound of the votes.")

    class Meta:
        abstract = True

    @property
    def tally(self) -> Tally:
        """Counts, and the viewer's vote where a queryset annotated `viewer_vote`."""
        return Tally(self.upvotes, self.downvotes, getattr(self, "viewer_vote", 0))

    def page_versions(self) -> list[str]:
        """The page-cache versions its votes change (config.pagecache)."""
        return [target_key(self._meta.label_lower, self.pk), ACTIVITY]


class AbstractVote(models.Model):
    """One member's vote on one target; subclasses add `target` and a unique constraint."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


def target_queryset(model: type[models.Model], viewer) -> models.QuerySet:
    """The objects of a discussion target model that `viewer` may see."""
    if hasattr(model, "discussion_queryset"):
        return model.discussion_queryset(viewer)
    return model._default_manager.all()


def thread_page_versions(thread: "Thread") -> list[str]:
    """The page-cache versions a change in this discussion touches."""
    model = ContentType.objects.get_for_id(thread.content_type_id).model_class()
    return [target_key(model._meta.label_lower, thread.object_id), ACTIVITY]


class ThreadQuerySet(models.QuerySet):
    def for_target(self, target: models.Model) -> "ThreadQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        )

    def for_targets(self, targets: list[models.Model]) -> "ThreadQuerySet":
        condition = Q(pk__in=[])
        for target in targets:
            condition |= Q(
                content_type=ContentType.objects.get_for_model(target), object_id=target.pk
            )
        return self.filter(condition)


class Thread(models.Model):
    """The discussion of one target (a remedy, a remedy for a condition…)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    comment_count = models.PositiveIntegerField(default=0, help_text="Comments not deleted.")
    is_locked = models.BooleanField(
        default=False, help_text="A locked discussion takes no new comments."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_thread_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"Discussion of {self.target}"


_URL_ID = 2_147_483_647  # stands for the comment id in a reversed URL


@functools.cache
def _comment_url_pattern(name: str) -> str:
    return reverse(name, args=[_URL_ID])


def comment_url(name: str, comment_id: int) -> str:
    """reverse(name, args=[comment_id]) for the comment views (one integer argument),
    reversed once per process: only the id differs from comment to comment."""
    return _comment_url_pattern(name).replace(str(_URL_ID), str(comment_id))


class CommentLink:
    """`comment.vote_url` and the like: the URL of one of the comment views for this
    comment, through comment_url."""

    def __init__(self, url_name: str):
        self.url_name = url_name

    def __get__(self, comment, owner=None) -> str:
        return comment_url(self.url_name, comment.pk)


class CommentQuerySet(models.QuerySet):
    def for_thread(self, thread: Thread) -> "CommentQuerySet":
        return self.filter(thread=thread)

    def on_pages_visible_to(self, viewer) -> "CommentQuerySet":
        """Comments whose discussion belongs to a page the viewer may see (drafts are
        for editors), checked inside the same query."""
        visible = Q(pk__in=[])
        for label in settings.DISCUSSION_TARGETS:
            model = apps.get_model(label)
            # EXISTS looks up each comment's page by its key; "object_id IN (visible
            # pages)" hashed every published page first, on every request.
            page_visible = target_queryset(model, viewer).filter(pk=OuterRef("thread__object_id"))
            visible |= Q(thread__content_type=ContentType.objects.get_for_model(model)) & Q(
                Exists(page_visible)
            )
        return self.filter(visible)

    def top_level(self) -> "CommentQuerySet":
        return self.filter(parent__isnull=True)

    def in_trees(self, root_ids: list[int]) -> "CommentQuerySet":
        """Every reply below the given top-level comments (not the roots themselves)."""
        return self.filter(root_id__in=root_ids).exclude(pk__in=root_ids)

    def sorted_by(self, sort: str) -> "CommentQuerySet":
        return self.order_by(*COMMENT_ORDERINGS[sort])

    def with_authors(self) -> "CommentQuerySet":
        return self.select_related("author")

    def with_viewer_votes(self, user) -> "CommentQuerySet":
        """Annotate `viewer_vote`: the viewer's own vote (1, -1) or 0."""
        if not user.is_authenticated:
            return self.annotate(viewer_vote=Value(0))
        own_vote = CommentVote.objects.filter(target=OuterRef("pk"), user=user).values("value")
        return self.annotate(viewer_vote=Coalesce(Subquery(own_vote[:1]), Value(0)))

    def visible(self) -> "CommentQuerySet":
        return self.filter(is_deleted=False)

    def newest_public(self, limit: int) -> list["Comment"]:
        """The newest comments readers may see, on pages readers may see."""
        from django.contrib.auth.models import AnonymousUser

        reader = AnonymousUser()
        targets = [
            target_queryset(apps.get_model(label), reader) for label in settings.DISCUSSION_TARGETS
        ]
        recent = (
            self.filter(is_deleted=False)
            .exclude(moderation__in=HIDDEN_STATES)
            .select_related("author", "thread")
            .prefetch_related(GenericPrefetch("thread__target", targets))
            .order_by("-created_at", "-id")[: limit * 3]
        )
        return [c for c in recent if c.thread.target is not None][:limit]

    def by_author_newest_first(self, author, viewer) -> "CommentQuerySet":
        """A member's comments with the pages they were posted on (a query per kind).

        Others do not see comments hidden by moderators; the author sees them, with why.
        """
        targets = [
            target_queryset(apps.get_model(label), viewer) for label in settings.DISCUSSION_TARGETS
        ]
        comments = self.filter(author=author, is_deleted=False)
        if viewer.pk != author.pk:
            comments = comments.exclude(moderation__in=HIDDEN_STATES)
        return (
            comments.select_related("thread")
            .prefetch_related(GenericPrefetch("thread__target", targets))
            .order_by("-created_at", "-id")
        )


class ModerationState(models.TextChoices):
    NONE = "", "Not flagged"
    FLAGGED = "flagged", "Flagged, awaiting review"
    AUTO_HIDDEN = "auto-hidden", "Hidden by flags, awaiting review"
    HIDDEN = "hidden", "Hidden by a moderator"
    APPROVED = "approved", "Reviewed and kept"


HIDDEN_STATES = {ModerationState.AUTO_HIDDEN, ModerationState.HIDDEN}
# A member may edit their comment this long after posting; edits after the grace period
# keep the earlier text for moderators.
EDIT_WINDOW = timedelta(hours=24)
EDIT_GRACE = timedelta(minutes=5)


class Comment(VotableModel):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # The top-level ancestor (itself for a top-level comment): a shown comment's whole
    # subtree comes in one query, and a reply never renumbers other rows.
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    depth = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(help_text="Markdown source, as the member typed it.")
    body_html = models.TextField(help_text="Rendered and sanitized when saved.")
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Moderation: flags put a comment in the queue; enough of them hide it until a
    # moderator decides. Readers see "[removed by a moderator]" in its place.
    flag_count = models.PositiveIntegerField(default=0)
    moderation = models.CharField(
        max_length=12, choices=ModerationState.choices, default=ModerationState.NONE
    )
    moderation_reason = models.CharField(
        max_length=500, blank=True, help_text="Shown to the author when the comment is hidden."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["thread", "parent", "-score"], name="comment_best"),
            models.Index(fields=["thread", "parent", "created_at"], name="comment_chrono"),
            models.Index(fields=["root", "created_at"], name="comment_tree"),
            models.Index(fields=["author", "-created_at"], name="comment_by_author"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_id}"

    # A page shows each comment's links; comment_url skips a reverse() per link.
    def get_absolute_url(self) -> str:
        return comment_url("comment_detail", self.pk)

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def id_text(self) -> str:
        """The id for DOM ids in templates, already text: an integer would go through
        number localization each time, a dozen times per comment on a page."""
        return str(self.pk)

    vote_url = CommentLink("comment_vote")
    reply_url = CommentLink("comment_reply")
    edit_url = CommentLink("comment_edit")
    delete_url = CommentLink("comment_delete")
    flag_url = CommentLink("comment_flag")

    def page_versions(self) -> list[str]:
        return thread_page_versions(self.thread)

    @property
    def is_hidden(self) -> bool:
        return self.moderation in HIDDEN_STATES

    @property
    def editable_until(self):
        return self.created_at + EDIT_WINDOW

    def can_be_edited_by(self, user) -> bool:
        return (
            user.pk == self.author_id
            and not self.is_deleted
            and not self.is_hidden
            and timezone.now() < self.editable_until
        )


class CommentVote(AbstractVote):
    target = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target"], name="one_vote_per_member_per_comment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_value_display()} on comment {self.target_id}"


class CommentRevision(models.Model):
    """An earlier text of an edited comment, kept for moderators."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written_at = models.DateTimeField(help_text="When this text was posted or last edited.")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"Earlier text of comment {self.comment_id}"


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment"
    DANGEROUS = "dangerous", "Dangerous medical advice"
    OFF_TOPIC = "off-topic", "Off topic"
    OTHER = "other", "Other"


class Flag(models.Model):
    """A member's report of a comment; who flagged is never shown publicly."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=12, choices=FlagReason.choices)
    details = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "comment"], name="one_flag_per_member_per_comment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class ModerationActionQuerySet(models.QuerySet):
    def for_public_log(self) -> "ModerationActionQuerySet":
        return self.select_related("thread__content_type", "member").order_by("-created_at", "-id")


class ModerationAction(models.Model):
    """The moderation log: who did what, when and why."""

    class Kind(models.TextChoices):
        HIDE = "hide", "Hid a comment"
        AUTO_HIDE = "auto-hide", "Comment hidden after several flags"
        RESTORE = "restore", "Restored a comment"
        LOCK = "lock", "Locked a discussion"
        UNLOCK = "unlock", "Unlocked a discussion"
        SUSPEND = "suspend", "Suspended a member"
        UNSUSPEND = "unsuspend", "Lifted a suspension"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system acted on flags.",
    )
    reason = models.CharField(max_length=500)
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True)
    thread = models.ForeignKey(Thread, on_delete=models.SET_NULL, null=True, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ModerationActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"


class FlaggedComment(Comment):
    """The moderators' queue in admin: comments flagged and not yet decided."""

    class Meta:
        proxy = True
        verbose_name = "flagged comment"
        verbose_name_plural = "moderation queue"


class CommentSort(models.TextChoices):
    BEST = "best", "Best"
    NEW = "new", "Newest"
    OLD = "old", "Oldest"


COMMENT_ORDERINGS = {
    CommentSort.BEST: ("-score", "-upvotes", "created_at", "id"),
    CommentSort.NEW: ("-created_at", "-id"),
    CommentSort.OLD: ("created_at", "id"),
}
