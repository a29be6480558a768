"""50 members vote and comment at once through nginx and two gunicorn instances: no
5xx, and the database holds exactly what the site acknowledged."""

import pytest

from tests.reliability.conftest import seconds
from tests.reliability.scenario import Workload, audit, summary, vote_snapshot

pytestmark = pytest.mark.reliability


def test_fifty_members_voting_and_commenting(cluster, members, site, database):
    before = vote_snapshot(database, [m.user_id for m in members])
    workload = Workload(
        cluster.url, members, site.pair_id, seconds("RELIABILITY_SECONDS", 15), seed=1
    )

    report = workload.run()
    result = audit(database, report, before, workload.run_id)
    failed = report.server_errors()

    print(summary(report, result, f"{len(members)} members"))
    # A floor that a busy machine still clears (CI does several hundred).
    assert len(report.writes) >= 100, "too little load to mean anything"
    assert {o.kind for o in report.writes} == {"comment", "reply", "pair_vote", "comment_vote"}
    assert not failed, [(o.kind, o.label) for o in failed][:20]
    assert not [o for o in report.outcomes if o.login_redirect], "a member was signed out"
    assert not [o for o in report.writes if o.rejected], report.statuses()
    assert result.problems == []
    assert result.found == result.acknowledged == len(report.writes)
