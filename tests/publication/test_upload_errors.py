"""The editor's image upload endpoint answers every failure as the JSON CKEditor shows
({"error": {"message": …}}), with a fitting status, and stores nothing."""

import socket
import tempfile
from pathlib import Path

from django.contrib.staticfiles.testing import LiveServerTestCase
from django.test import Client, override_settings

from publication.models import Photo
from tests.factories import (
    TemporaryMediaTestCase,
    image_bytes,
    make_editor,
    make_site,
    make_user,
    truncated_jpeg_bytes,
)

UPLOAD_URL = "/editor/images/"
BOUNDARY = "----hostile"


def part(content: bytes, *, name="upload", filename="snap.jpg", extra=b"") -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: image/jpeg\r\n".encode()
        + extra
        + b"\r\n"
        + content
    )


WHOLE = part(image_bytes()) + f"\r\n--{BOUNDARY}--\r\n".encode()
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"

# Bodies the editor never sends, each answered 400 (a form error or a parse error).
BROKEN = {
    "cut off inside the file": (MULTIPART, part(image_bytes())[:-40]),
    "cut off inside the part's headers": (MULTIPART, WHOLE[:60]),
    "no closing boundary": (MULTIPART, part(truncated_jpeg_bytes())),
    "no boundary at all": ("multipart/form-data", WHOLE),
    "an empty boundary": ("multipart/form-data; boundary=", WHOLE),
    "a boundary with control characters": ("multipart/form-data; boundary=\x01\x7f", WHOLE),
    "a boundary over 70 characters": (f"multipart/form-data; boundary={'b' * 200}", WHOLE),
    "a different boundary": ("multipart/form-data; boundary=other", WHOLE),
    "binary junk": (MULTIPART, b"\x00\xff" * 500),
    "a part without headers": (MULTIPART, f"--{BOUNDARY}\r\n\r\nx\r\n--{BOUNDARY}--".encode()),
    "base64 that is not": (
        MULTIPART,
        part(b"!!!!", extra=b"Content-Transfer-Encoding: base64\r\n")
        + f"\r\n--{BOUNDARY}--\r\n".encode(),
    ),
    "JSON": ("application/json", b'{"upload": "x"}'),
    "a plain form": ("application/x-www-form-urlencoded", b"upload=x"),
    "plain text": ("text/plain", WHOLE),
    "no content type": ("", WHOLE),
}


class EditorUploadFailureTests(TemporaryMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.editor = make_editor()

    def setUp(self):
        # CSRF checked as in a browser: the editor sends the token in a header.
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(self.editor)
        self.client.get("/admin/")
        self.token = self.client.cookies["csrftoken"].value

    def assertRefused(self, response, status):
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertEqual(response["Content-Type"], "application/json")
        message = response.json()["error"]["message"]
        self.assertIsInstance(message, str)
        self.assertTrue(message.strip())
        self.assertNotIn("<", message)
        self.assertFalse(Photo.objects.exists())
        self.assertEqual(self.stored_files(), [])
        return message

    def post(self, content_type, body, **headers):
        headers = {"HTTP_X_CSRFTOKEN": self.token, **headers}
        return self.client.generic("POST", UPLOAD_URL, body, content_type=content_type, **headers)

    def test_the_editor_way_works(self):
        self.assertEqual(self.post(MULTIPART, WHOLE).status_code, 200)

    def test_broken_and_foreign_bodies_get_a_json_400(self):
        for name, (content_type, body) in BROKEN.items():
            with self.subTest(name):
                message = self.assertRefused(self.post(content_type, body), 400)
                self.assertNotIn("This field is required", message)  # which field?

    def test_a_missing_or_stale_csrf_token_gets_a_json_403(self):
        for token in (None, "x" * 32, "y" * 64):
            with self.subTest(token=token):
                headers = {} if token is None else {"HTTP_X_CSRFTOKEN": token}
                response = self.client.generic(
                    "POST", UPLOAD_URL, WHOLE, content_type=MULTIPART, **headers
                )
                self.assertIn("reload", self.assertRefused(response, 403))
        for name, (content_type, body) in BROKEN.items():  # broken and no token
            with self.subTest(name):
                response = self.client.generic("POST", UPLOAD_URL, body, content_type=content_type)
                # Whichever is found first: a body that cannot be parsed hides its token.
                self.assertIn(response.status_code, {400, 403})
                self.assertRefused(response, response.status_code)

    def test_signed_out_and_without_permission_get_a_json_403(self):
        for user in (None, make_user(is_staff=True)):
            with self.subTest(user=user):
                client = Client(enforce_csrf_checks=True)
                client.get("/admin/login/")  # the token outlives signing in
                if user:
                    client.force_login(user)
                token = client.cookies["csrftoken"].value
                for content_type, body in [(MULTIPART, WHOLE), *BROKEN.values()]:
                    response = client.generic(
                        "POST", UPLOAD_URL, body, content_type=content_type, HTTP_X_CSRFTOKEN=token
                    )
                    self.assertIn(response.status_code, {400, 403})
                    self.assertRefused(response, response.status_code)

    def test_other_methods_get_a_json_405_naming_post(self):
        for method in ("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"):
            with self.subTest(method):
                response = self.client.generic(method, UPLOAD_URL, HTTP_X_CSRFTOKEN=self.token)
                self.assertEqual(response.status_code, 405)
                self.assertEqual(response["Allow"], "POST")
                if method != "HEAD":
                    self.assertRefused(response, 405)

    @override_settings(REQUEST_MAX_BODY_BYTES=5000)
    def test_an_oversized_or_unreadable_length_gets_json(self):
        big = part(b"x" * 6000) + f"\r\n--{BOUNDARY}--\r\n".encode()
        self.assertIn("too large", self.assertRefused(self.post(MULTIPART, big), 413))
        response = self.post(MULTIPART, WHOLE, CONTENT_LENGTH="lots")
        self.assertRefused(response, 400)

    @override_settings(IMAGE_UPLOAD_MAX_BYTES=1000)
    def test_a_file_over_the_image_limit_gets_a_json_413(self):
        big = part(b"x" * 6000) + f"\r\n--{BOUNDARY}--\r\n".encode()
        self.assertIn("larger than", self.assertRefused(self.post(MULTIPART, big), 413))


class CutOffConnectionTests(LiveServerTestCase):
    """A browser whose connection drops mid-upload sends less than its Content-Length."""

    def setUp(self):
        make_site()
        # A superuser: the flush between transaction tests may have removed groups and
        # permissions.
        self.editor = make_user(is_staff=True, is_superuser=True)
        media = tempfile.mkdtemp(prefix="test-media-")
        self.enterContext(override_settings(MEDIA_ROOT=media))
        self.media = Path(media)
        client = Client()
        client.force_login(self.editor)
        client.get("/admin/")
        self.cookies = "; ".join(f"{key}={value.value}" for key, value in client.cookies.items())
        self.token = client.cookies["csrftoken"].value

    def send_cut_off(self, body: bytes, length: int) -> bytes:
        host, port = self.live_server_url.removeprefix("http://").split(":")
        head = (
            f"POST {UPLOAD_URL} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {MULTIPART}\r\n"
            f"Content-Length: {length}\r\nX-CSRFToken: {self.token}\r\nCookie: {self.cookies}\r\n"
            "Connection: close\r\n\r\n"
        )
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(head.encode() + body)
            sock.shutdown(socket.SHUT_WR)  # the connection drops: no more bytes come
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        return answer

    def test_a_body_cut_off_in_transit_gets_a_json_400_and_nothing_is_stored(self):
        for cut in (len(WHOLE) // 2, len(WHOLE) - 5, 30):
            with self.subTest(cut=cut):
                answer = self.send_cut_off(WHOLE[:cut], len(WHOLE))
                status_line, _, rest = answer.partition(b"\r\n")
                self.assertIn(b" 400 ", status_line, answer[:500])
                self.assertIn(b"Content-Type: application/json", rest)
                self.assertIn(b'{"error": {"message": ', rest)
        self.assertFalse(Photo.objects.exists())
        self.assertEqual([path for path in self.media.rglob("*") if path.is_file()], [])
