from django.urls import path

from articles import feeds, sitemaps, views
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
    path("feed/", public_page(feeds.ArticleFeed()), name="feed"),
    path("feed/atom/", public_page(feeds.atom(feeds.ArticleFeed)()), name="feed-atom"),
    path("section/<slug:slug>/feed/", public_page(feeds.SectionFeed()), name="section-feed"),
    path(
        "section/<slug:slug>/feed/atom/",
        public_page(feeds.atom(feeds.SectionFeed)()),
        name="section-feed-atom",
    ),
    path("kind/<slug:slug>/feed/", public_page(feeds.KindFeed()), name="kind-feed"),
    path(
        "kind/<slug:slug>/feed/atom/",
        public_page(feeds.atom(feeds.KindFeed)()),
        name="kind-feed-atom",
    ),
    path("topic/<str:slug>/feed/", public_page(feeds.TagFeed()), name="tag-feed"),
    path(
        "topic/<str:slug>/feed/atom/",
        public_page(feeds.atom(feeds.TagFeed)()),
        name="tag-feed-atom",
    ),
    path("authors/<slug:slug>/feed/", public_page(feeds.AuthorFeed()), name="author-feed"),
    path(
        "authors/<slug:slug>/feed/atom/",
        public_page(feeds.atom(feeds.AuthorFeed)()),
        name="author-feed-atom",
    ),
]
