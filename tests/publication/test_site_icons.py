"""The site's icons: at the root, where clients ask without reading a page; linked from
every page; in the web app manifest."""

import io
import re

from django.contrib.staticfiles import finders
from django.test import TestCase
from PIL import Image

from tests.factories import make_site


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def static_file(url: str) -> bytes:
    """The file a static URL points at (tests use the unhashed names)."""
    path = finders.find(url.removeprefix("/static/"))
    if path is None:
        raise AssertionError(f"No static file at {url}")
    with open(path, "rb") as file:
        return file.read()


class SiteIconTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site(name="The Meridian", tagline="Foreign policy, explained", language="en-gb")

    def test_root_icons_are_files_with_their_type_cached_and_cost_no_query(self):
        for url, content_type, size in [
            # Browsers and feed readers ask for it: it answered 404 with a whole page.
            ("/favicon.ico", "image/vnd.microsoft.icon", (48, 48)),
            ("/apple-touch-icon.png", "image/png", (180, 180)),
            ("/apple-touch-icon-precomposed.png", "image/png", (180, 180)),
        ]:
            with self.subTest(url):
                with self.assertNumQueries(0):
                    response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], content_type)
                self.assertEqual(response["Cache-Control"], "public, max-age=86400")
                self.assertEqual(image_size(response.content), size)
                again = self.client.get(url, headers={"if-none-match": response["ETag"]})
                self.assertEqual(again.status_code, 304)
        with Image.open(io.BytesIO(self.client.get("/favicon.ico").content)) as icon:
            self.assertEqual(icon.info["sizes"], {(16, 16), (32, 32), (48, 48)})
        self.assertEqual(self.client.head("/favicon.ico").status_code, 200)
        self.assertEqual(self.client.post("/favicon.ico").status_code, 405)

    def test_pages_link_the_icons_and_the_manifest(self):
        page = self.client.get("/").content.decode()
        links = dict(
            re.findall(r'<link rel="(icon|apple-touch-icon|manifest)" href="([^"]+)"', page)
        )
        self.assertEqual(image_size(static_file(links["apple-touch-icon"])), (180, 180))
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
        self.assertEqual(icons, ["/static/icons/favicon.ico", "/static/favicon.svg"])
        # The root's and the page's are one file.
        self.assertEqual(self.client.get("/favicon.ico").content, static_file(icons[0]))

        response = self.client.get(links["manifest"])
        self.assertEqual(response["Content-Type"], "application/manifest+json")
        manifest = response.json()
        self.assertEqual(manifest["name"], "The Meridian")
        self.assertEqual(manifest["description"], "Foreign policy, explained")
        self.assertEqual(manifest["lang"], "en-gb")
        self.assertEqual(manifest["start_url"], "/")
        for icon in manifest["icons"]:
            with self.subTest(icon=icon):
                width, height = map(int, icon["sizes"].split("x"))
                self.assertEqual(image_size(static_file(icon["src"])), (width, height))
        self.assertEqual(
            {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]},
            {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")},
        )
