"""Whole-page cache for anonymous readers, correct across processes.

A cached page records the versions of everything it shows and is served only while they
are all current; every write bumps the versions it affects (`bump`), so a page is never
served stale, by any process, as long as the cache is shared (Redis). The per-visitor
CSRF token is put back into each served page, so cached forms keep working.

On by default when REDIS_URL is set (PAGE_CACHE=0 turns it off; PAGE_CACHE=1 turns it on
with the local-memory cache, which is only correct with a single process).
"""

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
# Where pages carry the CSRF token: form fields, and htmx's header on <body>.
CSRF_TOKEN_IN_PAGE = re.compile(
    rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{32,64}(?=")'
)
PAGE_TIMEOUT = 24 * 3600
PAGE_FORMAT = "b2"  # change it when cached entries change shape: old ones are then ignored
VERSION_PREFIX = "v:"
GLOBAL = "global"  # editorial content
ACTIVITY = "activity"  # any comment, vote or report anywhere


def target_key(label: str, pk: int) -> str:
    """The version of one discussion target (its comments, votes, reports)."""
    return f"target:{label}:{pk}"


def bump(*names: str) -> None:
    """Something these versions cover changed: every page showing it gets a new key."""
    if not settings.PAGE_CACHE:
        return
    for name in names:
        key = VERSION_PREFIX + name
        try:
            cache.incr(key)
        except ValueError:  # first bump, or evicted: a value it never had before
            cache.add(key, _fresh_version(), timeout=None) or cache.incr(key)


def _fresh_version() -> int:
    """A starting value no earlier life of the cache is likely to have used: a version
    lost with Redis (restart, eviction) must not come back to an old value."""
    return secrets.randbits(62)


def _global_version() -> int:
    key = VERSION_PREFIX + GLOBAL
    version = cache.get(key)
    if version is None:
        cache.add(key, _fresh_version(), timeout=None)
        version = cache.get(key, 0)
    return version


def _page_key(request: HttpRequest) -> str:
    """One entry per address (and htmx or not); it records the versions it was made at."""
    htmx = request.headers.get("HX-Request", "")
    digest = hashlib.sha256(f"{request.get_full_path()}|{htmx}".encode()).hexdigest()
    return f"page:{PAGE_FORMAT}:{digest}"


@dataclass
class Lookup:
    names: list[str] | None  # the versions the page depends on; None: no such page
    stamp: tuple  # their current values
    entry: tuple | None  # (stamp, content type, body) as stored, if any


# Which versions each page depends on, remembered by this process as long as GLOBAL has
# not moved: that follows from what exists and links to what, which only editors change
# (and every editorial save bumps GLOBAL). So a hit reads GLOBAL, the page's versions and
# the page itself in one round trip to the cache, and costs no query.
_remembered_names: dict[str, tuple[int, list[str] | None]] = {}
REMEMBERED_PAGES = 10_000  # then start over: hostile URLs must not grow it for ever


def _lookup(view, version_names, request: HttpRequest, kwargs: dict) -> Lookup:
    arguments = "|".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    memo_key = f"{view.__module__}.{view.__qualname__}|{arguments}"
    global_key = VERSION_PREFIX + GLOBAL
    page_key = _page_key(request)

    def read(names: list[str] | None, *extra: str) -> tuple[Lookup, dict]:
        keys = [VERSION_PREFIX + n for n in names or ()]
        found = cache.get_many([*extra, *keys, page_key] if names else [*extra, *keys])
        lookup = Lookup(names, tuple(found.get(k, 0) for k in keys), found.get(page_key))
        return lookup, found

    remembered = _remembered_names.get(memo_key)
    if remembered is not None:
        global_version, names = remembered
        lookup, found = read(names, global_key)
        if found.get(global_key) == global_version:
            return lookup
    global_version = _global_version()  # before reading what it covers
    names = version_names(request, **kwargs)
    names = None if names is None else sorted(set(names) | {GLOBAL})
    if len(_remembered_names) >= REMEMBERED_PAGES:
        _remembered_names.clear()
    _remembered_names[memo_key] = (global_version, names)
    return read(names)[0]


def _cacheable(request: HttpRequest) -> bool:
    """Only anonymous, cookie-less (no session, no pending message) GETs."""
    return (
        settings.PAGE_CACHE
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def cache_anonymous_page(version_names: Callable[..., Iterable[str] | None]):
    """Serve the view from the page cache for anonymous readers.

    `version_names(request, **kwargs)` names the versions the page depends on (None: the
    page does not exist; let the view answer).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            lookup = _lookup(view, version_names, request, kwargs)
            if lookup.names is None:
                return view(request, *args, **kwargs)
            if lookup.entry is not None and lookup.entry[0] == lookup.stamp:
                _, content_type, body = lookup.entry  # bytes, as sent: no encoding per hit
                body = body.replace(CSRF_PLACEHOLDER, get_token(request).encode())
                response = HttpResponse(body, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                template = CSRF_TOKEN_IN_PAGE.sub(
                    lambda m: m.group(1) + CSRF_PLACEHOLDER, response.content
                )
                # The versions read before rendering: if a write moved one meanwhile,
                # the entry is already out of date and the next reader renders anew.
                entry = (lookup.stamp, response["Content-Type"], template)
                cache.set(_page_key(request), entry, PAGE_TIMEOUT)
                response["X-Page-Cache"] = "miss"
            return response

        return wrapper

    return decorator
