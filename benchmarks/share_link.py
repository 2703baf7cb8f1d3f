"""Simultaneous opens of one share link, as reviewers sent the same link open it.

    .venv/bin/python benchmarks/share_link.py [--size 1000] [--at-once 30] [--rounds 3]

Uses the load benchmark's database (bench_pages_<size>, seeded by `make bench`): saves its
newest article with a body image once more inside a revision (the link then shows that
version) and makes a share link to it, then starts gunicorn with 2 workers as `make bench`
does. Prints the median time of one open alone, and the total time of --at-once opens sent
together, --rounds times. With 2 workers the floor for the total is half the opens times
one open; opens that wait for each other (the revert's row locks did) take far longer.
Adds one revision and one share link to the database each run.
"""

import argparse
import concurrent.futures
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 (the load benchmark's database, settings and server)

MAKE_LINK = """
import reversion
from articles.models import Article, ShareLink
article = (
    Article.objects.filter(body__contains="<img").order_by("-pk").first()
    or Article.objects.order_by("-pk").first()
)
with reversion.create_revision():
    article.save()
link = ShareLink.objects.create(article=article, expires_at=ShareLink.expiry_after(1))
print(link.get_absolute_url())
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--at-once", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()

    database_url = load.bench_database(load.server_url(), f"bench_pages_{options.size}")
    load.prepare(database_url, options.size)
    env = load.base_env(database_url, page_cache=True)
    path = load.manage(env, "shell", "-c", MAKE_LINK, capture=True).strip().splitlines()[-1]
    url = load.ORIGIN + path

    def open_link(_):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=300) as response:
            response.read()
        return time.perf_counter() - started

    with load.Server(env, load.OUTPUT.parent / "server-share-link.log"):
        for _ in range(5):
            open_link(0)
        alone = statistics.median(open_link(0) for _ in range(10))
        print(f"one open alone: {alone * 1000:.0f} ms (median of 10)")
        for _ in range(options.rounds):
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(options.at_once) as pool:
                list(pool.map(open_link, range(options.at_once)))
            total = time.perf_counter() - started
            floor = alone * options.at_once / 2
            print(f"{options.at_once} at once: {total:.2f} s (2 workers' floor {floor:.2f} s)")


if __name__ == "__main__":
    main()
