from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from publication import views
from publication.page_cache import public_page
from publication.security import PasswordResetForm

publication_patterns = [
    path("editor/images/", views.editor_image_upload, name="editor-image-upload"),
    path("manifest.webmanifest", public_page(views.web_manifest), name="manifest"),
    *[path(name, views.site_icon, {"name": name}) for name in views.ROOT_ICONS],
]

handler400 = views.bad_request
handler500 = views.server_error

urlpatterns = [
    path("csp-report/", views.csp_report, name="csp-report"),
    # Password reset by email for staff; the admin's login page links to it by this name.
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
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
