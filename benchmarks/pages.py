"""Public pages, rendered in-process: requests per second and queries per page.

    .venv/bin/python benchmarks/pages.py [--requests 200]

Runs against the development database with the demo content (`make demo`), with
DEBUG off as in production, through the whole middleware and view stack with Django's
test client, without a socket or a page cache: the baseline that page caching and the
load benchmark will be measured against.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publication.settings")
os.environ.update(
    DJANGO_DEBUG="false",
    DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", secrets.token_urlsafe(50)),
    DJANGO_ALLOWED_HOSTS="127.0.0.1",
    SITE_URL="http://127.0.0.1:8000",
    DJANGO_CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

# DEBUG off means hashed static file names, which come from collectstatic's manifest.
call_command("collectstatic", interactive=False, verbosity=0)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Article  # noqa: E402


def count_queries(client, url) -> int:
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(url)
    return len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()

    article = Article.objects.live().select_related("section", "kind").first()
    if article is None:
        sys.exit("No live articles: run `make demo` first.")
    author = article.bylines.select_related("author").first().author
    tag = article.tags.first()
    pages = {
        "home": "/",
        "article": article.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "kind": article.kind.get_absolute_url(),
        "author": author.get_absolute_url(),
        "topic": f"/topic/{tag.slug}/" if tag else "/",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'page':<8} {'req/s':>8} {'ms/req':>8} {'queries':>8} {'KiB':>6}")
    for name, url in pages.items():
        response = client.get(url)  # warm templates and connections
        assert response.status_code == 200, (url, response.status_code)
        queries = count_queries(client, url)
        started = time.perf_counter()
        for _ in range(options.requests):
            client.get(url)
        elapsed = time.perf_counter() - started
        per_request_ms = elapsed / options.requests * 1000
        print(
            f"{name:<8} {options.requests / elapsed:>8.0f} {per_request_ms:>8.2f}"
            f" {queries:>8} {len(response.content) / 1024:>6.1f}"
        )


if __name__ == "__main__":
    main()
