"""Which PostgreSQL the project talks to: DATABASE_URL, else an embedded server under var/."""

import atexit
import datetime
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError


def database_from_url(url: str, *, conn_max_age: int = 60) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
    query = parse_qs(parts.query)
    host = unquote(parts.hostname or "") or query.pop("host", [""])[0]
    options = {key: values[-1] for key, values in query.items()}
    # Fail fast when the server is unreachable, so /healthz answers 503 within a probe's timeout.
    options.setdefault("connect_timeout", "5")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        # Lets several test runs share one server, e.g. TEST_DATABASE_NAME=test_mine.
        "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME") or None},
    }


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL 16 whose data lives in data_dir.

    pgserver keeps a list of the processes using the server, so runserver, the
    job worker and the test runner share one postmaster; the last one to exit
    stops it.
    """
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback is fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    # Registered after pgserver's own clean-up, so it runs first (atexit runs the last first).
    atexit.register(forget_ended_users, server)
    return server.get_uri()


def forget_ended_users(server) -> None:
    """Drop from pgserver's list of the processes using the server those that ended without
    leaving it (killed: SIGKILL, the OOM killer, a parent's kill). The last process to exit
    stops the server only when it is alone on that list, so one such process left the
    server running after everything else had stopped, in every later session too."""
    import psutil  # installed with pgserver

    with server._lock:
        users = server.global_process_id_list
        pids = users.get()
        running = [pid for pid in pids if psutil.pid_exists(pid)]
        if running != pids:
            users.put(running)


def database_from_env(base_dir: Path, *, conn_max_age: int = 60) -> dict:
    url = os.environ.get("DATABASE_URL") or embedded_database_url(base_dir / "var" / "pgdata")
    return database_from_url(url, conn_max_age=conn_max_age)


def hold_lock(key: str) -> None:
    """Wait for, then hold until the transaction ends, a PostgreSQL lock named key.

    The one way our code serialises writers that a unique constraint alone would turn
    into a 500 (two saves of one name, slug or mailbox at the same moment).
    """
    from django.db import connection  # settings import this module: no ORM at import

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def hold_unique_checks(model) -> None:
    """Until this transaction (e.g. the admin's save) commits, make anyone else checking
    for a duplicate of a row of model wait here, so their check sees this one's row."""
    from django.db import transaction

    if transaction.get_connection().in_atomic_block:
        hold_lock(f"unique-check:{model._meta.label_lower}")


# A row id as typed in an address or a form: ASCII digits. str.isdigit() also takes "²" and
# "①", which int() refuses, and an id past bigint makes PostgreSQL refuse the query.
TYPED_ID = re.compile(r"[0-9]{1,19}")
BIGINT_MAX = 2**63 - 1


def typed_id(value) -> int | None:
    """value as a row id (a BigAutoField's), or None when no row can have it."""
    if isinstance(value, str) and TYPED_ID.fullmatch(value):
        number = int(value)
        if 0 < number <= BIGINT_MAX:
            return number
    return None


def row_with_typed_id(queryset, value):
    """The row of queryset whose id value (from a request) names, or None: a value that is
    no id (typed, crafted or stale) finds nothing instead of raising."""
    pk = typed_id(value)
    return queryset.filter(pk=pk).first() if pk else None


# PostgreSQL stores moments before year 1 (BC) and after 9999, which Python's datetime
# cannot hold: a row saved with one could not be read back (every page showing it, a
# 500). "0001-01-01 00:00" typed in a zone east of UTC is such a moment. A day inside
# the limits, so that every zone can show it too.
EARLIEST_MOMENT = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
LATEST_MOMENT = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)


def validate_storable_moment(moment: datetime.datetime | None) -> None:
    if moment is not None and not EARLIEST_MOMENT <= moment <= LATEST_MOMENT:
        raise ValidationError("Give a date between the years 1 and 9999.", code="out_of_range")


# Compiling a statement once per process: building and compiling a queryset costs more
# Python than running it for the small, hot queries of a request (search's two, the
# signup's lookups). The queryset is compiled once with stand-ins, values no real
# request has; each becomes a named placeholder that the request's values fill.
PLACEHOLDER = re.compile(r"%%|%s|\bLIMIT (\d+)\b")


@dataclass(frozen=True)
class Statement:
    """SQL with named placeholders: the stand-ins' names, and constants the ORM made."""

    sql: str
    constants: dict

    def values(self, values: dict) -> dict:
        return {**self.constants, **values}


def statement(queryset, stand_ins: dict) -> Statement:
    """queryset's SQL, each stand-in's parameter (or LIMIT) named after it; stand_ins:
    {name: the value the queryset was built with}, each of which it must hold. One missing
    (the ORM wrote it otherwise) would leave the stand-in's value in the SQL, so it is an
    error, not a quiet query for something else."""
    sql, params = queryset.query.sql_with_params()
    names = {(type(value), value): name for name, value in stand_ins.items()}
    params, constants, named = iter(params), {}, set()

    def name(match):
        if match.group() == "%%":
            return "%%"
        if match.group(1) is not None:  # LIMIT, which the ORM writes as a number
            found = names.get((int, int(match.group(1))))
            named.add(found)
            return f"LIMIT %({found})s" if found else match.group()
        value = next(params)
        try:
            found = names.get((type(value), value))
        except TypeError:  # unhashable: a list (the rank's weights)
            found = None
        if found is None:
            found = f"constant{len(constants)}"
            constants[found] = value
        named.add(found)
        return f"%({found})s"

    sql = PLACEHOLDER.sub(name, sql)
    if missing := set(stand_ins) - named:
        raise ValueError(f"The compiled statement has no place for {sorted(missing)}.")
    return Statement(sql, constants)
