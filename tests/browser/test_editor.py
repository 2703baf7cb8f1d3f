import io
from importlib import import_module

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
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
        # An earlier TransactionTestCase may have flushed the group its migration made.
        editors_migration = import_module("articles.migrations.0002_editors_group")
        editors_migration.create_editors_group(django_apps, None)
        editor = User.objects.create_user("ed", password="a-long-test-password", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        self.page.goto(self.live_server_url + "/admin/login/")
        self.page.fill("#id_username", "ed")
        self.page.fill("#id_password", "a-long-test-password")
        self.page.click("input[type=submit]")
        self.page.wait_for_url("**/admin/")

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
