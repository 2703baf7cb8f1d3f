"""What cleaning the article body again on every render costs.

    .venv/bin/python benchmarks/body_html.py [--repeat 2000]

The body is cleaned with nh3 on save and again in Article.body_html(), so a row written
past save() never renders raw. This times sanitize_html() alone and the whole
body_html() step (clean, then swap editor figures for our component) on a body of
about 1,000 words with links, emphasis, a quotation and two figures, like the
seed page's.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publication.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from articles.body import render_body  # noqa: E402
from publication.html import sanitize_html  # noqa: E402

PARAGRAPH = (
    "<p>Ministers met in Brussels on Tuesday to <a href='https://example.org/report'>weigh "
    "the report</a>, and the <em>mood</em> was <strong>tense</strong>: few expected the "
    "alliance to agree on shipping patrols before the winter, and fewer still on who pays "
    "for them, says one diplomat who asked not to be named.</p>"
)
FIGURE = (
    '<figure class="image"><img src="/media/photos/2026/11/{0}.jpg" alt="Delegates"'
    ' width="1200" height="800"><figcaption>Delegates arrive, {0}.</figcaption></figure>'
)
BODY = (
    PARAGRAPH * 10
    + FIGURE.format("a")
    + "<blockquote><p>We will hold the line.</p></blockquote>"
    + PARAGRAPH * 10
    + FIGURE.format("b")
    + "<h2>What comes next</h2>"
    + PARAGRAPH * 10
)


def per_call(function, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    repeat = parser.parse_args().repeat
    words = len(sanitize_html(BODY).split())
    print(f"body: {len(BODY) / 1024:.1f} KB, about {words} words, two figures")
    print(f"sanitize_html:            {per_call(lambda: sanitize_html(BODY), repeat):7.0f} µs")
    print(f"render_body alone:        {per_call(lambda: render_body(BODY, {}), repeat):7.0f} µs")
    both = per_call(lambda: render_body(sanitize_html(BODY), {}), repeat)
    print(f"sanitize + render_body:   {both:7.0f} µs")


if __name__ == "__main__":
    main()
