"""Bytes a phone downloads for a page, with the originals and with renditions.

    make demo && .venv/bin/python manage.py make_renditions --now
    .venv/bin/python benchmarks/phone_bytes.py [--port 8105] [--path /]

Starts the development server with the demo content, opens the page in Chromium as a
375-pixel-wide phone at 2x density (no cache), and counts the bytes received: once for
what loads without scrolling, once after scrolling to the end (lazy images too). It
measures twice: with the photos' renditions hidden (pages then show the re-encoded
originals, as before renditions existed) and with them. The renditions are put back
afterwards, whatever happens.
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publication.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
# Playwright's sync API runs an event loop in this thread; our ORM calls stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from publication.models import Photo  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def measure(browser, url) -> dict[str, dict[str, int]]:
    """Bytes per resource type: on load, and after scrolling to the end."""
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    received: dict[str, int] = {}

    def on_finished(request):
        sizes = request.sizes()
        kind = request.resource_type
        received[kind] = received.get(kind, 0) + sizes["responseBodySize"]

    page.on("requestfinished", on_finished)
    page.goto(url, wait_until="networkidle")
    on_load = dict(received)
    height = page.evaluate("document.body.scrollHeight")
    for y in range(0, height + 667, 500):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(60)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    scrolled = dict(received)
    context.close()
    return {"on load": on_load, "scrolled to the end": scrolled}


def show(label, figures):
    for moment, by_type in figures.items():
        total = sum(by_type.values())
        images = by_type.get("image", 0)
        print(
            f"{label:<12} {moment:<20} total {total / 1024:>8.1f} KiB"
            f"   images {images / 1024:>8.1f} KiB   other {(total - images) / 1024:>6.1f} KiB"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--path", default="/")
    options = parser.parse_args()
    if not Photo.objects.filter(renditions_status=Photo.RenditionsStatus.READY).exists():
        sys.exit("No renditions: run `make demo` and `manage.py make_renditions --now` first.")

    url = f"http://127.0.0.1:{options.port}{options.path}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{options.port}", "--noreload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    saved = list(Photo.objects.values_list("pk", "renditions"))
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            Photo.objects.update(renditions={})
            before = measure(browser, url)
            for pk, renditions in saved:
                Photo.objects.filter(pk=pk).update(renditions=renditions)
            after = measure(browser, url)
            browser.close()
    finally:
        for pk, renditions in saved:
            Photo.objects.filter(pk=pk).update(renditions=renditions)
        server.terminate()
        server.wait()
    print(f"{url} as a 375 px phone at 2x, no cache")
    show("originals", before)
    show("renditions", after)


if __name__ == "__main__":
    main()
