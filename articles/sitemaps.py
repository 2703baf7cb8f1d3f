"""sitemap.xml (an index of one sitemap per kind of page), the Google News sitemap, robots.txt."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import F, Max, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from articles.models import Article, Byline, Kind
from publication.context_processors import cached_site_settings
from publication.models import Author, Creator, Photo, Section
from publication.page_cache import cached_under_version, changes_by_itself_at
from publication.syndication import xml_safe_response

NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most this many URLs per sitemap


class SiteSitemap(Sitemap):
    """Locations built from SITE_URL, never from the Host header of the request."""

    def get_urls(self, page=1, site=None, protocol=None):
        url = urlsplit(settings.SITE_URL)
        return self._urls(page, url.scheme, url.netloc)


class ArticleSitemap(SiteSitemap):
    def items(self):
        return (
            Article.objects.live()
            .only("slug", "updated_at")
            # Just the lead image's address: loading each photo's renditions record
            # (~4 KB of JSON) would be ~200 MB for a file of 50,000 articles.
            .annotate(
                lead_image_name=F("lead_photo__image"),
                lead_license_expires_on=F("lead_photo__license_expires_on"),
                lead_social_src=KeyTextTransform(
                    "src", KeyTransform("social", "lead_photo__renditions")
                ),
            )
            .order_by("-published_at", "-pk")
        )

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            article = url["item"]
            if article.lead_image_name and not Photo.license_lapsed(
                article.lead_license_expires_on
            ):
                url["image"] = Photo.social_image_url(
                    article.lead_social_src, article.lead_image_name
                )
        return urls

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # One aggregate instead of Django's default walk over every article.
        return Article.objects.live().aggregate(latest=Max("updated_at"))["latest"]


class SectionSitemap(SiteSitemap):
    def items(self):
        return Section.objects.all()


class KindSitemap(SiteSitemap):
    def items(self):
        return Kind.objects.all()


class AuthorSitemap(SiteSitemap):
    def items(self):
        bylines = Byline.objects.filter(article__in=Article.objects.live())
        return Author.objects.filter(pk__in=bylines.values("author_id"))


class CreatorSitemap(SiteSitemap):
    """Creators whose pages list something: photos readers have seen, licence not expired."""

    def items(self):
        live = Article.objects.live()
        photos = Photo.objects.filter(
            Q(lead_articles__in=live) | Q(body_articles__in=live)
        ).exclude(pk__in=Photo.objects.license_expired())
        return Creator.objects.filter(
            Q(pk__in=photos.values("creator_id")) | Q(pk__in=photos.values("source_id"))
        )


class TopicSitemap(SiteSitemap):
    def items(self):
        tagged = TaggedItem.objects.filter(
            content_type__app_label="articles",
            content_type__model="article",
            object_id__in=Article.objects.live().values("pk"),
        )
        return Tag.objects.filter(pk__in=tagged.values("tag_id")).order_by("name")

    def location(self, tag):
        return reverse("articles:tag", args=[tag.slug])


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "kinds": KindSitemap,
    "authors": AuthorSitemap,
    "creators": CreatorSitemap,
    "topics": TopicSitemap,
}


def sitemap_index_entries() -> list[SitemapIndexItem]:
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = settings.SITE_URL + reverse("articles:sitemap", args=[section])
        lastmod = sitemap.get_latest_lastmod()
        for page in range(1, sitemap.paginator.num_pages + 1):
            entries.append(
                SitemapIndexItem(location if page == 1 else f"{location}?p={page}", lastmod)
            )
    return entries


# Each sitemap (articles, sections, …), cleaned of what XML cannot hold, like the others.
# The methods are public_page's (articles/urls.py): GET and HEAD; require_GET here refused
# HEAD to link checkers and search engines.
sitemap = xml_safe_response(sitemap_views.sitemap)


@x_robots_tag
@xml_safe_response
def sitemap_index(request):
    """One entry per sitemap page: a sitemap holds at most 50,000 URLs."""
    # A count per sitemap grows with the archive; the entries change only with the content.
    entries = cached_under_version("sitemap-index", sitemap_index_entries)
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@x_robots_tag
@xml_safe_response
def news_sitemap(request):
    """Articles published in the last 48 hours, as Google News asks."""
    articles = list(
        Article.objects.published_within(NEWS_WINDOW)
        .only("slug", "headline", "published_at")
        .order_by("-published_at", "-pk")[:NEWS_LIMIT]
    )
    if articles:
        # Cached whole, it listed an article up to PAGE_CACHE_SECONDS past its 48 hours.
        changes_by_itself_at(articles[-1].published_at + NEWS_WINDOW)
    site = cached_site_settings()
    context = {"articles": articles, "site_name": site.name, "language": site.news_language}
    return TemplateResponse(
        request, "articles/sitemap_news.xml", context, content_type="application/xml"
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('articles:preview', args=[0]).removesuffix('0/')}",
        f"Disallow: {reverse('articles:share', args=['x']).removesuffix('x/')}",
        f"Disallow: {reverse('articles:search')}",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('articles:sitemap-index')}",
        f"Sitemap: {settings.SITE_URL}{reverse('articles:sitemap-news')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
