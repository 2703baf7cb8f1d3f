from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from publication import views

publication_patterns = [
    path("editor/images/", views.editor_image_upload, name="editor-image-upload"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("newsletter/", include("newsletter.urls")),
    path("", include((publication_patterns, "publication"))),
    path("", include("articles.urls")),
]

if settings.MEDIA_URL.startswith("/"):
    # Local media (the one-machine layout); with S3, MEDIA_URL is the bucket's address.
    urlpatterns.insert(
        0, path(settings.MEDIA_URL.lstrip("/") + "<path:path>", views.media, name="media")
    )
