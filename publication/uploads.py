"""Stop reading a request body as soon as an uploaded file passes the image size limit.

Django's own handlers read the whole body, spooling large files to disk, before any
form sees the size: a 50 MB body was read, stored, then refused. This handler comes
first in FILE_UPLOAD_HANDLERS; the only files this site accepts are images.
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse


class RefusedUpload(UploadedFile):
    """Stands in for a file whose upload was cut off, so its form field can say why."""

    def __init__(self, name: str):
        super().__init__(file=None, name=name, size=None)

    @property
    def message(self) -> str:
        limit = filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)
        return f"This file is larger than {limit}, the most we accept for an image."


class SizeLimitUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.IMAGE_UPLOAD_MAX_BYTES:
            self.request.refused_upload = (self.field_name, RefusedUpload(self.file_name))
            # connection_reset: do not read (or discard) the rest of the body either.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler stores the file


def refused_upload(request) -> RefusedUpload | None:
    """The file cut off in this request, if any, put back among request.FILES."""
    files = request.FILES  # reads the body if nothing has yet
    refusal = getattr(request, "refused_upload", None)
    if refusal is None:
        return None
    field_name, placeholder = refusal
    files.setlist(field_name, [placeholder])
    return placeholder


BROKEN_UPLOAD = (
    "The upload arrived broken (cut off, or not the editor's form). Nothing was stored; try again."
)


def upload_error(message: str, status: int) -> JsonResponse:
    """A failed editor upload, as CKEditor's upload adapter shows it to the writer."""
    return JsonResponse({"error": {"message": message}}, status=status)


class EditorUploadErrorsMiddleware:
    """Every answer of the editor's image upload endpoint is JSON, its failures too.

    CKEditor shows the writer {"error": {"message": …}} and nothing useful from anything
    else; but the failures met before the view answered HTML or plain text: a cut-off or
    malformed multipart body (400), a stale or missing CSRF token (403), a method other
    than POST (405), a bad Content-Length or an oversized body (400, 413), and an error
    in the view itself (500). This sits outside all of them and rewrites any such answer,
    keeping its status. None of them stores anything: the view saves last, in one step.
    """

    MESSAGES = {
        400: BROKEN_UPLOAD,
        # The view's own refusals (permission) are JSON already: an HTML 403 is the CSRF check.
        403: "This page is out of date or you were signed out. Nothing was stored; reload "
        "the page (your text is kept in the editor's draft) and sign in again if asked.",
        405: "Images are uploaded with POST.",
    }
    OTHER = "The image could not be stored. Nothing was kept; try again."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.get("Content-Type") == "application/json"
            or request.path_info != reverse("publication:editor-image-upload")
        ):
            return response
        if response.get("Content-Type", "").startswith("text/plain"):
            message = response.content.decode(response.charset, "replace")  # already plain words
        else:
            message = self.MESSAGES.get(response.status_code, self.OTHER)
        answer = upload_error(message, response.status_code)
        for header in ("Allow", "Cache-Control", "Expires", "Retry-After"):
            if header in response:
                answer[header] = response[header]
        return answer
