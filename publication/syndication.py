"""Text for feeds and sitemaps: only what XML 1.0 can carry.

Most control characters (a vertical tab from a word processor's line break, a form feed)
are not allowed in XML 1.0: Django's feed writer refuses them with an error (one such
headline took down every feed listing it), and a template would write an XML file no reader
can parse. Text is stored without them (publication.text.clean_typed_text), but rows written
past save() (update(), bulk_create(), loaddata, imports) skip that rule, so every XML output
drops them again on the way out: feeds as they are built (XmlSafeFeedMixin), documents
rendered from templates as a whole (xml_safe_response), the credit packet written into
renditions (publication.renditions.xmp_packet).
"""

import functools
import re

# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """value without the characters XML 1.0 cannot hold (in lists and tuples too)."""
    if isinstance(value, str):
        return NOT_IN_XML.sub("", value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_text(item) for item in value)
    return value


def xml_safe_response(view):
    """For views that render XML from a template (sitemaps): the whole document is cleaned
    once rendered, so no field, present or added later, can make it unreadable."""

    def clean(response):
        # The characters are never part of markup, only of the text in it.
        response.content = NOT_IN_XML.sub("", response.content.decode(response.charset))

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(response, "is_rendered", True):
            clean(response)
        else:
            response.add_post_render_callback(clean)
        return response

    return wrapper


class XmlSafeFeedMixin:
    """For django.utils.feedgenerator classes: every piece of text of the feed and its items
    (title, description, categories, extra item fields such as the full body) is made
    XML-safe as it is added."""

    def __init__(self, *args, **kwargs):
        super().__init__(*xml_text(args), **{key: xml_text(v) for key, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_text(args), **{key: xml_text(v) for key, v in kwargs.items()})
