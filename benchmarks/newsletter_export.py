"""Subscriber export at scale: rows per second and peak memory, 10,000 vs 1,000,000 rows.

    .venv/bin/python benchmarks/newsletter_export.py [--sizes 10000 1000000]

Runs against its own database, bench_newsletter, created (and migrated) on the same
PostgreSQL server as the project (DATABASE_URL, else the embedded server), so the
development data is never touched. Each export runs in a fresh subprocess whose
peak RSS is read with getrusage(), so one measurement cannot inflate the next:

- CLI: `export_subscribers --status all --output FILE`;
- HTTP: a staff user's POST to the admin export view, through the whole middleware
  and view stack (Django's test client, no socket), reading the streamed body.

The export must stay flat: peak RSS may not grow by more than 50 MB from 10,000 to
1,000,000 rows. Not part of `make test`.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "bench_newsletter"
MAX_GROWTH_MB = 50

CREATE_SUBSCRIBERS = """
INSERT INTO newsletter_subscriber
    (email, name, mailbox_key, status, source, signup_page, consent_text,
     signed_up_at, confirmed_at, unsubscribed_at, updated_at, resubscribe_name,
     resubscribe_source, resubscribe_page, resubscribe_consent_text)
SELECT 'reader' || i || '@example.com', 'Reader ' || i, 'reader' || i || '@example.com',
       CASE WHEN i %% 10 = 0 THEN 'unsubscribed' WHEN i %% 10 = 1 THEN 'pending'
            ELSE 'confirmed' END,
       CASE WHEN i %% 3 = 0 THEN 'newsletter page' ELSE 'footer' END,
       '/articles/a-story/', 'Send me the weekly round-up by email.',
       now() - make_interval(secs => i), now() - make_interval(secs => i) + interval '5 minutes',
       CASE WHEN i %% 10 = 0 THEN now() END, now(), '', '', '', ''
FROM generate_series(1, %s) AS i
"""


def bench_database_url() -> str:
    sys.path.insert(0, str(BASE_DIR))
    from publication.db import embedded_database_url

    url = os.environ.get("DATABASE_URL") or embedded_database_url(BASE_DIR / "var" / "pgdata")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publication.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def fill(count: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE newsletter_subscriber, newsletter_exportlog CASCADE")
        cursor.execute(CREATE_SUBSCRIBERS, [count])
        cursor.execute("ANALYZE newsletter_subscriber")


def child(mode: str) -> None:
    """Run one export in this process; print seconds, rows and peak RSS as JSON."""
    setup_django()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from newsletter.models import ExportLog

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "cli":
        with tempfile.NamedTemporaryFile(suffix=".csv") as output:
            call_command("export_subscribers", "--status", "all", "--output", output.name)
            size = Path(output.name).stat().st_size
    else:
        user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
            "bench", "bench@example.com", "bench"
        )
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        started = time.perf_counter()
        response = client.post(reverse("admin:newsletter_subscriber_export"))
        if not response.streaming:
            sys.exit(f"Export answered {response.status_code}, not a stream.")
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
    seconds = time.perf_counter() - started
    log = ExportLog.objects.latest("created_at")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": log.row_count,
                "bytes": size,
                "rss_start_mb": rss_before / 1024,
                "rss_peak_mb": peak / 1024,
            }
        )
    )


def measure(mode: str, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode],
        env=env,
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )
    if result.returncode:
        sys.exit(f"The {mode} export failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--child", choices=["cli", "http"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0

    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "true"}

    peaks: dict[str, list[float]] = {"cli": [], "http": []}
    # "at start": the process after Django is set up, before the export; the peak minus
    # it is what the export itself holds (a first run in a fresh checkout also compiles
    # the bytecode, which raises both).
    print(
        f"{'rows':>10} {'export':>6} {'seconds':>8} {'rows/s':>10} {'MB':>7} {'peak RSS':>9} "
        f"{'at start':>9}"
    )
    for size in args.sizes:
        started = time.perf_counter()
        fill(size)
        print(f"# {size:,} subscribers created in {time.perf_counter() - started:.1f} s")
        for mode in ("cli", "http"):
            figures = measure(mode, env)
            peaks[mode].append(figures["rss_peak_mb"])
            print(
                f"{figures['rows']:>10,} {mode:>6} {figures['seconds']:>8.2f} "
                f"{figures['rows'] / figures['seconds']:>10,.0f} "
                f"{figures['bytes'] / 1e6:>7.1f} {figures['rss_peak_mb']:>7.1f} MB "
                f"{figures['rss_start_mb']:>6.1f} MB"
            )
    failed = False
    for mode, values in peaks.items():
        growth = values[-1] - values[0]
        verdict = "ok" if growth <= MAX_GROWTH_MB else "TOO MUCH"
        failed |= growth > MAX_GROWTH_MB
        print(f"{mode}: peak RSS grew {growth:+.1f} MB from smallest to largest ({verdict})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
