from urllib.parse import urlencode

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from publication.models import Section, SiteSettings
from publication.page_cache import cached_under_version

# Listings page with ?before=/?after= (keyset); search results with ?page=.
PAGINATION_PARAMETERS = ("before", "after", "page")


def site(request):
    """Site chrome for public templates; lazy so pages that don't show it don't query."""
    return {
        "site": SimpleLazyObject(cached_site_settings),
        "nav_sections": Section.objects.all(),
        "site_url": settings.SITE_URL,
        "canonical_url": canonical_url(request),
    }


def cached_site_settings() -> SiteSettings:
    """Every page shows them: kept in the cache until anything public changes."""
    return cached_under_version("site-settings", SiteSettings.for_pages)


def canonical_url(request) -> str:
    """This page's address on the public site: only the pagination parameters, no tracking."""
    kept = {name: request.GET[name] for name in PAGINATION_PARAMETERS if request.GET.get(name)}
    return f"{settings.SITE_URL}{request.path}" + (f"?{urlencode(kept)}" if kept else "")
