"""How dates and times are worded for staff: in the site's zone, with the zone named.

The admin's displays and the texts models write (a revision's comment, a scheduled
article's status) share these, so a time reads the same everywhere."""

from django.utils import timezone
from django.utils.html import format_html

ADMIN_TIME = "%a %-d %b %Y, %H:%M"
# The day as admin lists write it, over a listed time or alone (a licence's last day).
LISTED_DAY = "%-d %b %Y"


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


def zoned_time_listed(moment):
    """A date and time in an admin list: the day over the time and the zone ("2 Dec 2026" /
    "09:00 Europe/Berlin", admin-lists.css), two short lines that leave the text columns
    beside them room at 1,280 px."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}"><span class="day">{}</span> {}</time> <small>{}</small>',
        machine_time(moment),
        local.strftime(LISTED_DAY),
        local.strftime("%H:%M"),
        timezone.get_current_timezone_name(),
    )


def date_listed(day):
    """A date (no time of day) in an admin list, written as zoned_time_listed() writes the
    day: "20 Nov 2026", where Django's own format wrote "Nov. 20, 2026" beside it."""
    if day is None:
        return "—"
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), day.strftime(LISTED_DAY))
