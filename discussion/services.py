"""Writes on discussions and votes. No request, messages or templates in here."""

import unicodedata

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Suspension
from config.markup import render_markdown
from config.pagecache import bump
from discussion.models import (
    EDIT_GRACE,
    AbstractVote,
    Comment,
    CommentRevision,
    Tally,
    Thread,
    VotableModel,
    VoteValue,
    thread_page_versions,
    wilson_lower_bound,
)

MAX_COMMENT_LENGTH = 10_000


class DiscussionError(Exception):
    """Input a member can fix: the message is shown to them."""


class NotAllowed(PermissionDenied):
    """The member may not do this (suspended, locked discussion, not theirs…)."""


def ensure_may_write(user) -> None:
    if Suspension.objects.is_suspended(user):
        raise NotAllowed("Your account is suspended: you cannot post or vote.")


def pages_changed(versions: list[str]) -> None:
    """Once the transaction commits, pages showing this change get new cache keys."""
    transaction.on_commit(lambda: bump(*versions))


def thread_get_or_create(*, target: models.Model) -> Thread:
    thread, _ = Thread.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    )
    return thread


def _count_comment(thread_id: int, delta: int) -> int:
    """Add `delta` to the thread's comment count and return the new count, in one
    statement (PostgreSQL and SQLite both know UPDATE … RETURNING)."""
    table = connection.ops.quote_name(Thread._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET comment_count = comment_count + %s WHERE id = %s "
            "RETURNING comment_count",
            [delta, thread_id],
        )
        return cursor.fetchone()[0]


def _clean_body(body: str) -> str:
    # Control characters (NUL and the like) have no place in text: PostgreSQL refuses
    # NUL, and XML (the Atom feeds) refuses the rest. Line breaks and tabs stay.
    body = "".join(ch for ch in body if ch in "\n\r\t" or unicodedata.category(ch) != "Cc")
    body = body.strip()
    if not body:
        raise DiscussionError("Write something before posting.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise DiscussionError(
            f"A comment can be at most {MAX_COMMENT_LENGTH:,} characters "
            f"(this one has {len(body):,})."
        )
    return body


@transaction.atomic
def comment_create(*, author, target: models.Model, body: str, parent_id: int | None) -> Comment:
    """Post a comment on the target's discussion, or a reply to `parent_id` in it."""
    body = _clean_body(body)
    ensure_may_write(author)
    thread = thread_get_or_create(target=target)
    if thread.is_locked:
        raise NotAllowed("This discussion is locked: it takes no new comments.")
    # The thread row is locked first by every write in a discussion (this update), so
    # concurrent replies and deletions in one tree queue up instead of deadlocking.
    thread.comment_count = _count_comment(thread.pk, +1)
    parent = None
    if parent_id is not None:
        # Locking the parent serializes this reply with the parent's deletion.
        parent = Comment.objects.select_for_update().filter(pk=parent_id).first()
        if parent is None:
            raise DiscussionError("The comment you replied to no longer exists.")
        if parent.thread_id != thread.pk:
            raise DiscussionError("You can only reply to a comment in the same discussion.")
    comment = Comment(
        thread=thread,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        author=author,
        body=body,
        body_html=render_markdown(body),
    )
    if parent is not None:
        comment.root_id = parent.root_id
    comment.save()
    if parent is None:
        Comment.objects.filter(pk=comment.pk).update(root=comment)
        comment.root_id = comment.pk
    comment.thread = thread
    pages_changed(thread_page_versions(thread))
    return comment


def _ensure_author(comment: Comment, user) -> None:
    if comment.author_id != user.pk:
        raise NotAllowed("Only the author can change this comment.")
    if comment.is_deleted:
        raise DiscussionError("This comment was deleted.")


@transaction.atomic
def comment_edit(*, comment: Comment, user, body: str) -> Comment:
    """The author rewrites their comment within EDIT_WINDOW; past the first EDIT_GRACE
    minutes the earlier text is kept for moderators."""
    _ensure_author(comment, user)
    body = _clean_body(body)
    ensure_may_write(user)
    if comment.thread.is_locked:
        raise NotAllowed("This discussion is locked.")
    if not comment.can_be_edited_by(user):
        raise NotAllowed("This comment can no longer be edited.")
    now = timezone.now()
    if body == comment.body:
        return comment
    if now - comment.created_at > EDIT_GRACE:
        CommentRevision.objects.create(
            comment=comment, body=comment.body, written_at=comment.edited_at or comment.created_at
        )
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = now
    comment.save(update_fields=["body", "body_html", "edited_at"])
    pages_changed(thread_page_versions(comment.thread))
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> bool:
    """Delete the member's comment. Returns True if it stays as "[deleted]" for its replies.

    A comment without replies disappears; so does a "[deleted]" parent left without any.
    """
    _ensure_author(comment, user)
    new_count = _count_comment(comment.thread_id, -1)  # the thread first, as comment_create
    comment = Comment.objects.select_for_update().select_related("thread").get(pk=comment.pk)
    comment.thread.comment_count = new_count
    pages_changed(thread_page_versions(comment.thread))
    if comment.replies.exists():
        comment.is_deleted = True
        comment.body = ""
        comment.body_html = ""
        comment.save(update_fields=["is_deleted", "body", "body_html"])
        return True
    parent_id = comment.parent_id
    comment.delete()
    while parent_id is not None:
        parent = Comment.objects.select_for_update().get(pk=parent_id)
        if not parent.is_deleted or parent.replies.exists():
            break
        parent_id = parent.parent_id
        parent.delete()
    return False


def vote_toggle(*, vote_model: type[AbstractVote], target: VotableModel, user, value: int) -> Tally:
    """Vote `value` on `target`: a first vote counts, the same vote again removes it, the
    other one switches it. Counters change with F() in the same transaction as the vote
    row, so they always equal the rows, whatever runs concurrently."""
    if value not in VoteValue.values:
        raise DiscussionError("A vote is either up or down.")
    ensure_may_write(user)
    target_model = type(target)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                tally = _vote_toggle_once(vote_model, target_model, target.pk, user, value)
                pages_changed(target.page_versions())
                return tally
        except IntegrityError:
            # Another request of the same member inserted the row first; read it again.
            continue
    raise DiscussionError("Your vote could not be saved. Please try again.")


def _vote_toggle_once(vote_model, target_model, target_pk: int, user, value: int) -> Tally:
    # Locking the target first serializes every vote on it; its counts read here are
    # then the ones our update starts from.
    target = target_model.objects.select_for_update().only("upvotes", "downvotes").get(pk=target_pk)
    vote = vote_model.objects.filter(target_id=target_pk, user=user).first()
    if vote is None:
        vote_model.objects.create(target_id=target_pk, user=user, value=value)
        mine = value
        up_delta, down_delta = (1, 0) if value == VoteValue.UP else (0, 1)
    elif vote.value == value:
        vote.delete()
        mine = 0
        up_delta, down_delta = (-1, 0) if value == VoteValue.UP else (0, -1)
    else:
        vote.value = value
        vote.save(update_fields=["value"])
        mine = value
        up_delta, down_delta = (1, -1) if value == VoteValue.UP else (-1, 1)
    up, down = target.upvotes + up_delta, target.downvotes + down_delta
    target_model.objects.filter(pk=target_pk).update(
        upvotes=F("upvotes") + up_delta,
        downvotes=F("downvotes") + down_delta,
        score=wilson_lower_bound(up, down),
    )
    return Tally(up=up, down=down, mine=mine)
