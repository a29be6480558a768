"""The reliability suite: the site served as in production (gunicorn × 2 behind nginx,
PostgreSQL, Redis), under concurrent members, failures and hostile input.

It is skipped unless RUN_RELIABILITY=1: `make test-reliability` sets it, installs nginx
if missing and points DATABASE_URL at PostgreSQL (default database remedy_reliability,
dropped and created anew by the suite). Its fixtures start and stop every process.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUN = os.environ.get("RUN_RELIABILITY") == "1"
SKIP_REASON = (
    "reliability suite (served site under load and failures): run it with "
    "`make test-reliability` (sets RUN_RELIABILITY=1; needs PostgreSQL, Redis and nginx)"
)
# The PostgreSQL restart disturbs everything on the machine's cluster: it runs last.
LAST_MODULES = ("test_postgres_restart.py",)
MEMBER_COUNT = 50


def seconds(name: str, default: float) -> float:
    """A test's duration, from the environment (CI keeps the defaults: short)."""
    return float(os.environ.get(name, default))


def pytest_collection_modifyitems(config, items):
    ours = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    for item in ours:
        item.add_marker(pytest.mark.reliability)
        if not RUN:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))
    if RUN:
        last = [item for item in ours if item.path.name in LAST_MODULES]
        items[:] = [item for item in items if item not in last] + last


@dataclass
class Site:
    """The freshly built database and everything the servers need to serve it."""

    database_url: str
    static_root: Path
    secret_key: str
    workdir: Path
    pair_id: int
    remedy_id: int

    def env(self, **overrides) -> dict:
        from tests.reliability import infra

        return infra.server_environment(
            url=self.database_url,
            static_root=self.static_root,
            secret_key=self.secret_key,
            **overrides,
        )


# Limits raised so the load itself is never refused (the rate-limit test has its own).
HIGH_LIMITS = {
    "RATE_LIMIT_COMMENTS": 1_000_000,
    "RATE_LIMIT_VOTES": 1_000_000,
    "SIGNUPS_PER_ADDRESS_PER_HOUR": 1_000_000,
    "AXES_FAILURE_LIMIT": 1_000_000,
}


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    from tests.reliability import infra

    url = infra.database_url()
    problem = infra.database_problem(url)
    if problem:
        pytest.fail(f"{problem}; e.g. {infra.DEFAULT_DATABASE_URL}")
    from django.conf import settings

    if settings.CACHES["default"].get("LOCATION") == infra.REDIS_URL:
        # tests/conftest.py clears the test process's cache around every test: that must
        # not be the servers' Redis database (their sessions and rate limits).
        pytest.fail(f"unset REDIS_URL for the test process (the servers use {infra.REDIS_URL})")
    infra.ensure_postgres_up(url)
    workdir = tmp_path_factory.mktemp("reliability")
    static_root = workdir / "static"
    site = Site(url, static_root, infra.new_secret_key(), workdir, 0, 0)
    env = site.env()
    infra.recreate_database(url)
    infra.flush_redis()
    infra.manage(env, "migrate", "--noinput", "-v0")
    infra.manage(env, "load_seed")
    infra.manage(env, "collectstatic", "--noinput", "-v0")
    with infra.connect(url) as connection:
        site.pair_id, site.remedy_id = connection.execute(
            """
            SELECT p.id, r.id FROM remedies_pair p
            JOIN remedies_remedy r ON r.id = p.remedy_id
            JOIN conditions_condition c ON c.id = p.condition_id
            WHERE r.slug = 'vitamin-k2' AND c.slug = 'osteoporosis'
            """
        ).fetchone()
    return site


@pytest.fixture(scope="session")
def _cluster(site):
    from tests.reliability import infra

    cluster = infra.Cluster("main", site.env(**HIGH_LIMITS), site.workdir / "main")
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def cluster(_cluster):
    """Two gunicorn instances behind nginx, both running (a test may have killed one)."""
    _cluster.ensure_running()
    return _cluster


@pytest.fixture
def database(site):
    from tests.reliability import infra

    connection = infra.connect(site.database_url)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def members(site, _cluster):
    """50 members, each signed in through the login form over HTTP (sessions in Redis)."""
    from tests.reliability import infra
    from tests.reliability.members import create_members

    with infra.connect(site.database_url) as connection:
        members = create_members(connection, "member", MEMBER_COUNT, _cluster.url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda m: m.login(), members))
    yield members
    for member in members:
        member.close()


@pytest.fixture(scope="session")
def limits_cluster(site, _cluster):
    """Another pair of instances behind their own nginx, with the production defaults for
    every limit but the comment rate, set to 10 a minute."""
    from tests.reliability import infra

    cluster = infra.Cluster("limits", site.env(RATE_LIMIT_COMMENTS=10), site.workdir / "limits")
    cluster.start()
    yield cluster
    cluster.stop()
