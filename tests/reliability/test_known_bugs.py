"""Application bugs the reliability suite found: fixed, and kept as tests so they stay
fixed. A bug found and not yet fixed goes here as @pytest.mark.xfail(strict=True,
reason="bug: …"); test_hostile_input.py's KNOWN_BUGS then keeps it from being counted
twice."""

import tomllib
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.test import RequestFactory

from tests.reliability import infra
from tests.reliability.members import signup, signup_started_token, wait_until
from tests.reliability.scenario import PAIR_PATH

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]


def test_redis_client_is_a_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dependency.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
             for dependency in project["dependencies"]}  # fmt: skip
    assert "redis" in names


def test_member_url_with_nul_byte_is_not_found(cluster, members):
    # Straight to an app server: nginx answers 400 itself to %00 in a path, other
    # proxies pass it on.
    response = members[0].get("/members/a%00b/", base_url=cluster.instances[0].url)
    assert response.status_code == 404


def test_discussion_page_beyond_the_database_range(cluster, members, site):
    response = members[2].get(
        f"/discussions/remedies.pair/{site.pair_id}/", params={"page": "9" * 20}
    )
    assert response.status_code == 200


def test_feed_with_control_characters_in_a_comment(cluster, members, site):
    member = members[0]
    thread = f"/discussions/remedies.pair/{site.pair_id}/"
    posted = member.post(
        f"{thread}comments/",
        {"body": "Took it with breakfast\x01 for a year.", "submission": str(uuid.uuid4())},
    )
    assert posted.status_code == 302  # accepted: nothing refuses the character
    feed = member.get(f"{thread}feed/")
    assert feed.status_code == 200


def test_vote_with_next_that_is_not_an_address(cluster, members):
    response = members[1].post(f"{PAIR_PATH}vote/", {"value": "up", "next": "abc"})
    assert response.status_code == 302


def test_signup_with_next_that_is_not_an_address(cluster):
    started = signup_started_token(cluster.url)
    response = signup(cluster.url, f"next-{uuid.uuid4().hex[:8]}", started, next="abc")
    assert response.status_code == 302


def test_health_check_with_another_probe_in_between(monkeypatch):
    """Another server's probe runs, whole, between this probe's write and its read."""
    from config import health

    class SharedCache:
        """The cache every app server shares; the first write lets the other probe in."""

        def __init__(self, cache):
            self.cache = cache
            self.other_probe = None  # None: not yet; then its result

        def set(self, *args, **kwargs):
            self.cache.set(*args, **kwargs)
            if self.other_probe is None:
                self.other_probe = False
                self.other_probe = health._cache_ok()

        def __getattr__(self, name):
            return getattr(self.cache, name)

    shared = SharedCache(health.cache)
    monkeypatch.setattr(health, "cache", shared)
    monkeypatch.setattr(health, "_database_ok", lambda: True)
    response = health.healthz(RequestFactory().get("/healthz/"))
    assert shared.other_probe is True
    assert response.status_code == 200


def _reply(member, site, parent: int, body: str):
    return member.post(
        f"/discussions/remedies.pair/{site.pair_id}/comments/",
        {"body": body, "parent": str(parent), "submission": str(uuid.uuid4())},
    )


def test_reply_while_a_reply_in_the_same_tree_commits(cluster, members, site):
    """The other reply is played in SQL, statement for statement as comment_create runs
    it, and held open until this reply waits; then it commits."""
    author = members[3]
    posted = author.post(
        f"/discussions/remedies.pair/{site.pair_id}/comments/",
        {"body": "A comment with replies", "submission": str(uuid.uuid4())},
    )
    top = int(posted.headers["Location"].rsplit("#comment-", 1)[1])
    child = int(_reply(author, site, top, "First reply").headers["Location"].rsplit("-", 1)[1])
    with infra.connect(site.database_url) as watcher:
        thread = watcher.execute(
            "SELECT thread_id FROM discussion_comment WHERE id = %s", (top,)
        ).fetchone()[0]
        other = psycopg.connect(site.database_url.replace("postgres://", "postgresql://", 1))
        other.execute(
            """
            INSERT INTO discussion_comment (thread_id, parent_id, root_id, depth, author_id,
                body, body_html, is_deleted, created_at, flag_count, moderation,
                moderation_reason, upvotes, downvotes, score)
            VALUES (%s, %s, %s, 2, %s, 'A reply to the reply', '<p>A reply to the reply</p>',
                false, now(), 0, '', '', 0, 0, 0)
            """,
            (thread, child, top, author.user_id),
        )
        other.execute(
            "UPDATE discussion_thread SET comment_count = comment_count + 1 WHERE id = %s",
            (thread,),
        )
        with ThreadPoolExecutor(max_workers=1) as pool:
            reply = pool.submit(_reply, members[4], site, top, "A second reply to the top")
            waited = wait_until(
                lambda: watcher.execute(
                    """
                    SELECT count(*) FROM pg_stat_activity WHERE datname = %s
                    AND wait_event_type = 'Lock' AND query LIKE 'UPDATE "discussion_thread"%%'
                    """,
                    (infra.database_name(site.database_url),),
                ).fetchone()[0],
                timeout=15,
            )
            assert waited is not None, "the reply never waited for the thread row"
            try:
                other.commit()
                committed = True
            except psycopg.errors.DeadlockDetected:
                committed = False
            finally:
                other.close()
            status = reply.result(timeout=60).status_code
    assert (committed, status) == (True, 302)
