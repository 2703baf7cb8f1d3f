"""Server-side HTML allow-list for rich text; the editor's own filtering is advisory.

One home for what a body may hold: the article editor's heading menu and list options
(settings.CKEDITOR_5_CONFIGS) are made from it, and CKEditor keeps exactly this markup
and nothing else (tests.browser.test_editor_markup), so what the editor shows is what is
stored and rendered.
"""

import nh3

# The body's headings, by their names in the editor's menu; the page's h1 is the headline.
HEADINGS = {"h2": "Heading", "h3": "Subheading", "h4": "Minor heading"}
# What the editor's toolbar produces, plus the few inline tags editors paste from other
# documents (underline, strike, sub/sup, code), which the editor keeps too.
ALLOWED_TAGS = {
    "p",
    "br",
    *HEADINGS,
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "hr",
    "code",
}
ALLOWED_ATTRIBUTES = {
    # No title: the editor has no place to see or change it (CKEditor drops it), and a
    # tooltip reaches no keyboard, touch or most screen-reader users: the link's text
    # says where it goes.
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},  # a numbered list that goes on after a paragraph
}
# "image-style-side": an image beside the text (CKEditor's "side" image style).
ALLOWED_CLASSES = {"figure": {"image", "image-style-side"}}
# CKEditor's image styles: the plain block image, and those whose class the list keeps;
# it kept pasted ones it knows ("image-style-align-left") that the page then lost.
IMAGE_STYLES = [
    "block",
    *sorted(
        name.removeprefix("image-style-")
        for name in ALLOWED_CLASSES["figure"]
        if name.startswith("image-style-")
    ),
]
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def editor_markup_options() -> dict:
    """The parts of the article editor's CKEditor config that follow the allow-list."""
    return {
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                *(
                    {
                        "model": f"heading{tag[1]}",
                        "view": tag,
                        "title": title,
                        "class": f"ck-heading_heading{tag[1]}",
                    }
                    for tag, title in HEADINGS.items()
                ),
            ]
        },
        # The protocols a link may use (static/js/admin-safe-links.js drops any other's
        # address as it arrives; CKEditor itself only hides unsafe ones in its view), and
        # no target attribute.
        "link": {"allowedProtocols": sorted(URL_SCHEMES), "addTargetToExternalLinks": False},
        # The numbered list's start number, and no list styles (they are style attributes).
        "list": {
            "properties": {
                "styles": False,
                "startIndex": "start" in ALLOWED_ATTRIBUTES["ol"],
                "reversed": "reversed" in ALLOWED_ATTRIBUTES["ol"],
            }
        },
    }
