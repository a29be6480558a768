"""Production guarantees: headers, throttling, spam checks, health, errors, deploy check."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth.models import User
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from accounts.forms import signup_started_token
from config.errors import DatabaseUnavailableMiddleware, csrf_failure, server_error

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a-long-passphrase-1"


def signup_data(**overrides) -> dict:
    return {
        "started": signup_started_token(),
        "username": "newcomer",
        "email": "",
        "password1": "correct-horse-battery-9",
        "password2": "correct-horse-battery-9",
        "website": "",
        **overrides,
    }


def test_pages_carry_a_strict_content_security_policy(client, seed):
    response = client.get("/remedies/vitamin-k2/osteoporosis/")

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_htmx_runs_without_eval_or_injected_styles(client, db):
    html = client.get("/").content.decode()

    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html
    assert 'style="' not in html


def test_cookies_are_secure_and_http_only(client, make_member):
    make_member("cookie")
    response = client.post("/accounts/login/", {"username": "cookie", "password": PASSWORD})

    session = response.cookies["sessionid"]
    assert session["httponly"] and session["secure"]
    assert session["samesite"] == "Lax"


def test_signup_honeypot_refuses_bots(client, db):
    response = client.post("/accounts/signup/", signup_data(website="http://spam.example"))

    assert response.status_code == 200
    assert "looks automated" in response.content.decode()
    assert not User.objects.exists()


def test_signup_filled_too_fast_is_sent_back_once(client, db, settings):
    settings.SIGNUP_MIN_SECONDS = 2

    first = client.post("/accounts/signup/", signup_data())
    assert "That was very quick" in first.content.decode()
    assert not User.objects.exists()

    old_token = signup_started_token()
    time.sleep(2.1)
    second = client.post("/accounts/signup/", signup_data(started=old_token))
    assert second.status_code == 302
    assert User.objects.filter(username="newcomer").exists()


def test_signup_with_a_forged_timestamp_is_refused(client, db):
    response = client.post("/accounts/signup/", signup_data(started="signup:1:forged"))

    assert "expired" in response.content.decode()
    assert not User.objects.exists()


def test_signups_per_address_are_limited(client, db, settings):
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 2

    statuses = [
        client.post("/accounts/signup/", signup_data(username=f"member{i}")).status_code
        for i in range(4)
    ]

    assert statuses[:2] == [302, 302] and statuses[2:] == [429, 429]
    assert User.objects.count() == 2


def log_in(client, username, password, address):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_password_guessing_is_locked_per_account_and_address(client, make_member, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_member("target")

    statuses = [log_in(client, "target", "wrong", "10.0.0.1").status_code for _ in range(4)]
    right_password_same_address = log_in(client, "target", PASSWORD, "10.0.0.1")

    assert statuses[:2] == [200, 200] and statuses[3] == 429
    assert right_password_same_address.status_code == 429
    assert "Too many attempts" in right_password_same_address.content.decode()


def test_guessing_does_not_lock_the_member_out_from_elsewhere(client, make_member, settings):
    settings.AXES_FAILURE_LIMIT = 3
    make_member("target")
    for _ in range(5):
        log_in(client, "target", "wrong", "10.0.0.1")

    from_home = log_in(client, "target", PASSWORD, "192.0.2.7")

    assert from_home.status_code == 302


def log_in_through_proxy(client, username, password, forwarded_for):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.254",  # the proxy
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_guessing_locks_out_only_the_guesser(client, make_member, settings):
    settings.PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    make_member("target")
    guesses = [
        log_in_through_proxy(client, f"admin{n}", "wrong", "203.0.113.5").status_code
        for n in range(4)
    ]

    from_home = log_in_through_proxy(client, "target", PASSWORD, "192.0.2.7")

    assert guesses[-1] == 429
    assert from_home.status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_does_not_dodge_the_lockout(
    client, make_member, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    make_member("target")
    statuses = [
        log_in_through_proxy(client, "target", "wrong", f"198.51.100.{n}").status_code
        for n in range(4)
    ]

    assert statuses[-1] == 429


def test_behind_a_proxy_a_garbage_forwarded_for_falls_back_to_the_connection(
    client, make_member, settings
):
    settings.PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    make_member("target")
    statuses = [
        log_in_through_proxy(client, "target", "wrong", "not an address, <script>").status_code
        for _ in range(4)
    ]

    assert statuses == [200, 200, 429, 429]  # AXES_FAILURE_LIMIT: 3, by the proxy's address


def test_one_address_trying_many_accounts_is_locked(client, make_member, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for name in ["a1", "a2", "a3", "a4"]:
        make_member(name)

    statuses = [
        log_in(client, name, "wrong", "10.0.0.9").status_code for name in ["a1", "a2", "a3", "a4"]
    ]

    assert statuses[-1] == 429


def test_healthz_checks_database_and_cache(client, db):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_error_pages_leak_nothing(client, db):
    request = RequestFactory().get("/")
    page = server_error(request).content.decode()
    assert "Something went wrong" in page and "Traceback" not in page

    htmx = server_error(RequestFactory().get("/", HTTP_HX_REQUEST="true"))
    assert htmx.status_code == 500 and htmx["HX-Retarget"] == "#htmx-errors"

    expired = csrf_failure(RequestFactory().post("/"), reason="CSRF cookie not set.")
    assert expired.status_code == 403 and "CSRF cookie" not in expired.content.decode()

    missing = client.get("/remedies/<script>/")
    assert missing.status_code == 404 and "<script>" not in missing.content.decode()
    bad_host = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400 and "evil.example" not in bad_host.content.decode()


def test_a_lost_database_is_a_503_to_retry_not_a_500():
    """What readers get while PostgreSQL restarts (the whole path runs for real in
    tests/reliability/test_postgres_restart.py)."""
    lost = OperationalError("server closed the connection unexpectedly")
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())

    page = middleware.process_exception(RequestFactory().get("/"), lost)
    htmx = middleware.process_exception(RequestFactory().post("/", HTTP_HX_REQUEST="true"), lost)
    other = middleware.process_exception(RequestFactory().get("/"), ValueError("a bug"))

    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "try again" in page.content.decode() and "server closed" not in page.content.decode()
    assert htmx.status_code == 503 and htmx["HX-Retarget"] == "#htmx-errors"
    assert other is None  # a bug stays a 500, with its traceback in the log


def run_django(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    clean.pop("SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_django(
        {
            "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-" + "y" * 20,
            "ALLOWED_HOSTS": "remedies.example.org",
            "SECURE_SSL_REDIRECT": "1",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_PRELOAD": "1",
            "BEHIND_TLS_PROXY": "1",
            "DATABASE_URL": "sqlite:///:memory:",
        },
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_app_refuses_to_start_with_the_development_secret():
    result = run_django({"DEBUG": "0"}, "-c", "import config.wsgi")

    assert result.returncode != 0
    assert "Refusing to serve with DEBUG off and the development SECRET_KEY" in result.stderr
