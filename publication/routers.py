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
"""

import contextvars
import functools
import time

from django.conf import settings

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


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "django_cache":
            return PRIMARY
        return REPLICA if replica_allowed() else PRIMARY

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
