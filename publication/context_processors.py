from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject

from publication.models import Section, SiteSettings
from publication.page_cache import cached_in_process_under_version

# Listings page with ?before= or ?after= (keyset_page reads ?before= when both are given).
KEYSET_PARAMETERS = ("before", "after")


def site(request):
    """Site chrome for public templates; lazy so pages that don't show it don't read it."""
    chrome = SimpleLazyObject(site_chrome)
    return {
        "site": SimpleLazyObject(lambda: chrome["site"]),
        "chrome": chrome,
        "site_url": settings.SITE_URL,
        "canonical_url": canonical_url(request),
    }


def site_chrome() -> dict:
    """What every page shows around its content: the site settings and the rendered header
    (navigation), newsletter box and social links; one piece, kept in the cache and in
    each process until anything public changes."""
    chrome = cached_in_process_under_version("site-chrome", render_site_chrome)
    global _last_language
    _last_language = chrome["site"].language
    return chrome


# The site's language as the last page this process drew said it (see last_language).
_last_language = None


def last_language() -> str:
    """The site's language for a page that must not query: the 500 page, shown when the
    database or the cache may be what failed. Every page says the language chosen in site
    settings; this is it as this process last read it, else LANGUAGE_CODE."""
    return _last_language or settings.LANGUAGE_CODE


def render_site_chrome() -> dict:
    site = SiteSettings.for_pages()
    context = {"site": site}
    return {
        "site": site,
        "header": render_to_string(
            "components/site_header.html", {**context, "nav_sections": Section.objects.all()}
        ),
        "newsletter_box": render_to_string("components/newsletter_box.html", context),
        "follow_us": render_to_string("components/follow_us.html", context),
    }


def cached_site_settings() -> SiteSettings:
    return site_chrome()["site"]


def canonical_url(request, *, page_number: int | None = None) -> str:
    """This page's address on the public site: no tracking, and of the pagination only what
    the page reads, so a parameter it ignores makes no second address for it. A listing's
    keyset cursor comes from the request; a numbered list (the newsletter archive) passes
    the number of the page it shows ("?page=last" names it), page one without one."""
    if page_number is not None:
        kept = {"page": page_number} if page_number > 1 else {}
    else:
        cursor = next((name for name in KEYSET_PARAMETERS if request.GET.get(name)), None)
        kept = {cursor: request.GET[cursor]} if cursor else {}
    return f"{settings.SITE_URL}{request.path}" + (f"?{urlencode(kept)}" if kept else "")
