"""Read replica routing, on when DATABASE_REPLICA_URL is set (settings.py).

Only public page reads go to the replica: ReplicaMiddleware turns it on for GET and HEAD
requests outside the admin and the staff previews. Everything else stays on the primary:
writes, the admin, management commands and the job worker (they never pass through the
middleware), the database cache (rate limits must count exactly), and every read in a
request after its first write, so a request sees what it just wrote.

Reads right after a write in another request stay on the primary too:
- for DATABASE_REPLICA_LAG_SECONDS after any content change (the page cache's content
  version says when), every public read does. A page or fragment rendered then is cached
  under the new version until the next edit, so one rendered from a replica that had not
  yet replayed the edit would serve the old text for hours;
- views marked @reads_primary (a newsletter link opened moments after the signup wrote
  its subscriber) always do.

A replica that cannot be reached is skipped, not fatal: public reads go to the primary for
DATABASE_REPLICA_RETRY_SECONDS (per process), then the replica is tried again. The primary
can serve every read, so a replica outage must not take pages (or /healthz) down with it.
"""

import contextvars
import functools
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

# False: the primary. True: the replica. UNCHECKED: the replica unless content changed
# within the lag window, decided on the request's first read.
UNCHECKED = "unchecked"
_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)

REPLICA = "replica"
PRIMARY = "default"
# Paths whose GETs are for staff or read what was just written.
PRIMARY_PATHS = ("/admin/", "/preview/", "/share/", "/editor/")


def replica_allowed() -> bool:
    allowed = _replica_allowed.get()
    if allowed == UNCHECKED:
        # The version is read once per request anyway (the page cache reads it first).
        from publication.page_cache import request_version

        changed_at = request_version().changed_at
        allowed = time.time() - changed_at >= settings.DATABASE_REPLICA_LAG_SECONDS
        _replica_allowed.set(allowed)
    return allowed


# Until when (time.monotonic()) this process leaves the replica alone after failing to reach it.
_replica_down_until = 0.0


def replica_down() -> bool:
    return time.monotonic() < _replica_down_until


def mark_replica_down(error: Exception) -> None:
    """Send this process's reads to the primary for the back-off period; say so once."""
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    connections[REPLICA].close()
    logger.warning(
        "Read replica unreachable, reading from the primary for %s s: %s",
        settings.DATABASE_REPLICA_RETRY_SECONDS,
        str(error).strip(),
    )


def replica_usable() -> bool:
    """Connected to the replica, or able to connect now (within the connect timeout)."""
    if replica_down():
        return False
    connection = connections[REPLICA]
    try:
        # With CONN_HEALTH_CHECKS, a kept connection to a replica that went away is noticed
        # here (once per request) rather than failing the page's first query.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        mark_replica_down(error)
        return False
    return True


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "django_cache":
            return PRIMARY
        return REPLICA if replica_allowed() and replica_usable() else PRIMARY

    def db_for_write(self, model, **hints):
        _replica_allowed.set(False)  # read-after-write: the rest of the request uses the primary
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def reads_primary(view):
    """Mark a view whose reads must see writes made moments ago by another request."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _replica_allowed.set(False)
        try:
            return view(*args, **kwargs)
        finally:
            _replica_allowed.reset(token)

    wrapper.reads_primary = True
    return wrapper


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public_read = request.method in {"GET", "HEAD"} and not request.path.startswith(
            PRIMARY_PATHS
        )
        token = _replica_allowed.set(UNCHECKED if public_read else False)
        try:
            return self.get_response(request)
        finally:
            _replica_allowed.reset(token)
