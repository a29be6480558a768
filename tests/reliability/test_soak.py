"""`make soak`: the concurrency scenario for SOAK_SECONDS (default 300 there), with a
summary: requests, errors by status, writes acknowledged and found in the database."""

import os

import pytest

from tests.reliability.scenario import Workload, audit, summary, vote_snapshot

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.skipif(
        not os.environ.get("SOAK_SECONDS"), reason="the soak runs with `make soak` (SOAK_SECONDS)"
    ),
]


def test_soak(cluster, members, site, database):
    duration = float(os.environ["SOAK_SECONDS"])
    before = vote_snapshot(database, [m.user_id for m in members])
    workload = Workload(cluster.url, members, site.pair_id, duration, seed=7, max_per_member=10**6)

    report = workload.run()
    result = audit(database, report, before, workload.run_id)
    failed = report.server_errors()

    print("\n" + summary(report, result, f"soak, {len(members)} members, {duration:.0f} s"))
    for problem in result.problems[:20]:
        print(f"   !! {problem}")
    assert not failed, [(o.kind, o.label) for o in failed][:20]
    assert not [o for o in report.outcomes if o.login_redirect]
    assert result.problems == []
    assert result.found == result.acknowledged
