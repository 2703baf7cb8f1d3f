import datetime

from django.test import Client

from articles.models import Article
from publication.models import Creator, Photo
from tests.factories import (
    TemporaryMediaTestCase,
    image_upload,
    make_article,
    make_creator,
    make_editor,
    make_photo,
    make_site,
    make_user,
)

UPLOAD_URL = "/editor/images/"


class CreatorPageTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.jane = make_creator("Jane Doe", website="https://jane.example/")
        cls.agency = make_creator("stockagency.example", kind=Creator.Kind.ORGANISATION)
        cls.by_jane = make_photo(alt_text="Harbour at dawn", creator=cls.jane, source=cls.agency)
        cls.from_agency = make_photo(alt_text="Crowd in the square", source=cls.agency)
        cls.unrelated = make_photo(alt_text="Someone else's photo", creator=make_creator())
        for photo in [cls.by_jane, cls.from_agency, cls.unrelated]:
            make_article(lead_photo=photo)

    def test_creator_page_lists_their_photos_with_credits(self):
        response = self.client.get(self.jane.get_absolute_url())
        self.assertContains(response, "<h1>Jane Doe</h1>", html=True)
        self.assertContains(
            response, '<a href="https://jane.example/" rel="noopener">https://jane.example/</a>'
        )
        self.assertContains(response, 'alt="Harbour at dawn"')
        self.assertContains(response, "Photo credit: ")
        self.assertNotContains(response, "Crowd in the square")
        self.assertNotContains(response, "Someone else")

    def test_agency_page_lists_the_photos_it_supplied(self):
        response = self.client.get(self.agency.get_absolute_url())
        self.assertContains(response, "Organisation")
        self.assertContains(response, 'alt="Harbour at dawn"')
        self.assertContains(response, 'alt="Crowd in the square"')

    def test_photos_readers_have_not_seen_are_not_listed(self):
        make_article(
            lead_photo=make_photo(alt_text="Embargoed portrait", creator=self.jane),
            status=Article.Status.DRAFT,
        )
        make_photo(alt_text="Uploaded but unused", creator=self.jane)
        make_article(
            lead_photo=make_photo(
                alt_text="Licence ran out",
                creator=self.jane,
                license_expires_on=datetime.date(2020, 1, 1),
            )
        )
        response = self.client.get(self.jane.get_absolute_url())
        self.assertContains(response, 'alt="Harbour at dawn"')
        for hidden in ["Embargoed portrait", "Uploaded but unused", "Licence ran out"]:
            self.assertNotContains(response, hidden)

    def test_creator_without_photos(self):
        response = self.client.get(make_creator("New Photographer").get_absolute_url())
        self.assertContains(response, "No photos yet.")

    def test_creator_page_query_budget(self):
        self.client.get(self.agency.get_absolute_url())
        # creator, photos (+creator, source); no count, and the chrome is cached
        with self.assertNumQueries(2):
            self.client.get(self.agency.get_absolute_url())
        for _ in range(3):
            make_article(lead_photo=make_photo(creator=make_creator(), source=self.agency))
        self.client.get(self.agency.get_absolute_url())
        with self.assertNumQueries(2):
            response = self.client.get(self.agency.get_absolute_url())
        self.assertContains(response, "<figure>", count=5)


class EditorUploadPermissionTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.editor = make_editor()

    def test_anonymous_upload_is_refused(self):
        response = self.client.post(UPLOAD_URL, {"upload": image_upload()})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json(), {"error": {"message": "You may not upload images."}})
        self.assertFalse(Photo.objects.exists())

    def test_staff_without_photo_permission_is_refused(self):
        self.client.force_login(make_user(is_staff=True))
        response = self.client.post(UPLOAD_URL, {"upload": image_upload()})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Photo.objects.exists())

    def test_user_with_the_permission_alone_may_upload(self):
        self.client.force_login(make_user(is_staff=True, perms=["publication.add_photo"]))
        response = self.client.post(UPLOAD_URL, {"upload": image_upload()})
        self.assertEqual(response.status_code, 200)

    def test_get_is_not_allowed(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(UPLOAD_URL).status_code, 405)

    def test_upload_without_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        response = client.post(UPLOAD_URL, {"upload": image_upload()})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Photo.objects.exists())

    def test_upload_with_the_editors_csrf_header_is_accepted(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        client.get("/admin/articles/article/add/")  # the editor page sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        response = client.post(
            UPLOAD_URL, {"upload": image_upload()}, headers={"X-CSRFToken": token}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["photo_id"], Photo.objects.get().pk)
