"""Responsive renditions of a photo, made once by a job and carrying the photo's credit.

Separate from the upload gate (publication.images): that one makes the stored original
safe; this one reads the safe original through the storage API and writes smaller
copies, each with our own IPTC/XMP credit, never anything from the uploaded file.
"""

import dataclasses
import hashlib
import hmac
import io
import json
import re
import struct
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, features

from publication.syndication import xml_text

# Bump when the encoding below changes, so every photo gets new files and new names.
RENDITIONS_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Shape:
    widths: tuple[int, ...]
    ratio: float | None = None  # width / height; None keeps the photo's own shape
    formats: tuple[str, ...] | None = None  # None: every format in IMAGE_RENDITION_FORMATS


SHAPES = {
    # Lead images, body figures, the creator's photo grid.
    "full": Shape(widths=(320, 640, 960, 1280, 1920)),
    # Teaser cards are cropped 3:2 around the focal point (the CSS shows them at 3:2).
    "card": Shape(widths=(320, 640, 960, 1280), ratio=3 / 2),
    # Author portraits, shown at 120 px.
    "square": Shape(widths=(160, 320), ratio=1),
    # Social cards want 1200×630 (1.91:1) in a format every network reads.
    "social": Shape(widths=(1200,), ratio=1200 / 630, formats=("jpeg",)),
    # Search engines' article images: Google asks structured data for 16:9, 4:3 and 1:1,
    # 1200 px wide (a smaller original: its own width, at least 50,000 pixels).
    "16x9": Shape(widths=(1200,), ratio=16 / 9, formats=("jpeg",)),
    "4x3": Shape(widths=(1200,), ratio=4 / 3, formats=("jpeg",)),
    "1x1": Shape(widths=(1200,), ratio=1, formats=("jpeg",)),
}

FORMATS = {
    # name: (Pillow format, extension, content type, save options)
    "avif": ("AVIF", "avif", "image/avif", {"quality": 55, "speed": 8}),
    "webp": ("WEBP", "webp", "image/webp", {"quality": 78, "method": 4}),
    "jpeg": ("JPEG", "jpg", "image/jpeg", {"quality": 80, "optimize": True, "progressive": True}),
}


def available_formats() -> tuple[str, ...]:
    """Best first; JPEG always last, as the fallback every browser reads."""
    wanted = settings.IMAGE_RENDITION_FORMATS
    usable = [name for name in ("avif", "webp") if name in wanted and features.check(name)]
    return (*usable, "jpeg")


# --- What a photo's renditions depend on ---


def credit_record(photo) -> dict[str, str]:
    """The credit written into every rendition: IPTC Photo Metadata fields."""
    record = {
        "creator": photo.creator.name if photo.creator else "",
        "credit_line": photo.credit,
        "copyright_notice": photo.copyright_notice,
        "license_url": photo.license_url,
        "description": photo.alt_text,
    }
    # Only when set: the record is part of renditions_key(), so photos without a licence
    # page keep their files.
    if photo.license_page_url:
        record["license_page_url"] = photo.license_page_url
    return record


def renditions_key(photo) -> str:
    """A digest of everything the files are made from: same inputs, same names."""
    inputs = {
        "version": RENDITIONS_VERSION,
        "image": photo.image.name,
        "focal": [round(photo.focal_x, 3), round(photo.focal_y, 3)],
        "credit": credit_record(photo),
        "formats": available_formats(),
    }
    # Only once withdrawn: a reinstated photo's files get addresses no cache has seen (a
    # CDN may still hold the old ones, or their 404), and other photos keep their names.
    if photo.withdrawals:
        inputs["withdrawals"] = photo.withdrawals
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


# --- Making the files ---


def crop_box(size, ratio, focal) -> tuple[int, int, int, int]:
    """The largest box of the given ratio, centred on the focal point as far as it can be."""
    width, height = size
    crop_width, crop_height = width, height
    if width / height > ratio:
        crop_width = max(1, round(height * ratio))
    else:
        crop_height = max(1, round(width / ratio))
    left = min(max(0, round(focal[0] * width - crop_width / 2)), width - crop_width)
    top = min(max(0, round(focal[1] * height - crop_height / 2)), height - crop_height)
    return left, top, left + crop_width, top + crop_height


def rendition_widths(shape: Shape, available: int) -> list[int]:
    """The shape's widths the source can fill, plus the source's own width when it falls
    between them: never upscaled."""
    widths = [width for width in shape.widths if width <= available]
    if available < shape.widths[-1] and available not in widths:
        widths.append(available)
    return widths


def make_renditions(photo, *, key: str) -> tuple[dict, list[str]]:
    """Write every rendition of a photo to its storage. Returns what pages need (per
    shape: width and height of the largest file, a JPEG src and its length in bytes, the
    srcsets) and the names."""
    storage = photo.image.storage
    with storage.open(photo.image.name, "rb") as file, Image.open(file) as original:
        original.load()
        # The first frame of an animated GIF; palettes become colours.
        image = original.convert("RGBA" if has_alpha(original) else "RGB")
    metadata = credit_record(photo)
    xmp = xmp_packet(metadata)
    iptc = iptc_segment(metadata)
    folder = rendition_folder(photo.image.name, key)
    formats = available_formats()
    result, names = {}, []
    for shape_name, shape in SHAPES.items():
        source = image
        if shape.ratio:
            source = image.crop(crop_box(image.size, shape.ratio, (photo.focal_x, photo.focal_y)))
        srcsets, largest, fallback, fallback_bytes = {}, (0, 0), "", 0
        for width in rendition_widths(shape, source.width):
            height = max(1, round(source.height * width / source.width))
            resized = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3)
            for format_name in shape.formats or formats:
                name = f"{folder}/{shape_name}-{width}.{FORMATS[format_name][1]}"
                data = encode(resized, format_name, xmp=xmp, iptc=iptc)
                url = save(storage, name, data)
                names.append(name)
                srcsets.setdefault(format_name, []).append(f"{url} {width}w")
                # Only browsers without srcset use src: a middling size will do.
                if format_name == "jpeg" and (width <= 960 or not fallback):
                    fallback, fallback_bytes = url, len(data)
                largest = (width, height)
        result[shape_name] = {
            "width": largest[0],
            "height": largest[1],
            "src": fallback,
            # The src file's length (feeds state it for enclosures), known as it is written.
            "bytes": fallback_bytes,
            "srcset": ", ".join(srcsets.pop("jpeg")),
            "sources": [
                {"type": FORMATS[name][2], "srcset": ", ".join(entries)}
                for name, entries in srcsets.items()
            ],
        }
    return result, names


def rendition_folder(image_name: str, key: str) -> str:
    return f"renditions/{image_name.rsplit('.', 1)[0]}/{key}"


# The names make_renditions() writes: <rendition_folder>/<shape>-<width>.<extension>.
RENDITION_NAME = re.compile(
    r"renditions/(?P<stem>.+)/[0-9a-f]{16}/"
    rf"(?:{'|'.join(SHAPES)})-[0-9]+\.(?:{'|'.join(spec[1] for spec in FORMATS.values())})"
)


def original_stem(name: str) -> str | None:
    """The original's name without its extension, for the name of one of its rendition
    files (current or from an earlier key); None for any other name."""
    match = RENDITION_NAME.fullmatch(name)
    return match["stem"] if match else None


def has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info


def encode(image: Image.Image, format_name: str, *, xmp: bytes, iptc: bytes) -> bytes:
    pillow_format, _, _, options = FORMATS[format_name]
    if pillow_format == "JPEG" and image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    buffer = io.BytesIO()
    # No exif= or icc_profile=: nothing but our credit goes into the file.
    image.save(buffer, pillow_format, xmp=xmp, **options)
    data = buffer.getvalue()
    if pillow_format == "JPEG" and iptc:
        # IPTC IIM (APP13) as well as XMP: older tools and agencies read only this one.
        data = data[:2] + iptc + data[2:]
    return data


def save(storage, name: str, data: bytes) -> str:
    """Store under exactly this name, replacing a half-written file from a crashed run."""
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(data))
    return storage.url(saved)


def delete_files(storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def withdrawn_name(image_name: str) -> str:
    """Where a withdrawn original is kept: the same on a retry, and unguessable from the
    public address, in case the withdrawn storage is readable after all."""
    token = hmac.new(settings.SECRET_KEY.encode(), image_name.encode(), "sha256").hexdigest()
    return f"{token[:32]}/{image_name}"


def move(source, name: str, target, new_name: str) -> None:
    """Copy, then delete: a crash in between leaves the file in both places, never in
    none, and running it again finishes the move."""
    if not source.exists(name):
        return  # moved by an earlier, interrupted run
    with source.open(name, "rb") as file:
        if target.exists(new_name):
            target.delete(new_name)
        target.save(new_name, file)
    source.delete(name)


# --- The credit as metadata ---

XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
    xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/">{fields}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def xmp_packet(record: dict[str, str]) -> bytes:
    """IPTC Photo Metadata in XMP: the fields search engines read as licensing data."""
    fields = []
    if record["creator"]:
        fields.append(seq("dc:creator", record["creator"]))
    if record["credit_line"]:
        fields.append(f"<photoshop:Credit>{escape(record['credit_line'])}</photoshop:Credit>")
    if record["copyright_notice"]:
        fields.append(alt("dc:rights", record["copyright_notice"]))
    if record["description"]:
        fields.append(alt("dc:description", record["description"]))
    if url := record["license_url"]:
        fields.append(f"<xmpRights:WebStatement>{escape(url)}</xmpRights:WebStatement>")
    # The Licensor URL is where to license the image (Google's acquireLicensePage).
    if url := record.get("license_page_url"):
        fields.append(
            "<plus:Licensor><rdf:Seq><rdf:li rdf:parseType='Resource'>"
            f"<plus:LicensorURL>{escape(url)}</plus:LicensorURL>"
            "</rdf:li></rdf:Seq></plus:Licensor>"
        )
    body = "".join(f"\n    {field}" for field in fields)
    # XML like the feeds and sitemaps: a credit written past save() may hold a control character.
    return xml_text(XMP_TEMPLATE.format(fields=body)).encode()


def seq(name: str, value: str) -> str:
    return f"<{name}><rdf:Seq><rdf:li>{escape(value)}</rdf:li></rdf:Seq></{name}>"


def alt(name: str, value: str) -> str:
    return (
        f"<{name}><rdf:Alt><rdf:li xml:lang='x-default'>{escape(value)}</rdf:li></rdf:Alt></{name}>"
    )


# IPTC IIM record 2 datasets.
IPTC_DATASETS = {"creator": 80, "credit_line": 110, "copyright_notice": 116, "description": 120}


def iptc_segment(record: dict[str, str]) -> bytes:
    """A JPEG APP13 segment holding IPTC IIM in a Photoshop resource block (id 0x0404)."""
    iim = b"\x1c\x01\x5a\x00\x03\x1b\x25\x47"  # 1:90 coded character set: UTF-8
    for field, dataset in IPTC_DATASETS.items():
        if value := record[field]:
            data = value.encode()[:2000]
            iim += b"\x1c\x02" + bytes([dataset]) + struct.pack(">H", len(data)) + data
    if len(iim) == 8:
        return b""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim))
    resource += iim + (b"\x00" if len(iim) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
