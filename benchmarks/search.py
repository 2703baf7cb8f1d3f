"""Search latency, single client: p50/p95 of a few typical queries per archive size.

    .venv/bin/python benchmarks/search.py [--sizes demo 20000] [--repeat 40]

Each size gets a database of its own (bench_search_<size>) on the project's PostgreSQL,
migrated and filled once: `load_demo` for "demo", `seed_benchmark --articles N`
otherwise (which ends with `reindex_search`). Each query is timed as the whole search
page (form, ranked results, snippets, template) through Django's test client with
DEBUG and the page cache off, after two warm-up requests, and as the ranking query
alone (`articles.search.ranked_ids`). "hits" is the exact number of live matches,
counted here only (the page shows "200+"). Prints one line per query, after the
uncached home page timed the same way as a yardstick for how loaded the machine is.
"CPU" is the mean CPU time a page took in this process and in its PostgreSQL backend
(read from /proc, so the database must run on this machine, as the embedded one does): on
a machine shared with other work it moves far less than the wall-clock percentiles.
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

# A headline word, a word in nearly every body (the worst case), an accent folded
# ("Brasília"), a phrase, an exclusion and an "or"; then with a filter, where the
# headline matches no longer fill the list and the body matches are walked (seed_benchmark
# has seven sections and five kinds).
QUERIES = [
    ("sanctions", {}),
    ("security", {}),
    ("brasilia", {}),
    ('"negotiated settlement"', {}),
    ("tehran -nuclear", {}),
    ("kyiv or warsaw", {}),
    ("sanctions", {"section": "asia"}),
    ('"negotiated settlement"', {"section": "asia"}),
    ('"negotiated settlement"', {"kind": "news"}),
]

TIMING = """
import functools, logging, operator, os, statistics, time
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from articles import search
from articles.forms import SearchForm
from articles.models import Article
from articles.views import SEARCH_RESULTS_LIMIT
logging.getLogger("publication.requests").setLevel(logging.WARNING)
client = Client(HTTP_HOST="127.0.0.1")
print(f"live articles: {Article.objects.live().count()}")
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    BACKEND = cursor.fetchone()[0]


def cpu_seconds() -> float:
    # CPU time of this process and of its PostgreSQL backend (same machine, /proc).
    fields = open(f"/proc/{BACKEND}/stat").read().rsplit(")", 1)[1].split()
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The home page, uncached, timed the same way: a yardstick for how loaded the machine is.
for _ in range(2):
    client.get("/")
home = []
cpu = cpu_seconds()
for _ in range(REPEAT):
    started = time.perf_counter()
    client.get("/")
    home.append((time.perf_counter() - started) * 1000)
cpu = (cpu_seconds() - cpu) / REPEAT * 1000
print(f"{'home page (yardstick)':40} {'':>6}       page p50 {statistics.median(home):6.1f} ms "
      f"p95 {statistics.quantiles(home, n=20)[-1]:6.1f} ms  CPU {cpu:5.1f} ms", flush=True)
for q, filters in QUERIES:
    params = {"q": q, **filters}
    for _ in range(2):
        client.get("/search/", params)
    times = []
    cpu = cpu_seconds()
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get("/search/", params)
        times.append((time.perf_counter() - started) * 1000)
    cpu = (cpu_seconds() - cpu) / REPEAT * 1000
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", params)
    data = QueryDict(mutable=True)
    data.update(params)
    form = SearchForm(data)
    parts = Article.objects.search_parts(**form.filters)
    hits = functools.reduce(operator.or_, parts).live().filter(search_vector=search.search_query(q))
    hits = hits.count()
    sql = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        search.ranked_ids(q, form.filters, limit=SEARCH_RESULTS_LIMIT)
        sql.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1]
    sql_p95 = statistics.quantiles(sql, n=20)[-1]
    label = " ".join([repr(q), *(f"{name}={value}" for name, value in filters.items())])
    print(f"{label:40} {hits:>6} hits  page p50 {statistics.median(times):6.1f} ms "
          f"p95 {p95:6.1f} ms  CPU {cpu:5.1f} ms  ranked ids p50 {statistics.median(sql):6.1f} ms "
          f"p95 {sql_p95:6.1f} ms  {len(queries)} queries", flush=True)
"""


def prepare(database_url: str, size: str) -> None:
    env = base_env(database_url, page_cache=False)
    if migrated_article_count(env):
        return
    if size == "demo":
        manage({**env, "DJANGO_DEBUG": "true"}, "load_demo")
    else:
        manage(env, "seed_benchmark", "--articles", size, "-v0")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=["demo", "20000"])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    for size in args.sizes:
        database_url = bench_database(server_url(), f"bench_search_{size}")
        prepare(database_url, size)
        print(f"\n== {size} ==", flush=True)
        code = f"QUERIES = {QUERIES!r}\nREPEAT = {args.repeat}\n" + TIMING
        manage(base_env(database_url, page_cache=False), "shell", "-c", code)


if __name__ == "__main__":
    os.chdir(BASE_DIR)
    main()
