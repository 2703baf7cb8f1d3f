"""Checks on a request that carries no session: who sent it (client IP), from which site
(Origin/Referer), and how often (rate limits in the shared cache)."""

import hashlib
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    # Behind a proxy, the last address in the header is the one our proxy added.
    value = request.META.get(settings.NEWSLETTER_CLIENT_IP_HEADER) or request.META.get(
        "REMOTE_ADDR", ""
    )
    return value.rsplit(",", 1)[-1].strip()


def rate_limit(scope: str, value: str, limit: tuple[int, int]) -> int:
    """Count one hit in a fixed window; return seconds to wait if over the limit, else 0."""
    allowed, period = limit
    now = int(time.time())
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"newsletter:rate:{scope}:{digest}:{now // period}"
    cache.add(key, 0, period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, period)
        count = 1
    if count <= allowed:
        return 0
    return period - now % period


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_same_origin(request) -> bool:
    """The POST came from a page of ours (Origin, or Referer where Origin is missing)."""
    allowed = {origin_of(request.build_absolute_uri("/")), origin_of(settings.SITE_URL)}
    if origin := request.headers.get("Origin"):
        return origin.lower() in allowed  # "null" (sandboxed, file://) is refused
    if referer := request.headers.get("Referer"):
        return origin_of(referer) in allowed
    return False


def referer_path(request) -> str:
    referer = request.headers.get("Referer", "")
    return urlsplit(referer).path[:500] if referer and is_same_origin(request) else ""
