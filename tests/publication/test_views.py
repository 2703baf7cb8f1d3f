from django.test import Client

from publication.models import Photo
from tests.factories import (
    TemporaryMediaTestCase,
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
