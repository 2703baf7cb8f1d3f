"""Where an uncached public page spends its time: pyinstrument over many renders in-process.

    .venv/bin/python benchmarks/profile_pages.py [--size 1000] [--requests 200] [home article …]

Uses the load benchmark's database (bench_pages_<size>, seeded by `make bench`), DEBUG
off, the page cache off and fragment caches warm in per-process memory, through the whole
middleware and view stack with Django's test client. Prints ms per request and queries
per page, then pyinstrument's call tree (pip install pyinstrument; not a project
dependency). Fragment caches in memory skip Redis' round trip, so read the tree for
where Python spends its time, not for absolute figures.
"""

import argparse
import functools
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def record(queries, execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=["home", "article"])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    parser.add_argument(
        "--cprofile",
        action="store_true",
        help="cProfile on CPU time (this process only) instead of pyinstrument's wall clock",
    )
    options = parser.parse_args()

    from publication.db import embedded_database_url

    url = os.environ.get("DATABASE_URL") or embedded_database_url(BASE_DIR / "var" / "pgdata")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1:8000",
        DJANGO_PAGE_CACHE="false",
        DJANGO_REQUEST_LOG_LEVEL="WARNING",
        DJANGO_CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
        DATABASE_URL=urlunsplit(urlsplit(url)._replace(path=f"/bench_pages_{options.size}")),
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    sys.path.insert(0, str(BASE_DIR / "benchmarks"))
    from describe_pages import candidate_urls

    urls = {name: found[0] for name, found in candidate_urls().items()}
    client = Client(HTTP_HOST="127.0.0.1")
    for name in options.pages:
        page = urls[name]
        for _ in range(5):
            client.get(page)
        queries = []
        with connection.execute_wrapper(functools.partial(record, queries)):
            response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(options.requests):
            client.get(page)
        per_request = (time.perf_counter() - started) / options.requests * 1000
        cpu_per_request = (time.process_time() - cpu) / options.requests * 1000
        print(
            f"{name} {page}: {per_request:.2f} ms/request ({cpu_per_request:.2f} ms CPU here), "
            f"{len(queries)} queries, "
            f"{len(response.content) / 1024:.1f} KiB"
        )
        for sql in queries:
            print("   ", sql[:160])
        if options.no_profile:
            continue
        if options.cprofile:
            import cProfile
            import pstats

            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(options.requests):
                client.get(page)
            profile.disable()
            stats = pstats.Stats(profile).sort_stats("cumulative")
            stats.print_stats(60)
            stats.sort_stats("tottime").print_stats(30)
            continue
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(options.requests):
            client.get(page)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
