"""Threaded discussions and up/down votes, attachable to any model.

This app knows nothing of remedies: a Thread points at its target through a generic
relation, and other apps reuse `VotableModel`/`AbstractVote` for their own votes.
"""

import math
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

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


class AbstractVote(models.Model):
    """One member's vote on one target; subclasses add `target` and a unique constraint."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


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


class CommentQuerySet(models.QuerySet):
    def for_thread(self, thread: Thread) -> "CommentQuerySet":
        return self.filter(thread=thread)

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

    def by_author_newest_first(self, author) -> "CommentQuerySet":
        """A member's comments with the pages they were posted on (a query per kind)."""
        targets = [
            apps.get_model(label).discussion_queryset()
            if hasattr(apps.get_model(label), "discussion_queryset")
            else apps.get_model(label)._default_manager.all()
            for label in settings.DISCUSSION_TARGETS
        ]
        return (
            self.filter(author=author, is_deleted=False)
            .select_related("thread")
            .prefetch_related(GenericPrefetch("thread__target", targets))
            .order_by("-created_at", "-id")
        )


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

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


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


class CommentSort(models.TextChoices):
    BEST = "best", "Best"
    NEW = "new", "Newest"
    OLD = "old", "Oldest"


COMMENT_ORDERINGS = {
    CommentSort.BEST: ("-score", "-upvotes", "created_at", "id"),
    CommentSort.NEW: ("-created_at", "-id"),
    CommentSort.OLD: ("created_at", "id"),
}
