"""Every uploaded image, from the admin or the editor, is decoded, checked and re-encoded."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory, TestCase, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image, ImageCms, PngImagePlugin

from publication.models import Photo
from publication.uploads import refused_upload
from tests.factories import (
    EPS_BYTES,
    EditorSignedIn,
    TemporaryMediaTestCase,
    exif_jpeg_bytes,
    image_bytes,
    image_upload,
    mpo_bytes,
    png_bomb_bytes,
    rotated_jpeg_bytes,
    truncated_jpeg_bytes,
)

NOT_AN_IMAGE = "Upload a JPEG, PNG, GIF or WebP image; this file is not one."
DAMAGED = "This image is damaged or incomplete and cannot be read."
TOO_MANY_PIXELS = "This image has more pixels than we accept."
APPENDED = b"<?php system($_GET['c']); ?><script>alert(1)</script>"
JUNK = 1024 * 1024
PAYLOAD = b"<script>alert(1)</script>SECRET-METADATA"
SERVER_NAME = re.compile(r"^photos/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png)$")


def jpeg_up_to_scan() -> bytes:
    """A real JPEG's header, up to and including its start-of-scan segment."""
    data = image_bytes(size=(400, 300))
    scan = data.index(b"\xff\xda")
    return data[: scan + 2 + int.from_bytes(data[scan + 2 : scan + 4], "big")]


def icc_with_payload() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + PAYLOAD


def exif_with_payload() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = PAYLOAD.decode()  # ImageDescription
    exif[0x0112] = 1  # Orientation: as stored
    return exif.tobytes()


def metadata_laden_images() -> dict[str, tuple[str, bytes]]:
    """Each format with every kind of metadata it can carry, all holding PAYLOAD."""
    picture = Image.new("RGB", (16, 12), "teal")
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", PAYLOAD.decode())
    text.add_text("Software", PAYLOAD.decode(), zip=True)
    text.add_itxt("XML:com.adobe.xmp", PAYLOAD.decode(), lang="en", tkey="xmp")
    common = {"exif": exif_with_payload(), "icc_profile": icc_with_payload()}

    def encode(image_format, image=picture, **options):
        buffer = io.BytesIO()
        image.save(buffer, image_format, **options)
        return buffer.getvalue()

    return {
        "JPEG": ("photo.jpg", encode("JPEG", comment=PAYLOAD, xmp=PAYLOAD, **common)),
        "PNG": ("photo.png", encode("PNG", pnginfo=text, **common)),
        "GIF": ("photo.gif", encode("GIF", image=picture.convert("P"), comment=PAYLOAD)),
        "WebP": ("photo.webp", encode("WEBP", xmp=PAYLOAD, **common)),
    }


def segments(data: bytes) -> list[str]:
    """The names of the blocks an image file is made of: JPEG markers, PNG and WebP
    chunks, GIF extensions; what is left after re-encoding must be pixels only."""
    if data.startswith(b"\xff\xd8"):
        names, position = [], 2
        while data[position + 1] != 0xDA:
            names.append(f"{data[position + 1]:02X}")
            position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        return names
    if data.startswith(b"\x89PNG"):
        names, position = [], 8
        while position < len(data):
            length = int.from_bytes(data[position : position + 4], "big")
            names.append(data[position + 4 : position + 8].decode())
            position += 12 + length
        return names
    if data.startswith(b"RIFF"):
        names, position = [], 12
        while position < len(data):
            length = int.from_bytes(data[position + 4 : position + 8], "little")
            names.append(data[position : position + 4].decode().strip())
            position += 8 + length + length % 2
        return names
    if data.startswith(b"GIF"):
        return [f"ext-{label:02X}" for label in re.findall(rb"\x21([\xfe\xff\x01])", data)]
    raise AssertionError("not an image we store")


# JFIF header, quantisation and Huffman tables, frame header; PNG image chunks;
# WebP picture and alpha chunks; GIF: no comment or application extensions at all.
PIXELS_ONLY = {"E0", "DB", "C4", "C0", "C2", "DD", "IHDR", "PLTE", "tRNS", "IDAT", "IEND"}
PIXELS_ONLY |= {"VP8", "VP8L", "VP8X", "ALPH"}


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
        "EPS file": (
            SimpleUploadedFile("figure.eps", EPS_BYTES, "application/postscript"),
            NOT_AN_IMAGE,
            {},
        ),
        "EPS file named .jpg": (image_upload("figure.jpg", EPS_BYTES), NOT_AN_IMAGE, {}),
        "JPEG header followed by zeros": (
            image_upload(content=image_bytes(size=(400, 300))[:200] + bytes(JUNK)),
            DAMAGED,
            {},
        ),
        "JPEG scan of zeros that never ends": (
            image_upload(content=jpeg_up_to_scan() + bytes(JUNK)),
            DAMAGED,
            {},
        ),
        "GIF header followed by zeros": (
            image_upload("anim.gif", b"GIF89a" + bytes(7) + bytes(JUNK), "image/gif"),
            DAMAGED,
            {},
        ),
        "PNG declaring 41 megapixels, over the default 40": (
            image_upload("big.png", png_bomb_bytes(6400, 6400), "image/png"),
            "This image is 6400×6400 pixels, more than we accept.",
            {},
        ),
        "WebP over the WebP pixel limit": (
            image_upload("big.webp", image_bytes("WEBP", size=(30, 20)), "image/webp"),
            "more than we accept for WebP",
            {"IMAGE_UPLOAD_MAX_WEBP_PIXELS": 599},
        ),
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


class UploadChecks(EditorSignedIn):
    """The checks every upload path gets; subclasses say how to upload and what an error is."""

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

    def test_a_long_file_name_is_no_reason_to_refuse_the_photo(self):
        # The admin refused it ("at most 100 characters"), though the name is not kept.
        photo, _ = self.stored_photo(image_upload(f"{'Agency caption words ' * 12}.jpg"))
        self.assertRegex(photo.image.name, SERVER_NAME)
        photo.image.delete(save=False)  # the class shares one media folder

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

    def test_no_metadata_of_any_kind_survives(self):
        for image_format, (name, content) in metadata_laden_images().items():
            with self.subTest(image_format):
                photo, data = self.stored_photo(image_upload(name, content))
                self.assertNotIn(b"SECRET-METADATA", data)
                self.assertLessEqual(set(segments(data)), PIXELS_ONLY, segments(data))
                self.assertEqual(set(Image.open(io.BytesIO(data)).info) & METADATA_KEYS, set())
                Photo.objects.all().delete()

    @override_settings(IMAGE_UPLOAD_MAX_BYTES=64 * 1024)
    def test_a_body_over_the_size_limit_is_refused_unread(self):
        response = self.upload(image_upload(content=bytes(1024 * 1024)))
        self.assertTooLarge(response, "larger than 64.0\xa0KB")
        self.assertFalse(Photo.objects.exists())

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


METADATA_KEYS = {
    "comment",
    "exif",
    "xmp",
    "icc_profile",
    "Comment",
    "Software",
    "XML:com.adobe.xmp",
}


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

    def assertTooLarge(self, response, message):
        # Fields after the file are never read, so the form may list more than one error.
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertEqual(
            response.context["adminform"].form.errors["image"],
            ["This file is larger than 64.0\xa0KB, the most we accept for an image."],
        )

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

    def assertTooLarge(self, response, message):
        self.assertEqual(response.status_code, 413)
        self.assertIn(message, response.json()["error"]["message"])

    @override_settings(REQUEST_MAX_BODY_BYTES=1024 * 1024)
    def test_a_body_declared_over_the_request_limit_is_refused_in_json_before_reading(self):
        response = self.client.generic(
            "POST",
            "/editor/images/",
            b"",
            content_type="multipart/form-data; boundary=x",
            headers={"Content-Length": str(50 * 1024 * 1024)},
        )
        self.assertEqual(response.status_code, 413)
        self.assertIn("Request body too large", response.json()["error"]["message"])

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


class CountingStream(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


@override_settings(IMAGE_UPLOAD_MAX_BYTES=100 * 1024)
class UploadReadingTests(TestCase):
    def test_reading_stops_soon_after_a_file_passes_the_limit(self):
        body = encode_multipart(BOUNDARY, {"upload": image_upload(content=bytes(5 * 1024 * 1024))})
        stream = CountingStream(body)
        request = WSGIRequest(
            {
                **RequestFactory()._base_environ(),
                "REQUEST_METHOD": "POST",
                "PATH_INFO": "/editor/images/",
                "CONTENT_TYPE": MULTIPART_CONTENT,
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": stream,
            }
        )
        refused = refused_upload(request)
        self.assertIsNotNone(refused)
        self.assertIs(request.FILES["upload"], refused)
        # The limit plus the parser's read-ahead, not the 5 MB sent.
        self.assertLess(stream.bytes_read, 100 * 1024 + 512 * 1024)

    def test_a_file_under_the_limit_is_read_whole(self):
        request = RequestFactory().post("/editor/images/", {"upload": image_upload()})
        self.assertIsNone(refused_upload(request))
        self.assertEqual(request.FILES["upload"].read(), image_bytes())
