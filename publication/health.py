"""What /healthz checks: the primary database and the cache answer a read.

A read replica is reported but never fails the check: the router reads from the primary
while the replica is unreachable (publication.routers), so this server can still serve
every page. Failing the check would take every app server out of the pool at once.
"""

import logging
from dataclasses import dataclass, field

from django.core.cache import caches
from django.db import DatabaseError, connections

from publication.routers import REPLICA, mark_replica_down, replica_down

logger = logging.getLogger(__name__)
REPLICA_DOWN = "database replica (reading from the primary)"


@dataclass
class Health:
    problems: list[str] = field(default_factory=list)  # this server cannot serve: 503
    degraded: list[str] = field(default_factory=list)  # it can, with less help: 200

    def text(self) -> str:
        lines = ["unavailable: " + ", ".join(self.problems) if self.problems else "ok"]
        if self.degraded:
            lines.append("degraded: " + ", ".join(self.degraded))
        return "\n".join(lines)


def check_health() -> Health:
    health = Health()
    for alias in connections:
        if alias == REPLICA and replica_down():
            # Trying again before the back-off ends would make every probe wait for the
            # connect timeout while the replica's host does not answer.
            health.degraded.append(REPLICA_DOWN)
            continue
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError as error:
            if alias == REPLICA:
                mark_replica_down(error)
                health.degraded.append(REPLICA_DOWN)
                continue
            logger.exception("Health check: database %s does not answer", alias)
            health.problems.append(f"database {alias}")
    try:
        caches["default"].get("healthz")
    except Exception:
        # Each cache backend raises its own errors (redis, database, memcached).
        logger.exception("Health check: the cache does not answer")
        health.problems.append("cache")
    return health
