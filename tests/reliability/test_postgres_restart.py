"""PostgreSQL restarts under load (the machine's cluster: this runs last, and leaves it
running): the app servers reconnect by themselves, without a restart of their own, and
keep every write they acknowledged."""

import subprocess
import time

import pytest
import requests

from tests.reliability import infra
from tests.reliability.conftest import seconds
from tests.reliability.scenario import Workload, audit, summary, vote_snapshot

pytestmark = pytest.mark.reliability

RESTART_AT = 3.0  # seconds into the run
# From PostgreSQL accepting connections again (the restart command returned) to every
# instance's /healthz answering 200: the app's own part. The probes queue behind the load.
RECOVERY_SECONDS = 15
GRACE = 1.0  # seconds after recovery for requests that began during the outage
# Fewer members than the concurrency test, with short pauses: writes keep coming, and
# the /healthz probes measure the app's recovery, not a queue behind saturated workers.
MEMBERS = 20
PAUSE = 0.1


def healthy(instance) -> bool:
    try:
        return requests.get(f"{instance.url}/healthz/", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_postgres_restart_mid_run(cluster, members, site):
    url = site.database_url
    pids = [instance.process.pid for instance in cluster.instances]
    with infra.connect(url) as connection:
        before = vote_snapshot(connection, [m.user_id for m in members])
    recovery: dict[str, float] = {}

    def restart():
        begun = time.monotonic()
        try:
            subprocess.run(
                infra.postgres_cluster_command("restart"), check=True, timeout=60,
                capture_output=True,
            )  # fmt: skip
            recovery["restarted"] = time.monotonic()
            deadline = begun + 60
            while time.monotonic() < deadline:
                if all(healthy(instance) for instance in cluster.instances):
                    recovery["healthy"] = time.monotonic()
                    return
                time.sleep(0.2)
        finally:
            recovery["begun"] = begun

    workload = Workload(
        cluster.url,
        members[:MEMBERS],
        site.pair_id,
        seconds("RELIABILITY_RESTART_SECONDS", 25),
        seed=3,
        pause=PAUSE,
    )
    try:
        report = workload.run(events=[(RESTART_AT, "restart PostgreSQL", restart)])
    finally:
        infra.ensure_postgres_up(url)  # whatever happened, the shared cluster runs again
    with infra.connect(url) as connection:
        result = audit(connection, report, before, workload.run_id)

    print(summary(report, result, "PostgreSQL restarted"))
    assert report.event_errors == {}
    assert "healthy" in recovery, "the app servers never answered /healthz with 200 again"
    took = recovery["healthy"] - recovery["restarted"]
    print(f"   restart took {recovery['restarted'] - recovery['begun']:.1f} s; "
          f"healthy again {took:.1f} s after PostgreSQL was back")  # fmt: skip
    assert took <= RECOVERY_SECONDS
    assert [instance.process.pid for instance in cluster.instances] == pids, "an app restarted"
    assert all(instance.alive for instance in cluster.instances)
    outage = (recovery["begun"], recovery["healthy"] + GRACE)
    failed = report.server_errors()
    # During the outage: "try again" (503 with Retry-After), never the 500 page.
    assert {o.status for o in failed} <= {503}, "not a 503 during the outage"
    late = [o for o in failed if o.started > outage[1]]
    assert [(o.kind, o.label) for o in late] == [], "failures after the app had recovered"
    after = [o for o in report.outcomes if o.started > outage[1]]
    assert after and all(o.acknowledged for o in after if o.is_write)
    assert not [o for o in report.outcomes if o.login_redirect], "a member was signed out"
    assert result.problems == []
    assert result.found == result.acknowledged
