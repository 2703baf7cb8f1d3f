import html
import re

from django import template
from django.utils.safestring import SafeData

from articles import seo

register = template.Library()


@register.filter
def meta_description(text) -> str:
    """Any page's description as search results and shared links show it (≤160 characters)."""
    if isinstance(text, SafeData):
        # Already escaped ({% blocktranslate asvar %}): shortened as read, escaped again on output.
        text = html.unescape(text)
    return seo.shorten(str(text or ""))


@register.filter
def page_title(title, site_name) -> str:
    """A page's <title>: "Title — Site" while it fits what search results show, else the
    title alone (articles.seo.title_tag), as article pages are titled."""
    return seo.title_tag(str(title), str(site_name))


# A word of an address: letters and digits ("black-sea_deal.html" → black, sea, deal, html).
ADDRESS_WORD = re.compile(r"[^\W_]+")


@register.filter
def address_words(path) -> str:
    """The words of an address's last part, for the not-found page's search box: an old or
    mistyped link still names what the reader was after ("/articles/black-sea-deal/" →
    "black sea deal"). Empty when that part holds no letter (an id, a date)."""
    last = next((part for part in reversed(str(path).split("/")) if part), "")
    words = ADDRESS_WORD.findall(last.rsplit(".", 1)[0] if "." in last else last)
    return " ".join(words) if any(not word.isdigit() for word in words) else ""
