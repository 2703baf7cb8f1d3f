"""Read replica routing, on when DATABASE_REPLICA_URL is set (settings.py).

Only public page reads go to the replica: ReplicaMiddleware turns it on for GET and HEAD
requests outside the admin and the staff previews. Everything else stays on the primary:
writes, the admin, management commands and the job worker (they never pass through the
middleware), the database cache (rate limits must count exactly), and every read in a
request after its first write, so a request sees what it just wrote.
"""

import contextvars

_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)

REPLICA = "replica"
PRIMARY = "default"
# Paths whose GETs are for staff or read what was just written.
PRIMARY_PATHS = ("/admin/", "/preview/", "/share/", "/editor/")


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "django_cache":
            return PRIMARY
        return REPLICA if _replica_allowed.get() else PRIMARY

    def db_for_write(self, model, **hints):
        _replica_allowed.set(False)  # read-after-write: the rest of the request uses the primary
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public_read = request.method in {"GET", "HEAD"} and not request.path.startswith(
            PRIMARY_PATHS
        )
        token = _replica_allowed.set(public_read)
        try:
            return self.get_response(request)
        finally:
            _replica_allowed.reset(token)
