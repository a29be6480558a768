"""Pages with a discussion cost the same queries with 10 comments as with 1,000, and
writing to a discussion costs a small fixed number of queries."""

import itertools
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from discussion.models import Comment, CommentVote, Thread, wilson_lower_bound
from discussion.services import thread_get_or_create

HTMX = {"hx-request": "true"}
PAIR_URL = "/remedies/vitamin-k2/osteoporosis/"
REMEDY_URL = "/remedies/vitamin-k2/"

# Budgets, whatever the number of comments, replies, votes and authors.
# The signed-in budgets add the session and the member (2 queries).
# Pair page: the remedy's pairs with the viewer's vote, own report's id and the threads
# of the remedy and of each pair (one query: the page's own pair is among them), its
# regimens and evidence (2), its warnings, the products, the citations, the statistics,
# the pair discussion's top-level comments and all their replies (2), and the
# experience reports' breakdown and votes by month (2). The remedy's discussion is
# lazy-loaded (and linked to without JavaScript): no query. Signed in, the member's own
# report costs one more only when they have one.
PAIR_PAGE_QUERIES = 11
OWN_REPORT = 0
# Remedy page: the remedy, its pairs with the threads, warnings, products, citations, the
# statistics, and the remedy discussion's top-level comments and their replies.
REMEDY_PAGE_QUERIES = 8
# Discussion partial (any page): the target, its thread, top-level comments, replies.
PARTIAL_QUERIES = 4
SIGNED_IN = 2

# Share of the comments at each depth: nested replies eight levels deep, deeper than
# the display cap, so some are shown flattened "in reply to" someone.
DEPTH_SHARES = [0.3, 0.25, 0.2, 0.1, 0.07, 0.04, 0.025, 0.015]


def level_sizes(count: int) -> list[int]:
    sizes, remaining = [], count
    for share in DEPTH_SHARES:
        size = min(max(1, round(count * share)), remaining)
        if size:
            sizes.append(size)
        remaining -= size
    sizes[0] += remaining
    assert sum(sizes) == count
    return sizes


@dataclass
class Built:
    """What `build_discussion` made, to check the page shows it."""

    best: Comment  # the top-level comment that sorts first ("best")
    deepest: Comment  # the deepest reply below the best comment (a chain to the bottom)
    viewer_votes: list[CommentVote] = field(default_factory=list)


def build_discussion(target, count: int, *, label: str, authors, voters, viewer=None) -> Built:
    """`count` comments on `target` in bulk: nested replies, several authors, votes."""
    thread = thread_get_or_create(target=target)
    author_cycle = itertools.cycle(authors)
    serial = itertools.count()
    levels: list[list[Comment]] = []
    votes: list[CommentVote] = []
    viewer_votes: list[CommentVote] = []
    for depth, size in enumerate(level_sizes(count)):
        parents = levels[-1] if levels else []
        rows = []
        for i in range(size):
            n = next(serial)
            parent = parents[i % len(parents)] if parents else None
            body = f"{label} comment {n:04d} at depth {depth}"
            comment = Comment(
                thread=thread,
                parent=parent,
                root_id=parent.root_id if parent else None,
                depth=depth,
                author=next(author_cycle),
                body=body,
                body_html=f"<p>{body}</p>",
            )
            if n == 0:  # the best: every voter and the viewer voted it up
                mine = [CommentVote(target=comment, user=voter, value=1) for voter in voters]
                if viewer is not None:
                    viewer_votes.append(CommentVote(target=comment, user=viewer, value=1))
            else:
                mine = [
                    CommentVote(target=comment, user=voter, value=-1 if n % 4 else 1)
                    for v, voter in enumerate(voters)
                    if (n + v) % 3 == 0
                ]
                if viewer is not None and n % 5 == 0:
                    viewer_votes.append(
                        CommentVote(target=comment, user=viewer, value=1 if n % 2 else -1)
                    )
            votes.extend(mine)
            rows.append(comment)
        levels.append(Comment.objects.bulk_create(rows))
        if depth == 0:
            Comment.objects.filter(pk__in=[c.pk for c in rows]).update(root=F("pk"))
            for comment in rows:
                comment.root_id = comment.pk
    Thread.objects.filter(pk=thread.pk).update(comment_count=count)

    # Counters equal to the vote rows, as vote_toggle keeps them.
    for vote in [*votes, *viewer_votes]:
        vote.target_id = vote.target.pk
    tallies: dict[int, list[int]] = {}
    for vote in [*votes, *viewer_votes]:
        tally = tallies.setdefault(vote.target_id, [0, 0])
        tally[0 if vote.value == 1 else 1] += 1
    CommentVote.objects.bulk_create([*votes, *viewer_votes])
    by_tally: dict[tuple[int, int], list[int]] = {}
    for pk, (up, down) in tallies.items():
        by_tally.setdefault((up, down), []).append(pk)
    for (up, down), pks in by_tally.items():
        Comment.objects.filter(pk__in=pks).update(
            upvotes=up, downvotes=down, score=wilson_lower_bound(up, down)
        )
    comments = [c for level in levels for c in level]
    assert all(c.pk for c in comments)
    return Built(best=levels[0][0], deepest=levels[-1][0], viewer_votes=viewer_votes)


@pytest.fixture
def people(make_member):
    """Authors, voters, and `viewer`: a member who voted on some comments."""
    authors = [make_member(f"author{i}") for i in range(5)]
    voters = [make_member(f"voter{i}") for i in range(4)]
    viewer = make_member("viewer")
    return authors, voters, viewer


def build_both(seed, people, count: int) -> dict[str, Built]:
    """A fresh discussion of `count` comments on the pair and on its remedy."""
    Thread.objects.all().delete()
    authors, voters, viewer = people
    return {
        "pair": build_discussion(
            seed, count, label="pair", authors=authors, voters=voters, viewer=viewer
        ),
        "remedy": build_discussion(
            seed.remedy, count, label="remedy", authors=authors, voters=voters, viewer=viewer
        ),
    }


def measure(client, url: str, budget: int, assert_max, **kwargs) -> tuple[int, str]:
    with assert_max(budget) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def count_queries(client, url: str, **kwargs) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def assert_shows(html: str, built: Built, *, more: bool) -> None:
    """The discussion is really on the page: its best comment, the deepest reply below
    it (flattened under the display cap), and "Load more" when there are more pages."""
    assert f'id="comment-{built.best.pk}"' in html
    assert f"<p>{built.best.body}</p>" in html
    assert f"<p>{built.deepest.body}</p>" in html
    assert ("Load more comments" in html) is more


def assert_viewer_votes_shown(html: str, built: Built) -> None:
    start = html.index(f'id="votes-comment-{built.best.pk}"')
    form = html[start : html.index("</form>", start)]
    assert 'value="up" class="vote-button vote-up" aria-pressed="true"' in form


def sign_in(client, people, signed_in: bool) -> User | None:
    if not signed_in:
        return None
    viewer = people[2]
    client.force_login(viewer)
    return viewer


# --- reading -------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_pair_page_query_count_is_the_same_for_10_and_1000_comments(
    client, seed, people, signed_in, django_assert_max_num_queries
):
    sign_in(client, people, signed_in)
    budget = PAIR_PAGE_QUERIES + (SIGNED_IN + OWN_REPORT if signed_in else 0)

    small = build_both(seed, people, 10)
    client.get(PAIR_URL)  # warm per-process caches (content types)
    small_count, small_html = measure(client, PAIR_URL, budget, django_assert_max_num_queries)
    large = build_both(seed, people, 1000)
    large_count, large_html = measure(client, PAIR_URL, budget, django_assert_max_num_queries)

    assert small_count == large_count
    assert_shows(small_html, small["pair"], more=False)
    assert_shows(large_html, large["pair"], more=True)
    for html, count in [(small_html, 10), (large_html, 1000)]:  # the remedy's: linked
        assert f'<a href="{REMEDY_URL}#discussion-remedy-{seed.remedy.pk}">' in html
        assert f"Read and join this discussion ({count} comments)" in html
    assert "in reply to" in large_html
    assert "1000 comments" in large_html
    if signed_in:
        assert_viewer_votes_shown(large_html, large["pair"])
    else:
        assert 'aria-pressed="true"' not in large_html


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_remedy_page_query_count_is_the_same_for_10_and_1000_comments(
    client, seed, people, signed_in, django_assert_max_num_queries
):
    sign_in(client, people, signed_in)
    budget = REMEDY_PAGE_QUERIES + (SIGNED_IN if signed_in else 0)

    small = build_both(seed, people, 10)
    client.get(REMEDY_URL)  # warm per-process caches (content types)
    small_count, small_html = measure(client, REMEDY_URL, budget, django_assert_max_num_queries)
    large = build_both(seed, people, 1000)
    large_count, large_html = measure(client, REMEDY_URL, budget, django_assert_max_num_queries)

    assert small_count == large_count
    assert_shows(small_html, small["remedy"], more=False)
    assert_shows(large_html, large["remedy"], more=True)
    assert large["pair"].best.body not in large_html  # only the remedy's own discussion
    if signed_in:
        assert_viewer_votes_shown(large_html, large["remedy"])


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_discussion_partial_query_count_is_the_same_for_10_and_1000_comments(
    client, seed, people, signed_in, django_assert_max_num_queries
):
    sign_in(client, people, signed_in)
    budget = PARTIAL_QUERIES + (SIGNED_IN if signed_in else 0)
    url = f"/discussions/remedies.pair/{seed.pk}/"

    small = build_both(seed, people, 10)
    client.get(url, headers=HTMX)  # warm per-process caches (content types)
    small_count, small_html = measure(
        client, url, budget, django_assert_max_num_queries, headers=HTMX
    )
    large = build_both(seed, people, 1000)
    large_count, large_html = measure(
        client, url, budget, django_assert_max_num_queries, headers=HTMX
    )

    assert small_count == large_count
    assert "<html" not in large_html
    assert_shows(small_html, small["pair"], more=False)
    assert_shows(large_html, large["pair"], more=True)
    assert large["remedy"].best.body not in large_html
    if signed_in:
        assert_viewer_votes_shown(large_html, large["pair"])


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_discussion_second_page_query_count_is_the_same_for_100_and_1000_comments(
    client, seed, people, signed_in, django_assert_max_num_queries
):
    # 10 comments have no second page; 100 have 30 top-level comments, so 10 on page 2.
    sign_in(client, people, signed_in)
    budget = PARTIAL_QUERIES + (SIGNED_IN if signed_in else 0)
    url = f"/discussions/remedies.pair/{seed.pk}/?page=2"

    build_both(seed, people, 100)
    client.get(url, headers=HTMX)  # warm per-process caches (content types)
    small_count, small_html = measure(
        client, url, budget, django_assert_max_num_queries, headers=HTMX
    )
    large = build_both(seed, people, 1000)
    large_count, large_html = measure(
        client, url, budget, django_assert_max_num_queries, headers=HTMX
    )

    assert small_count == large_count
    assert "<html" not in large_html
    assert small_html.count('<li class="comment"') > 10
    assert "Load more comments" not in small_html
    assert "Load more comments" in large_html and "page=3" in large_html
    assert f'id="comment-{large["pair"].best.pk}"' not in large_html  # that one is on page 1
    assert large_html.count('<ol class="replies"') > 20


def test_page_counts_do_not_depend_on_who_wrote_or_voted(
    client, seed, people, make_member, django_assert_max_num_queries
):
    """Fifty authors and voters cost what five do (no query per author or voter)."""
    authors, voters, viewer = people
    client.force_login(viewer)
    build_both(seed, people, 300)
    client.get(PAIR_URL)
    few, _ = count_queries(client, PAIR_URL)

    Thread.objects.all().delete()
    many_authors = [make_member() for _ in range(50)]
    many_voters = [make_member() for _ in range(20)]
    for target, label in [(seed, "pair"), (seed.remedy, "remedy")]:
        build_discussion(
            target, 300, label=label, authors=many_authors, voters=many_voters, viewer=viewer
        )
    many, html = count_queries(client, PAIR_URL)

    assert few == many == PAIR_PAGE_QUERIES + SIGNED_IN + OWN_REPORT
    assert html.count('class="author"') >= 40


# --- writing -------------------------------------------------------------------------

# Writes, counted as production runs them: sessions read from the shared cache (REDIS_URL
# sets the cached_db engine), and without the savepoints the test transaction adds.
# A vote on a comment: the member (with any suspension), the comment on a page the member
# may see, the comment locked with its counts, the member's vote row, the insert, update
# or delete, and one update of counts and score.
COMMENT_VOTE_QUERIES = 6
PAIR_VOTE_QUERIES = 6
# A comment: the member, the target, the thread, the insert, setting `root`, the count
# (updated and read back in one statement). A reply swaps setting `root` for locking
# its parent.
COMMENT_POST_QUERIES = 6
REPLY_POST_QUERIES = 6
HTMX_EXTRA = 0


def production_queries(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.fixture
def voter_client(client, make_member, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client.force_login(make_member("voter"))
    client.get("/")  # the session is now in the cache
    return client


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_comment_vote_post_costs_a_fixed_number_of_queries(
    voter_client, seed, make_comment, htmx, django_assert_max_num_queries
):
    comment = make_comment(seed)
    warm = make_comment(seed)
    url = f"/comments/{comment.pk}/vote/"
    headers = HTMX if htmx else {}
    voter_client.post(f"/comments/{warm.pk}/vote/", {"value": "up"})  # warm per-process caches

    # A first vote (insert), the other vote (switch), the same again (removal).
    for value, tally in [("up", (1, 0)), ("down", (0, 1)), ("down", (0, 0))]:
        with CaptureQueriesContext(connection) as queries:
            response = voter_client.post(url, {"value": value, "next": PAIR_URL}, headers=headers)

        assert response.status_code == (200 if htmx else 302)
        comment.refresh_from_db()
        assert (comment.upvotes, comment.downvotes) == tally
        assert len(production_queries(queries)) == COMMENT_VOTE_QUERIES, production_queries(queries)
        if htmx:
            assert f"{tally[0]} up • {tally[1]} down" in response.content.decode()
    assert not CommentVote.objects.filter(target=comment).exists()


def test_comment_vote_cost_does_not_depend_on_other_votes(
    voter_client, seed, make_comment, make_member
):
    quiet = make_comment(seed)
    busy = make_comment(seed)
    for _ in range(30):
        CommentVote.objects.create(target=busy, user=make_member(), value=1)
    voter_client.post(f"/comments/{quiet.pk}/vote/", {"value": "up"})  # warm caches

    with CaptureQueriesContext(connection) as on_busy:
        voter_client.post(f"/comments/{busy.pk}/vote/", {"value": "up"})
    with CaptureQueriesContext(connection) as again:
        voter_client.post(f"/comments/{quiet.pk}/vote/", {"value": "down"})

    assert (
        len(production_queries(on_busy)) == len(production_queries(again)) == COMMENT_VOTE_QUERIES
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_comment_post_costs_a_fixed_number_of_queries(
    voter_client, seed, make_comment, htmx, django_assert_max_num_queries
):
    make_comment(seed)  # the discussion exists already
    url = f"/discussions/remedies.pair/{seed.pk}/comments/"
    headers = HTMX if htmx else {}
    budget = COMMENT_POST_QUERIES + (HTMX_EXTRA if htmx else 0)

    with CaptureQueriesContext(connection) as queries:
        response = voter_client.post(url, {"body": "Counted *queries*"}, headers=headers)

    assert response.status_code == (200 if htmx else 302)
    assert Comment.objects.filter(body="Counted *queries*").exists()
    assert len(production_queries(queries)) == budget, production_queries(queries)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_reply_post_costs_a_fixed_number_of_queries(
    voter_client, seed, make_comment, htmx, django_assert_max_num_queries
):
    parent = make_comment(seed)
    for depth in range(5):
        parent = make_comment(seed, parent=parent, body=f"level {depth + 1}")
    url = f"/discussions/remedies.pair/{seed.pk}/comments/"
    headers = HTMX if htmx else {}
    budget = REPLY_POST_QUERIES + (HTMX_EXTRA if htmx else 0)

    with CaptureQueriesContext(connection) as queries:
        response = voter_client.post(
            url, {"body": "Deep reply", "parent": parent.pk}, headers=headers
        )

    assert response.status_code == (200 if htmx else 302)
    reply = Comment.objects.get(body="Deep reply")
    assert reply.parent == parent and reply.depth == 6
    assert len(production_queries(queries)) == budget, production_queries(queries)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_pair_vote_post_costs_a_fixed_number_of_queries(voter_client, seed, htmx):
    url = f"{PAIR_URL}vote/"
    voter_client.post(url, {"value": "up"})  # warm per-process caches
    voter_client.post(url, {"value": "up"})

    with CaptureQueriesContext(connection) as queries:
        response = voter_client.post(url, {"value": "down"}, headers=HTMX if htmx else {})

    assert response.status_code == (200 if htmx else 302)
    seed.refresh_from_db()
    assert (seed.upvotes, seed.downvotes) == (0, 1)
    assert len(production_queries(queries)) == PAIR_VOTE_QUERIES, production_queries(queries)
