"""Issue 11 goal 1 (one form) and goal 11's credit in two actions, counted in Chromium."""

from publication.models import Creator, Photo
from tests.browser.actions import CountedActions
from tests.browser.test_article_admin import EditorsAdminTestCase
from tests.factories import image_bytes, make_author


class PhotoCreditTests(EditorsAdminTestCase):
    def test_a_credit_name_is_typed_and_picked_or_created_in_two_actions(self):
        writer = make_author("Dimitrije Ostojic")
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/publication/photo/add/")
        page.set_input_files(
            "#id_image",
            {"name": "border.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")},
        )
        page.fill("#id_alt_text", "Soldiers at a border crossing")

        creator = CountedActions(page)
        creator.fill(page.locator("#id_creator"), "Dimitr")
        creator.click(page.get_by_role("option", name="Dimitrije Ostojic (author)"))
        source = CountedActions(page)
        source.fill(page.locator("#id_source"), "Shutterstock.com")
        source.click(page.get_by_role("option", name="Create “Shutterstock.com”"))
        page.wait_for_function("() => document.querySelector('#id_source-value').value !== ''")
        page.click("input[name=_save]")
        page.get_by_text("was added successfully").wait_for()

        self.assertEqual((creator.count, source.count), (2, 2))
        self.assertEqual(len(self.context.pages), 1)  # no popup window
        photo = Photo.objects.with_credit().get()
        self.assertEqual(photo.credit, "Dimitrije Ostojic / Shutterstock.com")
        self.assertEqual(photo.creator.author, writer)
        self.assertEqual(Creator.objects.count(), 2)

    def test_a_bad_name_shows_the_servers_reason_in_the_box(self):
        self.log_in(self.editor)
        page = self.page
        page.goto(self.live_server_url + "/admin/publication/photo/add/")
        page.fill("#id_source", "x" * 300)
        page.get_by_role("option", name="Create").click()
        page.get_by_text("Names may be at most 200 characters; this one has 300.").wait_for()
        self.assertFalse(Creator.objects.exists())
