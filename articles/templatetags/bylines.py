from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.models import natural_join

register = template.Library()


@register.filter
def linked_names(authors) -> str:
    """Each author linked to their page, joined as "A, B and C"."""
    links = [format_html('<a href="{}">{}</a>', a.get_absolute_url(), a.name) for a in authors]
    # format_html escaped every name; natural_join adds only ", " and " and ".
    return mark_safe(natural_join(links))
