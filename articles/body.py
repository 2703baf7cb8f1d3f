"""Reading and rendering the stored (already sanitized) article body."""

import html
import re
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from publication.html import sanitize_html

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
# Any other figure (pasted HTML: an image in a link, a table) and an image alone in a link.
ANY_FIGURE = re.compile(r"<figure\b[^>]*>.*?</figure>", re.DOTALL)
LINKED_IMAGE = re.compile(r"<a\s[^>]*>\s*<img\s([^>]*)>\s*</a>")


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


def replace_image_sources(body: str, sources: dict[str, str]) -> str:
    """The body with each image whose src is a key of sources pointed at its value."""

    def image(match):
        new = sources.get(image_attributes(match.group(1)).get("src"))
        if new is None:
            return match.group(0)

        def attribute(found):
            return f'src="{html.escape(new)}"' if found.group(1) == "src" else found.group(0)

        return f"<img {ATTRIBUTE.sub(attribute, match.group(1))}>"

    return IMAGE.sub(image, body or "")


def render_body(body: str, photos_by_url: dict, *, withdrawn=frozenset()) -> str:
    """Replace editor figures with our figure component: alt text, caption, credit.

    Images whose address is in `withdrawn` are left out, with their figure and caption.
    """

    def figure(match):
        attributes = image_attributes(match.group(1))
        if attributes.get("src") in withdrawn:
            return ""
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

    def image(match):
        withdrawn_image = image_attributes(match.group(1)).get("src") in withdrawn
        return "" if withdrawn_image else match.group(0)

    def without_withdrawn_images(html_part):
        # A link that held only a withdrawn image would be left empty: it goes too.
        return IMAGE.sub(image, LINKED_IMAGE.sub(image, html_part))

    def other_figure(match):
        # A figure whose every image is withdrawn would keep just its caption.
        if not IMAGE.search(match.group(0)):
            return match.group(0)  # a table, a quotation: no image to withdraw
        kept = without_withdrawn_images(match.group(0))
        return kept if IMAGE.search(kept) else ""

    body = FIGURE.sub(figure, body or "")
    # Images outside an editor figure (pasted figures, inline, in a link): the editor
    # figures above are ours by now.
    if withdrawn:
        body = without_withdrawn_images(ANY_FIGURE.sub(other_figure, body))
    return mark_safe(body)


# A trailing empty paragraph, as pasted from a word processor: "<p>&nbsp;</p>", "<p><br></p>",
# also inside bold or italics ("<p><strong>&nbsp;</strong></p>") or with a zero-width space.
EMPTY_PARAGRAPH_CONTENT = (
    r"(?:\s|&nbsp;|\xa0|\u200b|\ufeff|<br\s*/?>|</?(?:strong|b|em|i|u|s|sub|sup|code)>)*"
)
TRAILING_EMPTY_PARAGRAPHS = re.compile(rf"(?:\s*<p>{EMPTY_PARAGRAPH_CONTENT}</p>)+\s*$")
PLACEHOLDER = re.compile(r"\b(?:TK|XX+)\b")
HEADING = re.compile(r"<h([1-6])[\s>]")
LINK_TEXT = re.compile(r"<a\s[^>]*>(.*?)</a>", re.DOTALL)
VAGUE_LINK_TEXT = {"click here", "here", "read more", "this link", "link", "more"}
WORDS_PER_MINUTE = 230
DEK_MAX_LENGTH = 160


def drop_trailing_empty_paragraphs(body: str) -> str:
    return TRAILING_EMPTY_PARAGRAPHS.sub("", body or "")


def stored_body(body: str) -> str:
    """The body as an article keeps it: sanitised, without a pasted empty last paragraph."""
    return drop_trailing_empty_paragraphs(sanitize_html(body or ""))


# What CKEditor rewrites when it loads a body, without changing what readers see: it writes
# <em> as <i> and <b> as <strong>, runs of spaces as one, and stacked styles in its own order
# (<strong><em>x</em></strong> comes back <i><strong>x</strong></i>). Measured in Chromium.
# It drops nothing the allow-list keeps (publication.html, tests.browser.test_editor_markup).
INLINE_STYLES = {
    "em": "i",
    "i": "i",
    "b": "strong",
    "strong": "strong",
    **{tag: tag for tag in ("u", "s", "sub", "sup", "code")},
}
BLOCK_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "figure", "figcaption", "hr"}
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # not \s: a no-break space is kept, as CKEditor does


class ComparableBody(HTMLParser):
    """Tags with sorted attributes, and text runs with the set of styles they are shown in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.styles: list[str] = []
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        if tag in INLINE_STYLES:
            self.styles.append(INLINE_STYLES[tag])
        else:
            self.tokens.append(("<", tag, tuple(sorted(attrs))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)  # <br/> and <br> alike

    def handle_endtag(self, tag):
        if tag not in INLINE_STYLES:
            self.tokens.append(("</", tag))
        elif INLINE_STYLES[tag] in self.styles:
            del self.styles[len(self.styles) - 1 - self.styles[::-1].index(INLINE_STYLES[tag])]

    def handle_data(self, data):
        styles = frozenset(self.styles)
        last = self.tokens[-1] if self.tokens else None
        if last and last[0] == "text" and last[1] == styles:
            self.tokens[-1] = ("text", styles, last[2] + data)
        else:
            self.tokens.append(("text", styles, data))

    def result(self) -> tuple:
        self.close()
        tokens = []
        for index, token in enumerate(self.tokens):
            if token[0] != "text":
                tokens.append(token)
                continue
            text = HTML_SPACE.sub(" ", token[2])
            # Spaces next to a block's edge show nothing, and CKEditor drops them.
            if index == 0 or self.tokens[index - 1][1] in BLOCK_TAGS:
                text = text.lstrip(" ")
            if index == len(self.tokens) - 1 or self.tokens[index + 1][1] in BLOCK_TAGS:
                text = text.rstrip(" ")
            if text:
                tokens.append(("text", token[1], text))
        return tuple(tokens)


def comparable_body(body: str) -> tuple:
    """The body as stored, in a form where what CKEditor rewrites on load compares equal.

    The one test of whether an editor changed the body: History's "Changed Body." and a
    second Restore both read it.
    """
    parser = ComparableBody()
    parser.feed(stored_body(body))
    return parser.result()


def plain_text(body: str) -> str:
    return html.unescape(strip_tags(re.sub(r"<(?:/p|br\s*/?|/h\d|/li)>", " ", body or "")))


def word_count(body: str) -> int:
    return len(plain_text(body).split())


def placeholder_warning(where: str, text: str) -> list[str]:
    """A warning naming where "TK" or "XX" was left in typed text; none when there is none."""
    placeholders = sorted(set(PLACEHOLDER.findall(text or "")))
    if not placeholders:
        return []
    return [f"The {where} still holds placeholders: {', '.join(placeholders)}."]


def body_warnings(body: str) -> list[str]:
    """What a careful sub-editor would flag in the body; none of it stops publishing."""
    warnings = placeholder_warning("text", plain_text(body))
    missing_alt = sum(1 for image in images_in(body) if not image.get("alt", "").strip())
    if missing_alt:
        warnings.append(f"{missing_alt} image(s) in the body have no alt text.")
    # The page's headline is the h1, so the body's first heading level is h2.
    previous = 1
    for level in (int(level) for level in HEADING.findall(body or "")):
        if level > previous + 1:
            warnings.append(f"A heading skips a level (h{previous} to h{level}).")
            break
        previous = level
    vague = [
        strip_tags(match).strip()
        for match in LINK_TEXT.findall(body or "")
        if html.unescape(strip_tags(match)).strip().lower() in VAGUE_LINK_TEXT
    ]
    if vague:
        warnings.append(f"Link text “{vague[0]}” does not say where the link goes.")
    return warnings
