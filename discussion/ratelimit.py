"""Per-member rate limits kept in Django's cache (Redis when REDIS_URL is set, so the
counts hold across processes)."""

import time

from django.conf import settings
from django.core.cache import cache


def rate_limit_exceeded(*, user, action: str) -> bool:
    """Count one `action` by `user`; True once they went over the limit for this window."""
    limit, period = settings.RATE_LIMITS[action]
    return bucket_overflows(f"{action}:{user.pk}", limit=limit, period=period)


def bucket_overflows(bucket: str, *, limit: int, period: int) -> bool:
    """Count one hit in `bucket` (fixed windows of `period` seconds); True over `limit`."""
    window = int(time.time() // period)
    key = f"ratelimit:{bucket}:{window}"
    cache.add(key, 0, timeout=period * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period * 2)
        count = 1
    return count > limit
