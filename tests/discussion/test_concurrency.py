"""Votes and replies arriving at the same moment, as several gunicorn workers send them.

Each worker thread has its own database connection and really commits (transactional_db),
and a barrier releases the threads together so their transactions overlap. These tests
need PostgreSQL's row locks; SQLite serializes writers, so they are skipped there. The
query-count test at the end runs on both databases.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from config.markup import render_markdown
from discussion.models import Comment, CommentVote, Thread, wilson_lower_bound
from discussion.services import comment_create, thread_get_or_create, vote_toggle
from remedies.models import PairVote

BARRIER_TIMEOUT = 30  # seconds; a stuck thread fails the test instead of hanging it

# Each member's own votes, applied in order by that member's thread, one per round. They
# mix first votes, the same vote again (removal) and the other one (switch).
VOTE_PLANS = [
    (1, 1, 1, 1, 1, 1),
    (1, -1, 1, -1, 1, -1),
    (1, 1, 1, -1, -1, 1),
    (-1, 1, 1, 1, -1, -1),
    (1, -1, -1, -1, 1, 1),
    (-1, -1, 1, -1, 1, 1),
    (1, 1, -1, 1, -1, -1),
    (-1, 1, -1, -1, -1, 1),
]
VOTERS = 16


def _run_together(work, jobs: list) -> list:
    """Run `work(job, barrier)` for every job in its own thread; return results in order.

    Exceptions raised in a thread are re-raised here, so an IntegrityError that escapes a
    service fails the test.
    """
    barrier = Barrier(len(jobs))

    def run(job):
        try:
            return work(job, barrier)
        except BaseException:
            barrier.abort()  # release the others instead of leaving them waiting
            raise
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        return [future.result() for future in futures]


def _serial_states(values, start: int = 0) -> list[int]:
    """The member's vote after each of `values`, applied one after the other."""
    states, state = [], start
    for value in values:
        state = 0 if state == value else value
        states.append(state)
    return states


def _vote_all_at_once(vote_model, target, plans: list[tuple]) -> list[list]:
    """Each (member, values) votes in its own thread, all members together each round."""

    def work(job, barrier):
        member, values = job
        tallies = []
        for value in values:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            tallies.append(
                vote_toggle(vote_model=vote_model, target=target, user=member, value=value)
            )
        return tallies

    return _run_together(work, plans)


def _assert_counters_equal_rows(vote_model, target) -> None:
    target.refresh_from_db()
    rows = vote_model.objects.filter(target=target)
    assert target.upvotes == rows.filter(value=1).count()
    assert target.downvotes == rows.filter(value=-1).count()
    assert target.score == pytest.approx(wilson_lower_bound(target.upvotes, target.downvotes))
    duplicates = rows.values("user").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists(), "a member has more than one vote on the target"


def _assert_votes_match_serial_plans(vote_model, target, plans, tallies) -> None:
    _assert_counters_equal_rows(vote_model, target)
    expected = {}
    for (member, values), member_tallies in zip(plans, tallies, strict=True):
        states = _serial_states(values)
        # Every answer the member got says what their vote became at that step.
        assert [tally.mine for tally in member_tallies] == states, member.username
        if states[-1]:
            expected[member.pk] = states[-1]
    stored = dict(vote_model.objects.filter(target=target).values_list("user_id", "value"))
    assert stored == expected
    finals = Counter(expected.values())
    assert (target.upvotes, target.downvotes) == (finals[1], finals[-1])


def _plans(make_member) -> list[tuple]:
    plans = []
    for i in range(VOTERS):
        values = VOTE_PLANS[i % len(VOTE_PLANS)]
        if i >= len(VOTE_PLANS):
            values = tuple(-value for value in values)
        plans.append((make_member(), values))
    return plans


@pytest.mark.postgres
def test_vote_toggle_on_one_pair_from_many_members_at_once_keeps_counters_exact(
    transactional_db, seed, make_member
):
    plans = _plans(make_member)

    tallies = _vote_all_at_once(PairVote, seed, plans)

    _assert_votes_match_serial_plans(PairVote, seed, plans, tallies)


@pytest.mark.postgres
def test_vote_toggle_on_one_comment_from_many_members_at_once_keeps_counters_and_score(
    transactional_db, seed, make_member, make_comment
):
    comment = make_comment(seed)
    plans = _plans(make_member)

    tallies = _vote_all_at_once(CommentVote, comment, plans)

    _assert_votes_match_serial_plans(CommentVote, comment, plans, tallies)
    # The serial plans end with both kinds of votes, so the score is not trivially 0.
    assert comment.upvotes and comment.downvotes
    assert comment.score == pytest.approx(wilson_lower_bound(comment.upvotes, comment.downvotes))


# (the member's vote before, the value both of their requests send at the same time)
DOUBLE_VOTE_CASES = [(0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)]


@pytest.mark.postgres
def test_vote_toggle_same_member_twice_at_once_neither_fails_nor_duplicates(
    transactional_db, seed, make_member
):
    """A double click sends two identical requests: both count, one after the other."""
    for _repeat in range(4):
        members = []
        for before, _value in DOUBLE_VOTE_CASES:
            member = make_member()
            if before:
                vote_toggle(vote_model=PairVote, target=seed, user=member, value=before)
            members.append(member)
        # Both requests of every member in one batch: 12 threads released together.
        jobs = [
            (member, value)
            for member, (_before, value) in zip(members, DOUBLE_VOTE_CASES, strict=True)
            for _twice in range(2)
        ]

        def work(job, barrier):
            member, value = job
            barrier.wait(timeout=BARRIER_TIMEOUT)
            return vote_toggle(vote_model=PairVote, target=seed, user=member, value=value)

        tallies = _run_together(work, jobs)

        _assert_counters_equal_rows(PairVote, seed)
        for i, (member, (before, value)) in enumerate(zip(members, DOUBLE_VOTE_CASES, strict=True)):
            states = _serial_states([value, value], start=before)
            answers = [tallies[2 * i].mine, tallies[2 * i + 1].mine]
            assert sorted(answers) == sorted(states), (before, value)
            rows = list(PairVote.objects.filter(target=seed, user=member).values_list("value"))
            assert rows == ([(states[-1],)] if states[-1] else []), (before, value)


def _assert_tree_is_consistent(thread: Thread) -> None:
    comments = {c.pk: c for c in Comment.objects.filter(thread=thread)}
    for comment in comments.values():
        if comment.parent_id is None:
            assert (comment.root_id, comment.depth) == (comment.pk, 0)
        else:
            parent = comments[comment.parent_id]
            assert comment.root_id == parent.root_id
            assert comment.depth == parent.depth + 1
    thread.refresh_from_db()
    assert thread.comment_count == len(comments)


@pytest.mark.postgres
def test_comment_create_many_replies_at_once_are_all_stored_in_place(
    transactional_db, seed, make_member, make_comment
):
    top_a = make_comment(seed, body="top a")
    top_b = make_comment(seed, body="top b")
    a1 = make_comment(seed, parent=top_a, body="a1")
    a1x = make_comment(seed, parent=a1, body="a1x")
    writers = [make_member() for _ in range(20)]
    # Round 1: all 20 reply to the same comment. Round 2: replies to other comments at
    # every depth, and new top-level comments, at the same time.
    others = [top_b, a1, a1x, None]
    jobs = [(i, writer) for i, writer in enumerate(writers)]

    def work(job, barrier):
        i, writer = job
        posted = []
        for parent in (top_a, others[i % len(others)]):
            body = f"writer {i} to {parent.pk if parent else 'top'}"
            barrier.wait(timeout=BARRIER_TIMEOUT)
            comment = comment_create(
                author=writer,
                target=seed,
                body=body,
                parent_id=parent.pk if parent else None,
            )
            posted.append((comment.pk, body, parent))
        return posted

    posted = [item for items in _run_together(work, jobs) for item in items]

    stored = Comment.objects.in_bulk([pk for pk, _body, _parent in posted])
    assert len(stored) == len(posted) == 40
    for pk, body, parent in posted:
        comment = stored[pk]
        assert comment.body == body
        assert comment.body_html == render_markdown(body)
        if parent is None:
            assert (comment.parent_id, comment.root_id, comment.depth) == (None, pk, 0)
        else:
            assert comment.parent_id == parent.pk
            assert (comment.root_id, comment.depth) == (parent.root_id, parent.depth + 1)
    assert top_a.replies.count() == 1 + 20
    assert Comment.objects.count() == 4 + 40
    _assert_tree_is_consistent(top_a.thread)


@pytest.mark.postgres
def test_comment_create_first_comments_at_once_share_one_thread(
    transactional_db, seed, make_member
):
    """The discussion is created by its first comment; simultaneous firsts make one."""
    writers = [make_member() for _ in range(12)]

    def work(writer, barrier):
        barrier.wait(timeout=BARRIER_TIMEOUT)
        return comment_create(author=writer, target=seed, body="First!", parent_id=None)

    comments = _run_together(work, writers)

    thread = Thread.objects.for_target(seed).get()
    assert {comment.thread_id for comment in comments} == {thread.pk}
    assert Comment.objects.filter(thread=thread).count() == 12
    _assert_tree_is_consistent(thread)


def _thread_of(target, size: int, author) -> Comment:
    """A discussion of `size` top-level comments, made in a few queries; returns one."""
    thread = thread_get_or_create(target=target)
    Comment.objects.bulk_create(
        [
            Comment(thread=thread, author=author, body=f"c{i}", body_html=f"<p>c{i}</p>", depth=0)
            for i in range(size)
        ],
        batch_size=500,
    )
    Comment.objects.filter(thread=thread).update(root=F("id"))
    Thread.objects.filter(pk=thread.pk).update(comment_count=size)
    return Comment.objects.filter(thread=thread).order_by("pk")[size // 2]


def _queries_to_post(target, author, parent: Comment | None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        comment_create(
            author=author,
            target=target,
            body="Same here",
            parent_id=parent.pk if parent else None,
        )
    return [query["sql"] for query in captured.captured_queries]


def test_comment_create_costs_the_same_queries_in_a_small_and_a_huge_thread(
    seed, make_pair, make_member
):
    """Posting must not read or renumber the rest of the discussion."""
    # Loaded as a request loads its member (with any suspension), as the site does.
    author = User.objects.select_related("suspension").get(pk=make_member().pk)
    small_target, huge_target = seed, make_pair()
    small_parent = _thread_of(small_target, 10, author)
    huge_parent = _thread_of(huge_target, 10_000, author)

    small_reply = _queries_to_post(small_target, author, small_parent)
    huge_reply = _queries_to_post(huge_target, author, huge_parent)
    small_top = _queries_to_post(small_target, author, None)
    huge_top = _queries_to_post(huge_target, author, None)

    assert len(huge_reply) == len(small_reply), "\n".join(huge_reply)
    assert len(huge_top) == len(small_top), "\n".join(huge_top)
    huge_thread = Thread.objects.for_target(huge_target).get()
    assert huge_thread.comment_count == Comment.objects.filter(thread=huge_thread).count()
    assert huge_thread.comment_count == 10_002
