from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("share/<str:token>/", views.article_share, name="share"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("kind/<slug:slug>/", views.KindView.as_view(), name="kind"),
    # taggit keeps non-ASCII letters in slugs ("zürich"), which <slug:> would not match.
    path("topic/<str:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
]
