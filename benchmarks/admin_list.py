"""The admin article list (changelist), as a signed-in superuser sees it, per archive size.

    .venv/bin/python benchmarks/admin_list.py [--sizes 1000 20000] [--repeat 30]

Each size gets a database of its own (bench_admin_<size>) on the project's PostgreSQL,
migrated and seeded once with `seed_benchmark --articles N`. Each page is requested through
Django's test client (DEBUG off, page cache off) after two warm-up requests; the script
prints the median and p95 of the whole request, its ratio to the ceiling (the smallest
admin list, measured in the same run), the number of queries and the slowest of them, and
the EXPLAIN ANALYZE plan of the default list's query. It prints figures, asserts nothing.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load import (
    BASE_DIR,
    base_env,
    bench_database,
    manage,
    migrated_article_count,
    server_url,
)

# The ceiling: the smallest admin list (a handful of kinds) through the same middleware,
# admin chrome and login, measured in the same run; on a shared machine read the ratios.
# Then the article list in its default order, and what an editor does next: a status
# filter, a section filter, an author filter, a search (a word, and the start of one: the
# headline prefix index), and a later page.
PAGES = [
    ("ceiling (kinds)", "/admin/articles/kind/"),
    ("default order", "/admin/articles/article/"),
    ("status: live", "/admin/articles/article/?state=live"),
    ("section filter", "/admin/articles/article/?section__id__exact={section}"),
    ("author filter", "/admin/articles/article/?bylines__author__id__exact={author}"),
    ("search", "/admin/articles/article/?q=sanctions"),
    ("search start", "/admin/articles/article/?q=sanct"),
    ("page 20", "/admin/articles/article/?p=20"),
]

TIMING = """
import logging, statistics, time
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from articles.models import Article
from publication.models import Author, Section

# One JSON line per request would bury the table.
logging.getLogger("publication.requests").setLevel(logging.WARNING)
user, _ = User.objects.get_or_create(
    username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
)
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
section = Section.objects.order_by("pk").first().pk
author = Author.objects.order_by("pk").first().pk
print(f"articles: {Article.objects.count()}")
print(f"{'page':16} {'p50 ms':>8} {'p95 ms':>8} {'x ceiling':>10} {'queries':>8} "
      f"{'slowest SQL ms':>15}")
list_query = None
ceiling = None
for label, address in PAGES:
    url = address.format(section=section, author=author)
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
    median = statistics.median(times)
    ceiling = ceiling or median
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{label:16} {median:8.1f} {p95:8.1f} {median / ceiling:10.1f} {len(captured):8} "
          f"{float(slowest['time']) * 1000:15.1f}  {slowest['sql'][:60]}", flush=True)
    if label == "default order":
        list_query = next(
            q["sql"] for q in captured.captured_queries
            if q["sql"].startswith('SELECT "articles_article"."id"') and "LIMIT" in q["sql"]
        )

print("\\nThe default list's page of articles:\\n" + list_query[:200] + " …")
with connection.cursor() as cursor:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + list_query)
    print("\\n".join(row[0] for row in cursor.fetchall()))
"""


def prepare(database_url: str, size: int) -> None:
    env = base_env(database_url, page_cache=False)
    count = migrated_article_count(env)
    if count and count != size:
        sys.exit(f"bench_admin_{size} holds {count} articles; drop it and run again.")
    if not count:
        manage(env, "seed_benchmark", "--articles", str(size), "-v0")
    # Fresh planner statistics, as autovacuum would have them on a running site.
    analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
    manage(env, "shell", "-c", analyze)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 20000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    for size in args.sizes:
        database_url = bench_database(server_url(), f"bench_admin_{size}")
        prepare(database_url, size)
        print(f"\n== {size} articles ==", flush=True)
        code = f"PAGES = {PAGES!r}\nREPEAT = {args.repeat}\n" + TIMING
        manage(base_env(database_url, page_cache=False), "shell", "-c", code)


if __name__ == "__main__":
    os.chdir(BASE_DIR)
    main()
