"""Responsive images in Chromium: each image's `sizes` says the width the layout gives it.

A browser picks a rendition from `srcset` by `sizes` before it lays the page out, so a
`sizes` wider than the image's box downloads a file larger than needed, and a narrower one
a file too small (a blurred image on a sharp screen).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests.browser.test_teasers import BrowserTestCase
from tests.factories import (
    image_bytes,
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_site,
)

# Phones, tablets upright and sideways, laptops below and above the widest layout (74rem).
VIEWPORTS = (375, 600, 800, 1024, 1100, 1280, 1600)

# Each <img sizes>: the width its `sizes` gives at this viewport (the first entry whose
# media condition holds, measured as a CSS length) and the width it is laid out at.
SLOTS = """() => [...document.querySelectorAll('img[sizes]')].map(img => {
  let slot = null;
  for (const entry of img.sizes.split(/,(?![^(]*\\))/).map(part => part.trim())) {
    const match = entry.match(/^(\\([^)]*\\))\\s+(.+)$/);
    if (match && !matchMedia(match[1]).matches) continue;
    const probe = document.createElement('div');
    probe.style.cssText = 'position:absolute;visibility:hidden;width:' + (match ? match[2] : entry);
    document.body.append(probe);
    slot = probe.getBoundingClientRect().width;
    probe.remove();
    break;
  }
  const where = img.closest('[class]');
  return {where: where.className, sizes: img.sizes, slot, laid: img.getBoundingClientRect().width};
})"""


@override_settings(IMAGE_RENDITION_FORMATS=["webp"])  # the layout is the same for every format
class ImageSizesTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        make_site()
        self.creator = make_creator("Lena Marsh")

        colours = iter(range(0, 250, 10))

        def photo():
            # A different colour each: the library refuses the same image twice.
            large = image_bytes("PNG", size=(1600, 1000), color=(next(colours), 120, 90))
            made = make_photo(creator=self.creator, image=SimpleUploadedFile("large.png", large))
            made.make_renditions()
            return made

        portrait = photo()
        self.author = make_author("Ana Ruiz", photo=portrait)
        figure = photo()
        self.article = make_article(
            headline="The featured story",
            featured=True,
            authors=[self.author],
            lead_photo=photo(),
            body=f'<p>Text.</p><figure class="image"><img src="{figure.image.url}" alt="A port">'
            "</figure><p>More text.</p>",
        )
        for number in range(2):
            make_article(headline=f"Featured {number}", featured=True, lead_photo=photo())
        for number in range(4):
            make_article(headline=f"In the river {number}", lead_photo=photo())

    def test_every_image_asks_for_the_width_it_is_laid_out_at(self):
        pages = [
            "/",
            self.article.get_absolute_url(),
            self.article.section.get_absolute_url(),
            self.author.get_absolute_url(),
            self.creator.get_absolute_url(),
        ]
        for width in VIEWPORTS:
            self.page.set_viewport_size({"width": width, "height": 900})
            for url in pages:
                self.page.goto(self.live_server_url + url)
                slots = self.page.evaluate(SLOTS)
                self.assertTrue(slots, url)
                for slot in slots:
                    with self.subTest(width=width, url=url, where=slot["where"]):
                        # Within a pixel or two of rounding; a candidate is chosen from
                        # widths hundreds of pixels apart.
                        self.assertAlmostEqual(slot["slot"], slot["laid"], delta=3, msg=slot)
