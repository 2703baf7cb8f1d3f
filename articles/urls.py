from django.urls import path

from articles import views
from publication.page_cache import public_page

app_name = "articles"

urlpatterns = [
    path("", public_page(views.HomeView.as_view()), name="home"),
    path("articles/<slug:slug>/", public_page(views.ArticleDetailView.as_view()), name="article"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("share/<str:token>/", views.article_share, name="share"),
    path("section/<slug:slug>/", public_page(views.SectionView.as_view()), name="section"),
    path("kind/<slug:slug>/", public_page(views.KindView.as_view()), name="kind"),
    # taggit keeps non-ASCII letters in slugs ("zürich"), which <slug:> would not match.
    path("topic/<str:slug>/", public_page(views.TagView.as_view()), name="tag"),
    path("authors/<slug:slug>/", public_page(views.AuthorView.as_view()), name="author"),
]
