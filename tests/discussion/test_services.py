"""The rules of discussions and votes, through the services the views call."""

import pytest
from django.core.exceptions import PermissionDenied

from discussion.models import Comment, CommentVote, Thread, wilson_lower_bound
from discussion.services import (
    DiscussionError,
    comment_create,
    comment_delete,
    comment_edit,
    vote_toggle,
)
from remedies.models import PairVote


def test_comment_create_makes_the_thread_on_demand_and_renders_markdown(seed, make_member):
    assert not Thread.objects.for_target(seed).exists()

    comment = comment_create(
        author=make_member(), target=seed, body="**Helped** my *bones*", parent_id=None
    )

    thread = Thread.objects.for_target(seed).get()
    assert comment.thread == thread
    assert comment.body == "**Helped** my *bones*"
    assert comment.body_html == "<p><strong>Helped</strong> my <em>bones</em></p>"
    assert comment.root_id == comment.pk and comment.depth == 0
    assert thread.comment_count == 1


def test_replies_know_their_root_and_depth(seed, make_comment):
    top = make_comment(seed)
    reply = make_comment(seed, parent=top)
    deeper = make_comment(seed, parent=reply)

    assert (reply.root_id, reply.depth) == (top.pk, 1)
    assert (deeper.root_id, deeper.depth, deeper.parent_id) == (top.pk, 2, reply.pk)


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something"), ("   \n ", "Write something"), ("x" * 10_001, "at most 10,000")],
)
def test_comment_create_refuses_empty_or_too_long_and_stores_nothing(
    seed, make_member, body, message
):
    with pytest.raises(DiscussionError, match=message):
        comment_create(author=make_member(), target=seed, body=body, parent_id=None)

    assert Comment.objects.count() == 0


def test_comment_of_exactly_ten_thousand_characters_is_accepted(seed, make_member):
    comment = comment_create(author=make_member(), target=seed, body="x" * 10_000, parent_id=None)

    assert len(comment.body) == 10_000


def test_reply_to_unknown_parent_is_refused(seed, make_member):
    with pytest.raises(DiscussionError, match="no longer exists"):
        comment_create(author=make_member(), target=seed, body="Hi", parent_id=999_999)

    assert Comment.objects.count() == 0


def test_reply_into_another_thread_is_refused(seed, make_comment, make_member):
    on_remedy = make_comment(seed.remedy)

    with pytest.raises(DiscussionError, match="same discussion"):
        comment_create(author=make_member(), target=seed, body="Hi", parent_id=on_remedy.pk)

    assert Comment.objects.count() == 1


def test_comment_edit_by_author_marks_it_edited(seed, make_comment, make_member):
    author = make_member()
    comment = make_comment(seed, author=author, body="first")

    comment_edit(comment=comment, user=author, body="*second*")

    comment.refresh_from_db()
    assert comment.body == "*second*"
    assert comment.body_html == "<p><em>second</em></p>"
    assert comment.edited_at is not None


def test_comment_edit_or_delete_by_someone_else_is_denied(seed, make_comment, make_member):
    comment = make_comment(seed, body="mine")
    intruder = make_member()

    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, user=intruder, body="hacked")
    with pytest.raises(PermissionDenied):
        comment_delete(comment=comment, user=intruder)

    comment.refresh_from_db()
    assert comment.body == "mine" and not comment.is_deleted


def test_deleting_a_comment_with_replies_keeps_its_place(seed, make_comment, make_member):
    author = make_member()
    top = make_comment(seed, author=author, body="secret")
    reply = make_comment(seed, parent=top)

    assert comment_delete(comment=top, user=author) is True

    top.refresh_from_db()
    assert top.is_deleted and top.body == "" and top.body_html == ""
    assert Comment.objects.get(pk=reply.pk).parent_id == top.pk
    assert Thread.objects.get().comment_count == 1


def test_deleting_a_comment_without_replies_removes_it_and_a_deleted_parent(
    seed, make_comment, make_member
):
    top_author, reply_author = make_member(), make_member()
    top = make_comment(seed, author=top_author)
    reply = make_comment(seed, author=reply_author, parent=top)
    comment_delete(comment=top, user=top_author)

    assert comment_delete(comment=reply, user=reply_author) is False

    assert Comment.objects.count() == 0
    assert Thread.objects.get().comment_count == 0


def test_vote_toggle_counts_switches_and_removes(seed, make_member):
    member = make_member()

    up = vote_toggle(vote_model=PairVote, target=seed, user=member, value=1)
    switched = vote_toggle(vote_model=PairVote, target=seed, user=member, value=-1)
    removed = vote_toggle(vote_model=PairVote, target=seed, user=member, value=-1)

    assert (up.up, up.down, up.mine) == (1, 0, 1)
    assert (switched.up, switched.down, switched.mine) == (0, 1, -1)
    assert (removed.up, removed.down, removed.mine) == (0, 0, 0)
    assert PairVote.objects.count() == 0


def test_vote_counts_equal_vote_rows_and_score_follows(seed, make_comment, make_member):
    comment = make_comment(seed)
    voters = [make_member() for _ in range(5)]
    for voter in voters[:4]:
        vote_toggle(vote_model=CommentVote, target=comment, user=voter, value=1)
    vote_toggle(vote_model=CommentVote, target=comment, user=voters[4], value=-1)

    comment.refresh_from_db()
    assert (comment.upvotes, comment.downvotes) == (4, 1)
    assert CommentVote.objects.filter(target=comment, value=1).count() == 4
    assert comment.score == pytest.approx(wilson_lower_bound(4, 1))


def test_vote_with_an_unknown_value_is_refused(seed, make_member):
    with pytest.raises(DiscussionError):
        vote_toggle(vote_model=PairVote, target=seed, user=make_member(), value=5)

    assert PairVote.objects.count() == 0


def test_wilson_lower_bound_prefers_many_good_votes_over_few():
    assert wilson_lower_bound(0, 0) == 0
    assert wilson_lower_bound(100, 5) > wilson_lower_bound(3, 0) > wilson_lower_bound(1, 1)
