from django.urls import path

from articles import feeds, sitemaps, views
from publication.page_cache import public_page

app_name = "articles"


def feed_paths(prefix: str, feed_class, name: str) -> list:
    """A listing's RSS feed at <prefix>feed/ and its Atom twin at <prefix>feed/atom/."""
    return [
        path(f"{prefix}feed/", public_page(feed_class()), name=name),
        path(f"{prefix}feed/atom/", public_page(feeds.atom(feed_class)()), name=f"{name}-atom"),
    ]


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
    path("credits/<slug:slug>/", public_page(views.CreatorView.as_view()), name="creator"),
    path("search/", public_page(views.search_results), name="search"),
    path("robots.txt", public_page(sitemaps.robots_txt), name="robots"),
    path("sitemap.xml", public_page(sitemaps.sitemap_index), name="sitemap-index"),
    path("sitemap-news.xml", public_page(sitemaps.news_sitemap), name="sitemap-news"),
    path(
        "sitemap-<slug:section>.xml",
        public_page(sitemaps.sitemap),
        {"sitemaps": sitemaps.SITEMAPS, "template_name": "articles/sitemap.xml"},
        name="sitemap",
    ),
    *feed_paths("", feeds.ArticleFeed, "feed"),
    *feed_paths("section/<slug:slug>/", feeds.SectionFeed, "section-feed"),
    *feed_paths("kind/<slug:slug>/", feeds.KindFeed, "kind-feed"),
    *feed_paths("topic/<str:slug>/", feeds.TagFeed, "tag-feed"),
    *feed_paths("authors/<slug:slug>/", feeds.AuthorFeed, "author-feed"),
]
