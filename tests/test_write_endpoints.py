"""Every write is POST-only and CSRF-protected, for every URL the site has.

The URL patterns are enumerated (through every include; admin aside), each is filled in
with real ids (the seed pair, a member's own comment, another member's, a password-reset
token…), and a signed-in member's browser without a CSRF token (the test client with
enforce_csrf_checks) sends a plausible form to each: 403, and nothing in the database
changed. A GET changes nothing either. With the token, the same posts change data on
exactly the known write endpoints: a new write endpoint must be added below, and the
checks above cover it from then on.
"""

import hashlib
import re

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.forms import signup_started_token

SKIPPED = ("admin/", "static/")
PASSWORD = "a-long-passphrase-1"  # tests/conftest.py's make_member
# The endpoints whose valid post changes the database.
WRITERS = {
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_flag",
    "comment_vote",
    "experience_report",
    "login",
    "logout",
    "pair_vote",
    "password_change",
    "signup",
}


def _patterns(resolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


ROUTES = sorted({(route, name) for route, name in _patterns(get_resolver())
                 if not route.startswith(SKIPPED)})  # fmt: skip


@pytest.fixture
def world(seed, make_member, make_comment):
    member = make_member(email="member@example.com")
    other = make_member()
    return {
        "member": member,
        "pair": seed,
        "own_comment": make_comment(seed, author=member, body="My own comment"),
        "other_comment": make_comment(seed, author=other, body="Someone else's comment"),
    }


def fill(route: str, name: str, world: dict) -> str:
    """The route with real values in place of its parameters."""
    member, pair = world["member"], world["pair"]
    comment = world["other_comment"] if name == "comment_flag" else world["own_comment"]
    values = {
        "remedy_slug": pair.remedy.slug,
        "condition_slug": pair.condition.slug,
        "target_label": "remedies.pair",
        "target_id": pair.pk,
        "comment_id": comment.pk,
        "username": member.username,
        "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
        "token": default_token_generator.make_token(member),
    }

    def value(match: re.Match) -> str:
        parameter = match.group(1)
        if parameter not in values:
            pytest.fail(f"{route}: give test_write_endpoints a real value for <{parameter}>")
        return str(values[parameter])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def form(name: str, world: dict) -> dict:
    """A post each endpoint would accept, were the CSRF token there."""
    data = {
        "value": "up",
        "body": "A comment, changed",
        "reason": "other",
        "details": "Not about this remedy",
        "taken": "other",
        "other_form": "MK-7 softgel",
        "other_dose": "100 mcg",
        "weeks": "12",
        "outcome": "helped-a-little",
        "side_effects": "none",
        "text": "**Preview**",
        "email": "member@example.com",
        "next": "/",
    }
    if name == "login":
        data |= {"username": world["member"].username, "password": PASSWORD}
    elif name == "signup":
        data |= {
            "username": "newcomer",
            "email": "",
            "password1": "Another-long-passphrase-9",
            "password2": "Another-long-passphrase-9",
            "website": "",
            "started": signup_started_token(),
        }
    elif name == "password_change":
        data |= {
            "old_password": PASSWORD,
            "new_password1": "Another-long-passphrase-9",
            "new_password2": "Another-long-passphrase-9",
        }
    return data


def database_state() -> dict:
    """Row counts of every model, and a digest of every row (sessions: count only, as
    reading a page may rewrite the session's own data)."""
    state = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        rows = model._base_manager.order_by("pk")
        label = model._meta.label
        state[f"{label} rows"] = rows.count()
        if model is not Session:
            digest = hashlib.sha256(repr(list(rows.values_list())).encode()).hexdigest()
            state[f"{label} digest"] = digest
    return state


def changes(before: dict, after: dict) -> dict:
    return {key: (before[key], after.get(key)) for key in before if before[key] != after.get(key)}


@pytest.fixture
def browser_without_token(world) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["member"], backend="accounts.backends.MemberBackend")
    return client


def test_every_url_is_enumerated():
    names = {name for _, name in ROUTES}
    assert names >= WRITERS
    assert {"discussion_thread", "pair_detail", "healthz", "password_reset"} <= names
    assert not [route for route, _ in ROUTES if route.startswith("admin")]


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[route for route, _ in ROUTES])
def test_post_without_csrf_token_is_refused_and_changes_nothing(
    route, name, world, browser_without_token
):
    url = fill(route, name, world)
    before = database_state()

    response = browser_without_token.post(url, form(name, world))

    assert response.status_code == 403, (url, response.status_code)
    assert changes(before, database_state()) == {}


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[route for route, _ in ROUTES])
def test_get_changes_nothing(route, name, world, browser_without_token):
    url = fill(route, name, world)
    before = database_state()

    response = browser_without_token.get(url)

    assert response.status_code in {200, 302, 404, 405}, (url, response.status_code)
    if name in WRITERS - {"login", "signup", "password_change"}:
        # The write endpoints answer a GET with 405 or their form, never with a write.
        assert response.status_code in {200, 405}, (url, response.status_code)
    assert changes(before, database_state()) == {}


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[route for route, _ in ROUTES])
def test_with_the_token_only_the_known_endpoints_write(route, name, world):
    """The other half of the proof: the same posts, with the token, do write where a write
    is expected (so the 403 above is the CSRF check, not a form the view would refuse),
    and nowhere else."""
    client = Client()  # the test client's default: CSRF checks off, as with a valid token
    client.force_login(world["member"], backend="accounts.backends.MemberBackend")
    url = fill(route, name, world)
    before = database_state()

    response = client.post(url, form(name, world))

    assert response.status_code < 500, (url, response.status_code)
    changed = changes(before, database_state())
    assert bool(changed) == (name in WRITERS), (url, response.status_code, changed)
