"""Reading and rendering the stored (already sanitized) article body."""

import html
import re

from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
BLOCKQUOTE = re.compile(r"<blockquote>.*?</blockquote>", re.DOTALL)
IMAGE = re.compile(r"<img\s([^>]*)>")
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
# CKEditor 5 writes block images as <figure class="image"><img …><figcaption>…</figcaption></figure>
FIGURE = re.compile(
    r'<figure class="image[^"]*">\s*<img\s([^>]*)>\s*'
    r"(?:<figcaption>(.*?)</figcaption>)?\s*</figure>",
    re.DOTALL,
)


def opening_paragraphs(body: str, *, count: int = 3) -> list[str]:
    """Plain text of the first non-empty paragraphs."""
    paragraphs = []
    # A quotation is not the writer's narration, so it never opens a teaser.
    for match in PARAGRAPH.finditer(BLOCKQUOTE.sub("", body or "")):
        text = html.unescape(strip_tags(match.group(1))).strip()
        if text:
            paragraphs.append(text)
        if len(paragraphs) == count:
            break
    return paragraphs


def image_attributes(tag_attributes: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in ATTRIBUTE.findall(tag_attributes)}


def images_in(body: str) -> list[dict[str, str]]:
    return [image_attributes(match.group(1)) for match in IMAGE.finditer(body or "")]


def render_body(body: str, photos_by_url: dict) -> str:
    """Replace editor figures with our figure component: alt text, caption, credit."""

    def figure(match):
        attributes = image_attributes(match.group(1))
        photo = photos_by_url.get(attributes.get("src"))
        return render_to_string(
            "components/figure.html",
            {
                "src": attributes.get("src", ""),
                "alt": attributes.get("alt") or (photo.alt_text if photo else ""),
                "width": photo.width if photo else attributes.get("width"),
                "height": photo.height if photo else attributes.get("height"),
                # The caption typed in the editor is already sanitized HTML.
                "caption": mark_safe(match.group(2)) if match.group(2) else "",
                "photo": photo,
            },
        ).strip()

    return mark_safe(FIGURE.sub(figure, body or ""))
