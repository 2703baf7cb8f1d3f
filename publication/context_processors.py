from django.conf import settings
from django.utils.functional import SimpleLazyObject

from publication.models import Section, SiteSettings


def site(request):
    """Site chrome for public templates; lazy so pages that don't show it don't query."""
    return {
        "site": SimpleLazyObject(SiteSettings.load),
        "nav_sections": Section.objects.all(),
        "site_url": settings.SITE_URL,
    }
