from django.conf import settings
from django.utils.functional import SimpleLazyObject

from publication.models import Section, SiteSettings
from publication.page_cache import cached_under_version


def site(request):
    """Site chrome for public templates; lazy so pages that don't show it don't query."""
    return {
        "site": SimpleLazyObject(lambda: cached_site_settings(request)),
        "nav_sections": Section.objects.all(),
        "site_url": settings.SITE_URL,
    }


def cached_site_settings(request) -> SiteSettings:
    """Every page shows them: kept in the cache until anything public changes."""
    return cached_under_version(request, "site-settings", SiteSettings.load)
