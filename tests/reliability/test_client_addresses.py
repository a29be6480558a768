"""Behind nginx (PROXY_COUNT=1) the site must tell clients apart by the address nginx saw,
not by nginx's own. Clients here connect from different loopback addresses (127.0.0.2,
127.0.0.3) to nginx on 127.0.0.1."""

import time
import uuid

import pytest

from tests.reliability import infra
from tests.reliability.members import (
    Member,
    create_members,
    http_session,
    signup,
    signup_started_token,
)

pytestmark = pytest.mark.reliability

ATTACKER, NEIGHBOUR = "127.0.0.2", "127.0.0.3"


def test_signup_limit_counts_each_client_address(limits_cluster):
    left = 3600 - time.time() % 3600  # the limit counts in fixed hours: stay in one
    if left < 30:
        time.sleep(left + 0.5)
    started = signup_started_token(limits_cluster.url)
    run = uuid.uuid4().hex[:6]
    statuses = [
        signup(limits_cluster.url, f"a{run}{n}", started, source_address=ATTACKER).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [429]  # SIGNUPS_PER_ADDRESS_PER_HOUR: 5
    other = signup(limits_cluster.url, f"b{run}", started, source_address=NEIGHBOUR)
    assert other.status_code == 302


@pytest.fixture
def fresh_lockouts(site):
    infra.manage(site.env(), "axes_reset")
    yield
    infra.manage(site.env(), "axes_reset")  # the lockout must not outlive the test


def test_password_guessing_locks_out_only_the_guesser(limits_cluster, database, fresh_lockouts):
    victim: Member = create_members(database, f"victim-{uuid.uuid4().hex[:6]}", 1, "")[0]
    guesser = http_session(ATTACKER)
    url = limits_cluster.url
    for attempt in range(10):  # AXES_FAILURE_LIMIT: 10
        page = guesser.get(f"{url}/accounts/login/", timeout=30)
        token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        guesser.post(
            f"{url}/accounts/login/",
            data={"username": f"admin{attempt}", "password": "guess", "csrfmiddlewaretoken": token},
            timeout=30,
        )
    guesser.close()
    victim.base_url = url
    victim.session = http_session(NEIGHBOUR)
    victim.login()  # raises when the site answers 429 instead of signing in
