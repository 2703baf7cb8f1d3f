import html

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
