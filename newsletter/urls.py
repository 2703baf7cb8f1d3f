from django.urls import path
from django.views.generic import TemplateView

from newsletter import feeds, views
from publication.page_cache import public_page
from publication.routers import reads_primary

app_name = "newsletter"

urlpatterns = [
    path("", public_page(views.signup, methods=("GET", "HEAD", "POST")), name="signup"),
    path(
        "thanks/",
        TemplateView.as_view(template_name="newsletter/signup_done.html"),
        name="signup-done",
    ),
    # Opened moments after the signup (or confirmation) wrote the subscriber.
    path("confirm/<str:token>/", reads_primary(views.confirm), name="confirm"),
    path("unsubscribe/<str:token>/", reads_primary(views.unsubscribe), name="unsubscribe"),
    path("archive/", public_page(views.RoundupArchiveView.as_view()), name="archive"),
    path(
        "archive/<int:pk>/",
        public_page(views.RoundupDetailView.as_view()),
        name="archive-issue",
    ),
    path("archive/feed/", public_page(feeds.RoundupArchiveFeed()), name="archive-feed"),
]
