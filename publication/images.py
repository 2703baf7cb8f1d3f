"""One gate for every uploaded image: decode fully, re-encode, strip metadata.

Django's ImageField only calls Pillow's verify(), which lets truncated files,
polyglots and EPS (Ghostscript) through; we keep none of the uploaded bytes.
"""

import hashlib
import io
import uuid
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> (extension, content type)
ALLOWED_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}


def sanitize_image(upload) -> SimpleUploadedFile:
    """Return a freshly encoded copy of an uploaded image, or raise ValidationError."""
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            "This file is %(size)s; images may be at most %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # formats= stops Pillow from trying every plugin (EPS would call Ghostscript).
            with Image.open(upload, formats=list(ALLOWED_FORMATS)) as image:
                pixels = image.width * image.height
                if pixels > settings.IMAGE_UPLOAD_MAX_PIXELS:
                    raise ValidationError(
                        "This image is %(width)s×%(height)s pixels, more than we accept.",
                        code="too_many_pixels",
                        params={"width": image.width, "height": image.height},
                    )
                # Multi-picture JPEGs (from many cameras) open as "MPO"; keep the first picture.
                image_format = "JPEG" if image.format == "MPO" else image.format
                image.load()
                cleaned = _reencode(image, image_format)
    except ValidationError:
        raise
    except UnidentifiedImageError as error:
        raise ValidationError(
            "Upload a JPEG, PNG, GIF or WebP image; this file is not one.", code="not_an_image"
        ) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            "This image has more pixels than we accept.", code="too_many_pixels"
        ) from error
    except Exception as error:
        # Malformed files make Pillow's decoders raise many kinds of error; all mean the same.
        raise ValidationError(
            "This image is damaged or incomplete and cannot be read.", code="damaged"
        ) from error
    extension, content_type = ALLOWED_FORMATS[image_format]
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.{extension}", cleaned, content_type)


def _reencode(image: Image.Image, image_format: str) -> bytes:
    image = ImageOps.exif_transpose(image)
    edge = settings.IMAGE_MAX_EDGE
    if image.width > edge or image.height > edge:
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    if image_format == "JPEG" and image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    if image_format == "WEBP" and image.mode not in {"RGB", "RGBA"}:
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    options = {"quality": 85, "optimize": True} if image_format in {"JPEG", "WEBP"} else {}
    if image_format == "PNG":
        options["optimize"] = True
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def image_checksum(file) -> str:
    """SHA-256 of a (re-encoded) image: the same upload twice gives the same value."""
    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    return digest


class SafeImageFormField(forms.ImageField):
    def to_python(self, data):
        # Skip ImageField.to_python: its verify() is the weak check we replace.
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return sanitize_image(upload)
