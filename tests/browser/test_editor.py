import io

from PIL import Image

from publication.models import Photo
from tests.browser.test_teasers import BrowserTestCase


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "navy").save(buffer, "JPEG")
    return buffer.getvalue()


class ArticleEditorTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.sign_in_as_editor()

    def test_editor_has_no_raw_html_tools_and_uploads_images_as_photos(self):
        self.page.goto(self.live_server_url + "/admin/articles/article/add/")
        toolbar = self.page.locator(".ck-toolbar").first
        toolbar.wait_for()
        self.assertTrue(toolbar.get_by_role("button", name="Bold").is_visible())
        self.assertEqual(toolbar.get_by_role("button", name="Source").count(), 0)
        loaded = self.page.evaluate(
            "names => names.filter(n => Object.values(window.editors)[0].plugins.has(n))",
            ["SourceEditing", "GeneralHtmlSupport", "HtmlEmbed", "FullPage", "Bold"],
        )
        self.assertEqual(loaded, ["Bold"])

        self.page.locator(".ck-editor__editable").first.click()
        self.page.locator(".ck-toolbar input[type=file]").first.set_input_files(
            {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
        )
        image = self.page.locator(".ck-editor__editable img").first
        image.wait_for()
        self.page.wait_for_function(
            "() => document.querySelector('.ck-editor__editable img')?.src.includes('/media/')"
        )
        photo = Photo.objects.get()
        self.assertIn(photo.image.url, image.get_attribute("src"))
        self.assertNotIn("harbour", photo.image.name)
