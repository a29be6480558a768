"""Members as HTTP clients: each keeps its own cookies (session, CSRF) and signs in
through the real login form, as a browser does."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from requests.adapters import HTTPAdapter

PASSWORD = "reliability-passphrase-7"
TIMEOUT = 30  # seconds for one request; nginx gives up on an upstream after 60
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SourceAddressAdapter(HTTPAdapter):
    """Connect from a given loopback address (127.0.0.2, …), so nginx sees distinct
    clients; the traffic still only goes to 127.0.0.1."""

    def __init__(self, source_address: str, **kwargs):
        self.source_address = source_address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_address, 0)
        super().init_poolmanager(*args, **kwargs)


def http_session(source_address: str | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never a proxy from the environment: loopback only
    adapter = (
        SourceAddressAdapter(source_address, pool_maxsize=4)
        if source_address
        else HTTPAdapter(pool_maxsize=4)
    )
    session.mount("http://", adapter)
    return session


def csrf_from(html: str) -> str:
    found = CSRF_FIELD.search(html)
    if not found:
        raise AssertionError("no CSRF token in the page")
    return found.group(1)


@dataclass
class Member:
    base_url: str
    username: str
    user_id: int
    password: str = PASSWORD
    source_address: str | None = None

    def __post_init__(self):
        self.session = http_session(self.source_address)

    @property
    def csrf_token(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    def url(self, path: str, base_url: str | None = None) -> str:
        return (base_url or self.base_url) + path

    def login(self, base_url: str | None = None) -> requests.Response:
        """Sign in through /accounts/login/; raises unless the site redirects as after a
        successful login and sets a session cookie."""
        page = self.session.get(self.url("/accounts/login/", base_url), timeout=TIMEOUT)
        page.raise_for_status()
        response = self.session.post(
            self.url("/accounts/login/", base_url),
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": csrf_from(page.text),
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        if response.status_code != 302 or "sessionid" not in self.session.cookies:
            raise AssertionError(
                f"login of {self.username} failed: HTTP {response.status_code} "
                f"{response.text[:300]!r}"
            )
        return response

    def get(self, path: str, *, htmx: bool = False, base_url: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.session.get(self.url(path, base_url), headers=headers, **kwargs)

    def post(
        self,
        path: str,
        data: dict | None = None,
        *,
        htmx: bool = False,
        base_url: str | None = None,
        **kwargs,
    ) -> requests.Response:
        """A form post as the page sends it: the token in the form (and, as htmx does, in
        the X-CSRFToken header)."""
        headers = kwargs.pop("headers", {})
        token = self.csrf_token
        headers["X-CSRFToken"] = token
        if htmx:
            headers["HX-Request"] = "true"
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.session.post(
            self.url(path, base_url),
            data={"csrfmiddlewaretoken": token, **(data or {})},
            headers=headers,
            **kwargs,
        )

    def clone(self) -> Member:
        """The same signed-in member on a connection of its own (one per thread)."""
        twin = Member(self.base_url, self.username, self.user_id, self.password)
        twin.session.cookies.update(self.session.cookies)
        return twin

    def close(self) -> None:
        self.session.close()


def password_hash(password: str = PASSWORD) -> str:
    """The hash the site's default hasher stores (one hash, shared by every member the
    suite creates: the site pays for checking it at each login, as in production)."""
    return PBKDF2PasswordHasher().encode(password, "reliabilitysalt")


def create_members(
    connection: psycopg.Connection, prefix: str, count: int, base_url: str
) -> list[Member]:
    """Insert `count` active members named `<prefix>-<n>` (or fetch them if they exist)."""
    encoded = password_hash()
    names = [f"{prefix}-{n}" for n in range(1, count + 1)]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(
                """
                INSERT INTO auth_user (password, is_superuser, username, first_name,
                    last_name, email, is_staff, is_active, date_joined)
                VALUES (%s, false, %s, '', '', '', false, true, now())
                ON CONFLICT (username) DO NOTHING
                """,
                (encoded, name),
            )
        cursor.execute("SELECT username, id FROM auth_user WHERE username = ANY(%s)", (names,))
        ids = dict(cursor.fetchall())
    return [Member(base_url, name, ids[name]) for name in names]


def signup_started_token(base_url: str) -> str:
    """The signup form's timestamp token, old enough for its bot check (3 s)."""
    page = http_session().get(f"{base_url}/accounts/signup/", timeout=TIMEOUT)
    token = re.search(r'name="started" value="([^"]+)"', page.text).group(1)
    time.sleep(3.2)
    return token


def signup(
    base_url: str, username: str, started: str, *, source_address: str | None = None, **extra
) -> requests.Response:
    """Fill in the signup form as a new visitor (from `source_address`, if given)."""
    visitor = http_session(source_address)
    try:
        page = visitor.get(f"{base_url}/accounts/signup/", timeout=TIMEOUT)
        data = {
            "username": username,
            "email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "website": "",
            "started": started,
            "csrfmiddlewaretoken": csrf_from(page.text),
            **extra,
        }
        return visitor.post(
            f"{base_url}/accounts/signup/", data=data, allow_redirects=False, timeout=TIMEOUT
        )
    finally:
        visitor.close()


def host_of(url: str) -> str:
    return urlsplit(url).netloc


def wait_until(predicate, timeout: float, interval: float = 0.2) -> float | None:
    """Seconds until `predicate()` was true, or None if it never was within `timeout`."""
    begun = time.monotonic()
    while time.monotonic() - begun < timeout:
        try:
            if predicate():
                return time.monotonic() - begun
        except requests.RequestException:
            pass
        time.sleep(interval)
    return None
