"""Small security helpers that settings point at."""

from django.conf import settings


def client_ip(request) -> str:
    """The reader's address: REMOTE_ADDR, or the proxy's header when one is configured.

    The same header as the newsletter's rate limits (NEWSLETTER_CLIENT_IP_HEADER), so one
    setting describes the proxy.
    """
    header = getattr(settings, "NEWSLETTER_CLIENT_IP_HEADER", "REMOTE_ADDR")
    value = request.META.get(header) or request.META.get("REMOTE_ADDR", "")
    # The last address is the one our own proxy added; earlier ones are the client's word.
    return value.rsplit(",", 1)[-1].strip()
