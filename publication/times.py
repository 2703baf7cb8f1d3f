"""How dates and times are worded for staff: in the site's zone, with the zone named.

The admin's displays and the texts models write (a revision's comment, a scheduled
article's status) share these, so a time reads the same everywhere."""

from django.utils import timezone
from django.utils.html import format_html

ADMIN_TIME = "%a %-d %b %Y, %H:%M"


def zoned_text(moment) -> str:
    """A date and time in the site's zone, with the zone named: for plain text."""
    return f"{timezone.localtime(moment):{ADMIN_TIME}} ({timezone.get_current_timezone_name()})"


def zoned_time(moment):
    """A date and time as the admin shows it: in the site's zone, with the zone named."""
    if moment is None:
        return "—"
    return format_html(
        '<time datetime="{}">{}</time> ({})',
        moment.isoformat(),
        f"{timezone.localtime(moment):{ADMIN_TIME}}",
        timezone.get_current_timezone_name(),
    )
