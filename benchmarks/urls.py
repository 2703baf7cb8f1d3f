from django.http import HttpResponse
from django.urls import path

from publication.urls import urlpatterns as site_urlpatterns


def ceiling(request):
    """No database, no template: what the server and middleware alone can do."""
    return HttpResponse("ceiling\n", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *site_urlpatterns]
