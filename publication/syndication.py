"""Text for feeds and sitemaps: only what XML 1.0 can carry.

Most control characters (a vertical tab from a word processor's line break, a form feed)
are legal in our text fields but not in XML 1.0: Django's feed writer refuses them with an
error (one such headline took down every feed listing it), and a template would write an
XML file no reader can parse. They carry nothing readable, so feeds and sitemaps drop them.
"""

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


class XmlSafeFeedMixin:
    """For django.utils.feedgenerator classes: every piece of text of the feed and its items
    (title, description, categories, extra item fields such as the full body) is made
    XML-safe as it is added."""

    def __init__(self, *args, **kwargs):
        super().__init__(*xml_text(args), **{key: xml_text(v) for key, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_text(args), **{key: xml_text(v) for key, v in kwargs.items()})
