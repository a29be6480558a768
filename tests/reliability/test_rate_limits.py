"""Rate limits hold across processes: the two gunicorn instances count in the same Redis.
The posts go straight to each instance in turn, so both do the counting."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.reliability.members import create_members
from tests.reliability.scenario import PAIR_PATH, toggle

pytestmark = pytest.mark.reliability

POSTS = 100
WINDOW = 60  # seconds: discussion/ratelimit.py counts in fixed windows of a minute


def within_one_window(needed: float = 20) -> None:
    """Start with at least `needed` seconds left in the current minute: a burst that
    crossed into the next window would rightly get a second allowance."""
    left = WINDOW - time.time() % WINDOW
    if left < needed:
        time.sleep(left + 0.5)


def burst(member, instances, path, data_for, count):
    """`count` posts from 4 threads, each to the instances in turn; (instance, status)."""

    def one(n):
        base = instances[n % len(instances)].url
        return n % len(instances), member.post(path, data_for(n), base_url=base).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, range(count)))


def test_comment_limit_holds_across_instances(limits_cluster, site, database):
    member = create_members(database, f"limited-{uuid.uuid4().hex[:6]}", 1, limits_cluster.url)[0]
    member.login()
    token = uuid.uuid4().hex[:12]
    path = f"/discussions/remedies.pair/{site.pair_id}/comments/"

    within_one_window()
    begun = time.monotonic()
    answers = burst(
        member,
        limits_cluster.instances,
        path,
        lambda n: {"body": f"Rate {token} {n}", "submission": str(uuid.uuid4())},
        POSTS,
    )
    elapsed = time.monotonic() - begun

    statuses = [status for _, status in answers]
    accepted = sum(1 for status in statuses if status in (200, 302))
    stored = database.execute(
        "SELECT count(*) FROM discussion_comment WHERE body LIKE %s", (f"Rate {token} %",)
    ).fetchone()[0]
    print(f"\n{POSTS} posts in {elapsed:.1f} s: {accepted} accepted, {stored} stored")
    assert elapsed < WINDOW
    assert accepted == stored == 10
    assert statuses.count(429) == POSTS - accepted
    # Both instances refused some: neither counted on its own.
    assert {instance for instance, status in answers if status == 429} == {0, 1}


def test_vote_limit_holds_across_instances(limits_cluster, site, database):
    member = create_members(database, f"voter-{uuid.uuid4().hex[:6]}", 1, limits_cluster.url)[0]
    member.login()
    within_one_window()
    answers = burst(
        member,
        limits_cluster.instances,
        f"{PAIR_PATH}vote/",
        lambda n: {"value": "up", "next": PAIR_PATH},
        POSTS,
    )
    statuses = [status for _, status in answers]
    accepted = statuses.count(302)
    assert accepted == 60  # RATE_LIMIT_VOTES' default: 60 a minute
    assert statuses.count(429) == POSTS - accepted
    # Up, up again (removed), up… : the stored vote is what the accepted ones leave.
    expected = 0
    for _ in range(accepted):
        expected = toggle(expected, 1)
    row = database.execute(
        "SELECT value FROM remedies_pairvote WHERE user_id = %s AND target_id = %s",
        (member.user_id, site.pair_id),
    ).fetchone()
    assert (row[0] if row else 0) == expected
