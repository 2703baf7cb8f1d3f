"""What /healthz checks: every configured database and the cache answer a read."""

import logging

from django.core.cache import caches
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


def health_problems() -> list[str]:
    problems = []
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            logger.exception("Health check: database %s does not answer", alias)
            problems.append(f"database {alias}")
    try:
        caches["default"].get("healthz")
    except Exception:
        # Each cache backend raises its own errors (redis, database, memcached).
        logger.exception("Health check: the cache does not answer")
        problems.append("cache")
    return problems
