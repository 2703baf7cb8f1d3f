"""Request bodies sent chunked (Transfer-Encoding: chunked, no Content-Length), as HTTP/1.1
clients may: read whole by the production server (gunicorn), under the same limits as
any other body. Django alone read them as empty: "no file"."""

import http.client
import io
import uuid
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.models import User
from django.core import signals
from django.db import close_old_connections
from django.test import TransactionTestCase, override_settings

from publication.models import Creator, Photo
from publication.wsgi import application
from tests.factories import TemporaryMediaTestCase, image_bytes, make_site
from tests.production.helpers import Browser, production_superuser, start_gunicorn


def multipart(fields: dict, files: dict) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def pieces(body: bytes, size=1000):
    """The body as an iterator, which http.client sends chunked."""
    return (body[start : start + size] for start in range(0, len(body), size))


class ChunkedBodiesUnderGunicornTests(TransactionTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.base, cls.log = start_gunicorn(cls)

    def setUp(self):
        make_site()
        production_superuser("chief", "a-long-password")
        self.browser = Browser(self.base)
        self.browser.sign_in("chief", "a-long-password")

    def post_chunked(self, path, content_type, body):
        connection = http.client.HTTPConnection(urlsplit(self.base).netloc, timeout=30)
        self.addCleanup(connection.close)
        headers = {
            "Content-Type": content_type,
            "Cookie": self.browser.cookie_header(),
            "X-CSRFToken": self.browser.csrf_token,
            "Transfer-Encoding": "chunked",
        }
        connection.request("POST", path, body=pieces(body), headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.read()

    def test_an_image_sent_chunked_to_the_editor_is_stored(self):
        self.browser.request("/admin/articles/article/add/")  # the editor's page: a token
        content_type, body = multipart({}, {"upload": ("chunked.png", image_bytes("PNG"))})
        status, answer = self.post_chunked("/editor/images/", content_type, body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(Photo.objects.count(), 1)

    def test_a_photo_sent_chunked_through_the_admin_form_is_stored(self):
        self.browser.request("/admin/publication/photo/add/")
        fields = {
            "alt_text": "Delegates at the summit",
            "credit_type": "photo",
            "csrfmiddlewaretoken": self.browser.csrf_token,
        }
        content_type, body = multipart(fields, {"image": ("summit.png", image_bytes("PNG"))})
        status, answer = self.post_chunked("/admin/publication/photo/add/", content_type, body)
        self.assertEqual(status, 302, answer[:3000])
        self.assertEqual(Photo.objects.get().alt_text, "Delegates at the summit")

    def test_a_form_sent_chunked_is_read(self):
        self.browser.request("/admin/publication/creator/add/")
        fields = {
            "name": "Lena Photographer",
            "slug": "lena-photographer",
            "kind": "person",
            "csrfmiddlewaretoken": self.browser.csrf_token,
        }
        status, answer = self.post_chunked(
            "/admin/publication/creator/add/",
            "application/x-www-form-urlencoded",
            urlencode(fields).encode(),
        )
        self.assertEqual(status, 302, answer[:3000])
        self.assertEqual(Creator.objects.get().name, "Lena Photographer")


@override_settings(REQUEST_MAX_BODY_BYTES=300_000, DATA_UPLOAD_MAX_MEMORY_SIZE=200_000)
class ChunkedBodyLimitTests(TemporaryMediaTestCase):
    """The over-limit case in this process, through the same WSGI application gunicorn
    runs: a server that stops reading mid-body resets the connection, and a client may then
    lose the answer (so a test through gunicorn could not read it reliably)."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.staff = User.objects.create_superuser("chief", "chief@example.org", "pw")

    def call(self, path, content_type, body: bytes):
        self.client.force_login(self.staff)
        stream = io.BytesIO(body)  # gunicorn's decoded chunked input
        environ = {
            **self.client._base_environ(),
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "CONTENT_TYPE": content_type,
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": stream,
            "wsgi.input_terminated": True,
        }
        environ.pop("CONTENT_LENGTH", None)
        started = {}
        # As the test client does: the end of a request closes the database connection,
        # which holds this test's transaction.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            answer = b"".join(
                application(environ, lambda status, headers: started.update(status=status))
            )
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return int(started["status"].split()[0]), answer, stream.tell()

    def test_a_chunked_body_over_the_limit_is_refused_413_without_being_read_whole(self):
        content_type, body = multipart({}, {"upload": ("big.png", b"\x89PNG" + b"0" * 2_000_000)})
        status, answer, read = self.call("/editor/images/", content_type, body)
        self.assertEqual(status, 413)
        self.assertIn(b"Request body too large", answer)
        self.assertLess(read, 300_000 + 65536 + 1)  # the limit and one piece past it
        self.assertFalse(Photo.objects.exists())
        form = urlencode({"name": "x" * 250_000, "slug": "x"}).encode()
        status, answer, read = self.call(
            "/admin/publication/creator/add/", "application/x-www-form-urlencoded", form
        )
        self.assertEqual(status, 413)
        self.assertFalse(Creator.objects.exists())
