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
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from publication.uploads import RefusedUpload

# Pillow format name -> (extension, content type)
ALLOWED_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
NOT_AN_IMAGE = "Upload a JPEG, PNG, GIF or WebP image; this file is not one."
DAMAGED = "This image is damaged or incomplete and cannot be read."
SRGB = ImageCms.createProfile("sRGB")


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
    check_structure(upload)
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
                if image_format == "WEBP" and pixels > settings.IMAGE_UPLOAD_MAX_WEBP_PIXELS:
                    # Pillow decodes WebP through libwebp's animation decoder, which holds
                    # several copies of the picture: over 20 bytes a pixel against 4 for PNG.
                    raise ValidationError(
                        "This WebP image is %(width)s×%(height)s pixels, more than we accept "
                        "for WebP; save it as JPEG or PNG, or smaller.",
                        code="too_many_pixels",
                        params={"width": image.width, "height": image.height},
                    )
                if image_format == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 scale, never below the size we keep: a
                    # 40-megapixel photo then needs a quarter of the memory, or less.
                    edge = settings.IMAGE_MAX_EDGE
                    image.draft(image.mode, (edge, edge))
                image.load()
                cleaned = _reencode(image, image_format)
    except ValidationError:
        raise
    except UnidentifiedImageError as error:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            "This image has more pixels than we accept.", code="too_many_pixels"
        ) from error
    except Exception as error:
        # Malformed files make Pillow's decoders raise many kinds of error; all mean the same.
        raise ValidationError(DAMAGED, code="damaged") from error
    extension, content_type = ALLOWED_FORMATS[image_format]
    return SimpleUploadedFile(f"{uuid.uuid4().hex}.{extension}", cleaned, content_type)


def check_structure(upload) -> None:
    """Refuse damaged JPEG and GIF files before Pillow reads them.

    Pillow walks junk between JPEG markers or GIF blocks one byte at a time in Python:
    a JPEG header followed by 12 MB of zeros took seconds to refuse. Following the
    segment lengths ourselves refuses it at once.
    """
    head = upload.read(6)
    upload.seek(0)
    if head.startswith(b"\xff\xd8"):
        ok = _jpeg_is_whole(upload)
    elif head in (b"GIF87a", b"GIF89a"):
        ok = _gif_has_a_picture(upload)
    else:
        return
    if not ok:
        raise ValidationError(DAMAGED, code="damaged")


def _jpeg_is_whole(file) -> bool:
    """Markers in order up to the first scan, and an end-of-image marker after it."""
    file.seek(2)
    while True:
        marker = file.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return False
        code = marker[1]
        if code == 0xFF:  # a fill byte before the marker
            file.seek(-1, io.SEEK_CUR)
            continue
        if code == 0x01 or 0xD0 <= code <= 0xD8:  # markers without a length
            continue
        length = int.from_bytes(file.read(2), "big")
        if code == 0xD9 or length < 2:
            return False
        if code == 0xDA:  # start of scan: the compressed picture follows
            break
        file.seek(length - 2, io.SEEK_CUR)
    # Bytes after the end marker are allowed (and dropped); a scan that never ends is not.
    return _find(file, b"\xff\xd9")


def _find(file, needle: bytes, chunk_size: int = 1 << 20) -> bool:
    tail = b""
    while chunk := file.read(chunk_size):
        if needle in tail + chunk:
            return True
        tail = chunk[-len(needle) + 1 :]
    return False


def _gif_has_a_picture(file) -> bool:
    """Extension blocks in order up to the first image descriptor."""
    file.seek(10)
    flags = file.read(3)[:1]
    if not flags:
        return False
    if flags[0] & 0x80:  # a global colour table follows
        file.seek(3 << ((flags[0] & 7) + 1), io.SEEK_CUR)
    while True:
        block = file.read(1)
        if block == b",":  # image descriptor
            return True
        if block != b"!":  # trailer, end of file or junk before any picture
            return False
        file.seek(1, io.SEEK_CUR)  # extension label
        while size := file.read(1):
            if size == b"\x00":
                break
            file.seek(size[0], io.SEEK_CUR)
        else:
            return False


# Pixel semantics that must survive re-encoding; everything else in Image.info is
# metadata (comments, EXIF, XMP, ICC profile, text chunks, DPI) and is dropped.
KEEP_INFO = {"transparency"}


def _reencode(image: Image.Image, image_format: str) -> bytes:
    # Scale down before anything else, and let go of the full-size pixels at once:
    # resizing RGBA (and rotating) would otherwise copy the whole decoded image.
    edge = settings.IMAGE_MAX_EDGE
    factor = max(image.size) // edge
    if factor >= 2 and image.mode not in {"P", "1"}:  # palette images are 1 byte a pixel
        # Pillow's reduce() copies RGBA to premultiplied alpha first (another full-size
        # image); averaging 2×2 or more pixels straight is indistinguishable here.
        reduced = image._new(image.im.reduce((factor, factor), (0, 0, *image.size)))
        image.close()
        image = reduced
    if image.width > edge or image.height > edge:
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    if image_format == "JPEG" and image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    if image_format == "WEBP" and image.mode not in {"RGB", "RGBA"}:
        image = image.convert("RGBA")
    image.info = {key: value for key, value in image.info.items() if key in KEEP_INFO}
    buffer = io.BytesIO()
    options = {"quality": 85, "optimize": True} if image_format in {"JPEG", "WEBP"} else {}
    if image_format == "PNG":
        options["optimize"] = True
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _to_srgb(image: Image.Image) -> Image.Image:
    """Apply an embedded colour profile to the pixels, so dropping it keeps the colours."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            SRGB,
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unusable profile: keep the pixels as they are
    converted.info = dict(image.info)
    return converted


def image_checksum(file) -> str:
    """SHA-256 of a (re-encoded) image: the same upload twice gives the same value."""
    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    return digest


class SafeImageFormField(forms.ImageField):
    def __init__(self, *args, **kwargs):
        # The uploaded file's name is never kept (sanitize_image names the new file), so
        # its length is no reason to refuse a photo: a 255-character name from a camera or
        # an agency was "Ensure this filename has at most 100 characters".
        super().__init__(*args, **{**kwargs, "max_length": None})

    def to_python(self, data):
        if isinstance(data, RefusedUpload):  # cut off at the size limit while uploading
            raise ValidationError(data.message, code="too_large")
        # Skip ImageField.to_python: its verify() is the weak check we replace.
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return sanitize_image(upload)
