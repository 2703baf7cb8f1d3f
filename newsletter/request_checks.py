"""Checks on a request that carries no session: who sent it (client IP), from which site
(Origin/Referer), and how often (rate limits counted in the database)."""

import datetime
import hashlib
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.utils import timezone

from newsletter.models import RateCounter
from publication.security import client_ip  # one rule for the admin lockout and signups

__all__ = ["client_ip", "is_same_origin", "rate_limit", "referer_path"]


def rate_limit(scope: str, value: str, limit: tuple[int, int]) -> int:
    """Count one hit in a fixed window; return seconds to wait if over the limit, else 0.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING: concurrent hits are serialised by
    the row, so none reads a stale count, whatever cache the site is configured with.
    The first hit of a window also forgets the finished windows, in the same statement:
    every signup is a new mailbox's first hit, and a DELETE of its own (with its own
    transaction) was three more round trips and a commit on each.
    """
    allowed, period = limit
    now = int(time.time())
    window = now // period
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"{scope}:{period}:{digest}:{window}"
    expires_at = datetime.datetime.fromtimestamp((window + 1) * period, tz=datetime.UTC)
    table = RateCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH hit AS (
                INSERT INTO {table} (key, count, expires_at) VALUES (%s, 1, %s)
                ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1
                RETURNING count
            ), finished AS (
                DELETE FROM {table} WHERE expires_at < %s AND (SELECT count FROM hit) = 1
            )
            SELECT count FROM hit
            """,
            [key, expires_at, timezone.now()],
        )
        (count,) = cursor.fetchone()
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
