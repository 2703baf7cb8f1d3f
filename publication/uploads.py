"""Stop reading a request body as soon as an uploaded file passes the image size limit.

Django's own handlers read the whole body, spooling large files to disk, before any
form sees the size: a 50 MB body was read, stored, then refused. This handler comes
first in FILE_UPLOAD_HANDLERS; the only files this site accepts are images.
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat


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
