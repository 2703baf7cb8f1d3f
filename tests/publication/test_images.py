"""Every uploaded image, from the admin or the editor, is decoded, checked and re-encoded."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from publication.models import Photo
from tests.factories import (
    EPS_BYTES,
    TemporaryMediaTestCase,
    exif_jpeg_bytes,
    image_bytes,
    image_upload,
    make_editor,
    make_site,
    mpo_bytes,
    png_bomb_bytes,
    rotated_jpeg_bytes,
    truncated_jpeg_bytes,
)

NOT_AN_IMAGE = "Upload a JPEG, PNG, GIF or WebP image; this file is not one."
DAMAGED = "This image is damaged or incomplete and cannot be read."
TOO_MANY_PIXELS = "This image has more pixels than we accept."
APPENDED = b"<?php system($_GET['c']); ?><script>alert(1)</script>"
SERVER_NAME = re.compile(r"^photos/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png)$")


def hostile_uploads():
    """Each case: (upload, message the editor sees, settings to apply)."""
    return {
        "text file named .jpg": (
            SimpleUploadedFile("notes.jpg", b"Just some text, not a JPEG.", "image/jpeg"),
            NOT_AN_IMAGE,
            {},
        ),
        "truncated JPEG": (image_upload(content=truncated_jpeg_bytes()), DAMAGED, {}),
        "PNG declaring 20000x20000 pixels": (
            image_upload("bomb.png", png_bomb_bytes(), "image/png"),
            TOO_MANY_PIXELS,
            {},
        ),
        "more pixels than the setting allows": (
            image_upload(content=image_bytes(size=(20, 20))),
            "This image is 20×20 pixels, more than we accept.",
            {"IMAGE_UPLOAD_MAX_PIXELS": 399},
        ),
        "larger than the size limit": (
            image_upload(content=image_bytes(size=(20, 20))),
            "images may be at most 100",
            {"IMAGE_UPLOAD_MAX_BYTES": 100},
        ),
        "EPS file": (
            SimpleUploadedFile("figure.eps", EPS_BYTES, "application/postscript"),
            NOT_AN_IMAGE,
            {},
        ),
        "EPS file named .jpg": (image_upload("figure.jpg", EPS_BYTES), NOT_AN_IMAGE, {}),
        "SVG with a script": (
            SimpleUploadedFile(
                "logo.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                "image/svg+xml",
            ),
            NOT_AN_IMAGE,
            {},
        ),
    }


class UploadChecks:
    """The checks every upload path gets; subclasses say how to upload and what an error is."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.editor = make_editor()

    def setUp(self):
        self.client.force_login(self.editor)

    def stored_photo(self, upload):
        response = self.upload(upload)
        self.assertLess(response.status_code, 400)
        photo = Photo.objects.get()
        with photo.image.open("rb") as stored:
            return photo, stored.read()

    def test_hostile_uploads_are_rejected_and_nothing_is_stored(self):
        for case, (upload, message, limits) in hostile_uploads().items():
            with self.subTest(case), override_settings(**limits):
                files_before = self.stored_files()
                response = self.upload(upload)
                self.assertRejected(response, message)
                self.assertFalse(Photo.objects.exists())
                self.assertEqual(self.stored_files(), files_before)

    def test_file_name_is_made_by_the_server(self):
        photo, _ = self.stored_photo(image_upload("../../holiday snap<script>.jpg"))
        self.assertRegex(photo.image.name, SERVER_NAME)
        self.assertNotIn("holiday", photo.image.name)

    def test_format_comes_from_the_content_not_the_name(self):
        photo, data = self.stored_photo(image_upload("photo.jpg", image_bytes("PNG")))
        self.assertTrue(photo.image.name.endswith(".png"))
        self.assertEqual(Image.open(io.BytesIO(data)).format, "PNG")

    def test_exif_metadata_is_removed(self):
        upload = image_upload(content=exif_jpeg_bytes(camera="SecretCam 3000"))
        _, data = self.stored_photo(upload)
        self.assertNotIn(b"SecretCam", data)
        self.assertNotIn(b"Jane Photographer", data)
        self.assertEqual(dict(Image.open(io.BytesIO(data)).getexif()), {})

    def test_bytes_appended_to_a_valid_jpeg_are_not_stored(self):
        photo, data = self.stored_photo(image_upload(content=image_bytes() + APPENDED))
        self.assertNotIn(b"<?php", data)
        self.assertNotIn(b"<script>", data)
        self.assertEqual((photo.width, photo.height), (8, 6))

    def test_exif_orientation_is_applied_before_the_metadata_goes(self):
        photo, data = self.stored_photo(image_upload(content=rotated_jpeg_bytes()))
        self.assertEqual((photo.width, photo.height), (6, 8))
        self.assertEqual(Image.open(io.BytesIO(data)).size, (6, 8))

    def test_multi_picture_jpeg_is_stored_as_a_plain_jpeg(self):
        photo, data = self.stored_photo(image_upload("camera.jpg", mpo_bytes()))
        self.assertTrue(photo.image.name.endswith(".jpg"))
        self.assertEqual(Image.open(io.BytesIO(data)).format, "JPEG")

    @override_settings(IMAGE_MAX_EDGE=10)
    def test_large_images_are_scaled_down(self):
        photo, data = self.stored_photo(image_upload(content=image_bytes(size=(40, 20))))
        self.assertEqual((photo.width, photo.height), (10, 5))
        self.assertEqual(Image.open(io.BytesIO(data)).size, (10, 5))


class AdminPhotoUploadTests(UploadChecks, TemporaryMediaTestCase):
    def upload(self, upload):
        return self.client.post(
            "/admin/publication/photo/add/",
            {"image": upload, "alt_text": "Delegates at the summit", "credit_type": "photo"},
        )

    def assertRejected(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please correct the error below.")
        self.assertContains(response, message)

    def test_a_valid_upload_becomes_a_photo(self):
        response = self.upload(image_upload())
        self.assertRedirects(response, "/admin/publication/photo/")
        photo = Photo.objects.get()
        self.assertEqual(photo.alt_text, "Delegates at the summit")
        self.assertEqual(len(self.stored_files()), 1)

    def test_uploading_the_same_image_twice_points_to_the_first_photo(self):
        self.upload(image_upload())
        first = Photo.objects.get()
        response = self.upload(image_upload("again.jpg"))
        self.assertRejected(response, "This image is already in the library")
        self.assertContains(response, f"/admin/publication/photo/{first.pk}/change/")
        self.assertEqual(Photo.objects.count(), 1)

    def test_replacing_the_image_of_a_photo_is_checked_too(self):
        self.upload(image_upload())
        photo = Photo.objects.get()
        response = self.client.post(
            f"/admin/publication/photo/{photo.pk}/change/",
            {
                "image": image_upload(content=truncated_jpeg_bytes()),
                "alt_text": "Delegates at the summit",
                "credit_type": "photo",
            },
        )
        self.assertContains(response, DAMAGED)
        self.assertEqual(Photo.objects.get().image.name, photo.image.name)


class EditorImageUploadTests(UploadChecks, TemporaryMediaTestCase):
    def upload(self, upload):
        return self.client.post("/editor/images/", {"upload": upload})

    def assertRejected(self, response, message):
        self.assertEqual(response.status_code, 400)
        self.assertIn(message, response.json()["error"]["message"])

    def test_a_valid_upload_returns_the_url_of_a_new_photo(self):
        response = self.upload(image_upload())
        photo = Photo.objects.get()
        self.assertEqual(response.json(), {"url": photo.image.url, "photo_id": photo.pk})
        self.assertEqual(photo.alt_text, "")

    def test_the_same_image_uploaded_twice_gives_one_photo(self):
        files_before = len(self.stored_files())
        first = self.upload(image_upload()).json()
        second = self.upload(image_upload("copy.jpg")).json()
        self.assertEqual(first, second)
        self.assertEqual(Photo.objects.count(), 1)
        self.assertEqual(len(self.stored_files()), files_before + 1)

    def test_missing_file_is_an_error(self):
        response = self.client.post("/editor/images/", {})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.json()["error"]["message"])
        self.assertFalse(Photo.objects.exists())
