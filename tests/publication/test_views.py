import datetime

from django.test import Client
from django.utils import timezone

from publication.models import Photo
from tests.factories import (
    EditorSignedIn,
    TemporaryMediaTestCase,
    image_bytes,
    image_upload,
    make_editor,
    make_site,
    make_user,
)

UPLOAD_URL = "/editor/images/"


class EditorUploadPermissionTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.editor = make_editor()

    def test_anonymous_upload_is_refused(self):
        response = self.client.post(UPLOAD_URL, {"upload": image_upload()})
        self.assertEqual(response.status_code, 403)
        self.assertIn("You were signed out", response.json()["error"]["message"])
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


class WithdrawnImageUploadTests(EditorSignedIn, TemporaryMediaTestCase):
    """The image of a withdrawn photo uploaded again: refused, naming the photo and what
    to do, never handed back (the new figure would vanish from the page at once)."""

    def setUp(self):
        super().setUp()
        first = self.client.post(UPLOAD_URL, {"upload": image_upload(content=self.content())})
        self.photo = Photo.objects.get(pk=first.json()["photo_id"])
        self.photo.alt_text = "Harbour at dawn"
        self.photo.license_expires_on = datetime.date(2020, 3, 31)
        self.photo.save()

    def content(self):
        return image_bytes("JPEG", size=(30, 20), color="navy")

    def test_the_editor_upload_refuses_it_with_the_photo_and_its_licence_date(self):
        response = self.client.post(UPLOAD_URL, {"upload": image_upload(content=self.content())})
        self.assertEqual(response.status_code, 409)
        message = response.json()["error"]["message"]
        self.assertIn(f"“Harbour at dawn” (photo {self.photo.pk})", message)
        self.assertIn("its licence expired on 31 March 2020", message)
        self.assertIn("If its licence was renewed, enter the new end date on that photo", message)
        self.assertEqual(Photo.objects.count(), 1)

    def test_after_the_licence_is_renewed_the_upload_uses_the_photo_again(self):
        self.photo.license_expires_on = timezone.localdate() + datetime.timedelta(days=30)
        self.photo.save()
        response = self.client.post(UPLOAD_URL, {"upload": image_upload(content=self.content())})
        self.assertEqual(response.json()["photo_id"], self.photo.pk)

    def test_adding_it_in_the_photo_admin_names_the_photo_with_a_link(self):
        self.client.force_login(make_user(is_staff=True, is_superuser=True))
        response = self.client.post(
            "/admin/publication/photo/add/",
            {
                "image": image_upload(content=self.content()),
                "alt_text": "Again",
                "credit_type": "photo",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "its licence expired on 31 March 2020")
        self.assertContains(
            response, f'<a href="/admin/publication/photo/{self.photo.pk}/change/">Open photo'
        )
        self.assertEqual(Photo.objects.count(), 1)
