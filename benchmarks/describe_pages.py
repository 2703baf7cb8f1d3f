"""Pick the benchmark's pages in the seeded database; print their URLs, queries and bytes.

Run by benchmarks/load.py with the benchmark's environment; prints one JSON line.
Pages are the busiest of their kind (the section, topic, author and creator with the
most articles or photos), so the figures are the worst case, not a lucky one.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles.models import Article  # noqa: E402
from publication.models import Author, Creator, Section  # noqa: E402


def candidate_urls() -> dict:
    article = (
        Article.objects.live()
        .filter(lead_photo__isnull=False, body_photos__isnull=False)
        .order_by("-published_at")
        .first()
    )
    section = Section.objects.annotate(n=Count("articles")).order_by("-n").first()
    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n").first()
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
    creator = Creator.objects.annotate(n=Count("photos")).order_by("-n").first()
    word = article.headline.split()[-1].strip("?")
    return {
        "ceiling": ["/bench/ceiling/"],
        "home": ["/"],
        "article": [article.get_absolute_url()],
        "section": [section.get_absolute_url()],
        "deep section page": [deep_page(section)],
        "topic": [f"/topic/{tag.slug}/"],
        "deep topic page": [deep_page(tag)],
        "author": [author.get_absolute_url()],
        "deep author page": [deep_page(author)],
        "creator": [creator.get_absolute_url()],
        # Built by another change; measured when it is there.
        "search": [f"/search/?q={word}"],
        "feed": ["/feed/", "/feeds/latest/", "/rss/"],
        "sitemap": ["/sitemap.xml"],
        "newsletter page": ["/newsletter/"],
    }


def deep_page(subject) -> str:
    """A section's, topic's or author's page about half-way back through its articles."""
    live = Article.objects.live().order_by("-published_at", "-pk")
    if isinstance(subject, Section):
        live, url = live.in_section(subject), subject.get_absolute_url()
    elif isinstance(subject, Tag):
        live, url = live.tagged(subject), f"/topic/{subject.slug}/"
    else:
        live, url = live.by_author(subject), subject.get_absolute_url()
    middle = live.count() // 2
    try:
        from publication.pagination import encode
    except ImportError:  # before keyset pagination: page numbers
        return f"{url}?page={max(1, middle // 12)}"
    return f"{url}?before={encode(live[middle], 'published_at')}"


def main():
    client = Client(HTTP_HOST="127.0.0.1")
    pages = {}
    for name, urls in candidate_urls().items():
        for url in urls:
            client.get(url)  # warm process-wide caches (content types)
            with CaptureQueriesContext(connection) as context:
                response = client.get(url)
            if response.status_code == 200:
                pages[name] = {
                    "url": url,
                    "queries": len(context.captured_queries),
                    "kib": round(len(response.content) / 1024, 1),
                }
                break
    pages["signup POST"] = {"url": "/newsletter/", "queries": "-", "kib": "-"}
    from newsletter.forms import form_token

    pages["_token"] = form_token()
    print(json.dumps(pages))


if __name__ == "__main__":
    main()
