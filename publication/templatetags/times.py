from django import template

from publication import times

register = template.Library()


@register.filter
def machine_time(moment) -> str:
    """{{ moment|machine_time }} for a <time datetime> attribute (publication.times)."""
    return times.machine_time(moment) if moment else ""
