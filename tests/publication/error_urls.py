"""The site's URLs plus one that fails, to see the 500 page readers would get."""

from django.urls import path

from publication.urls import handler500  # noqa: F401 (the site's 500 view)
from publication.urls import urlpatterns as site_urlpatterns


def broken_view(request):
    raise RuntimeError("Something broke while rendering.")


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]
