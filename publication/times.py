"""How dates and times are worded for staff: in the site's zone, with the zone named.

The admin's displays and the texts models write (a revision's comment, a scheduled
article's status) share these, so a time reads the same everywhere."""

from django.utils import timezone
from django.utils.html import format_html

ADMIN_TIME = "%a %-d %b %Y, %H:%M"


def machine_time(moment) -> str:
    """A date and time for HTML's datetime attribute: ISO 8601 in the site's zone, to the
    second. isoformat() and the date filter's "c" write microseconds, and HTML allows at
    most three digits of a fraction, so a time saved by "Publish now" made the page invalid."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def zoned_text(moment) -> str:
    """A date and time in the site's zone, with the zone named: for plain text."""
    return f"{timezone.localtime(moment):{ADMIN_TIME}} ({timezone.get_current_timezone_name()})"


def zoned_time(moment):
    """A date and time as the admin shows it: in the site's zone, with the zone named."""
    if moment is None:
        return "—"
    return format_html(
        '<time datetime="{}">{}</time> ({})',
        machine_time(moment),
        f"{timezone.localtime(moment):{ADMIN_TIME}}",
        timezone.get_current_timezone_name(),
    )
