"""RSS 2.0 and Atom feeds for the whole site, each section, kind, author and topic."""

import datetime
import html
import io
import mimetypes
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.xmlutils import SimplerXMLGenerator
from taggit.models import Tag

from articles.models import Article, AuthorEntry, Kind, TopicEntry
from articles.seo import absolute
from publication.context_processors import cached_site_settings
from publication.feeds import SiteLanguageMixin
from publication.models import Author, Section, SiteSettings
from publication.page_cache import cached_many_under_version
from publication.syndication import XmlSafeFeedMixin

FEED_LENGTH = 30
# A start tag, its quoted attribute values kept whole (a ">" inside one does not end it).
START_TAG = re.compile(
    r"""<[a-zA-Z][^\s/>]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*/?>"""
)
URL_ATTRIBUTE = re.compile(
    r"""(\s(?:href|src|srcset|cite|poster)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)


class PrewrittenItemsMixin:
    """For django.utils.feedgenerator classes: items may come already written as XML
    (cached, see ArticleFeed.get_feed), and are then copied into the feed as they are."""

    prewritten_items: list[str] | None = None
    # The newest publish or update time of the prewritten items (the feed's own date).
    prewritten_latest = None

    def write_items(self, handler):
        if self.prewritten_items is None:
            return super().write_items(handler)
        for xml in self.prewritten_items:
            handler.ignorableWhitespace(xml)  # written as it is, not escaped

    def item_xml(self, item) -> str:
        """One item as write_items() writes it into the feed."""
        out = io.StringIO()
        handler = SimplerXMLGenerator(out, "utf-8", short_empty_elements=True)
        items, self.items = self.items, [item]
        try:
            super().write_items(handler)
        finally:
            self.items = items
        return out.getvalue()

    def latest_post_date(self):
        if self.prewritten_items is None:
            return super().latest_post_date()
        return self.prewritten_latest or super().latest_post_date()


class ArticleRssGenerator(PrewrittenItemsMixin, XmlSafeFeedMixin, Rss201rev2Feed):
    """RSS with the full body (content:encoded) and every author (dc:creator)."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _ in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("content:encoded", item["content"])


class ArticleAtomGenerator(PrewrittenItemsMixin, XmlSafeFeedMixin, Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})


@dataclass
class FeedObject:
    """What one request's feed is about; feed instances are shared between requests."""

    site: SiteSettings
    subject: object = None
    # The articles whose items are being written (only those missing from the cache).
    articles: list = field(default_factory=list)


class ArticleFeed(SiteLanguageMixin, Feed):
    """The latest live articles of the whole site; subclasses narrow it to one subject."""

    feed_type = ArticleRssGenerator
    url_name = "articles:feed"

    def get_object(self, request, slug=None):
        return FeedObject(cached_site_settings(), self.get_subject(slug) if slug else None)

    def get_subject(self, slug):
        return None

    def subject_title(self, subject) -> str:
        return str(subject)

    def filter_articles(self, articles, subject):
        return articles

    def title(self, obj):
        if obj.subject is None:
            return obj.site.name
        return f"{self.subject_title(obj.subject)} — {obj.site.name}"

    # Atom (RFC 4287) needs an author of the feed unless every entry names one; a live
    # article without a byline (a row written past the admin's checks) has none. RSS has no
    # place for it (Django writes it only into Atom).
    def author_name(self, obj):
        return obj.site.name

    def description(self, obj):
        subject = obj.subject
        return (
            getattr(subject, "description", "") or getattr(subject, "bio", "") or obj.site.tagline
        )

    def link(self, obj):
        return absolute(self.subject_url(obj.subject) if obj.subject else reverse("articles:home"))

    def subject_url(self, subject):
        return subject.get_absolute_url()

    def feed_url(self, obj):
        args = [obj.subject.slug] if obj.subject else []
        name = self.url_name + ("-atom" if self.feed_type is ArticleAtomGenerator else "")
        return absolute(reverse(name, args=args))

    def get_feed(self, obj, request):
        """The feed with each item's XML a fragment cached under the content version:
        an item shows the same in every feed listing its article, so a feed costs one
        query for which articles it lists and one cache round trip for their items; only
        the missing items (after an edit) are loaded and written, as Django writes them."""
        articles = Article.objects.live()
        if obj.subject is not None:
            articles = self.filter_articles(articles, obj.subject)
        listed = list(
            articles.order_by("-published_at", "-pk").values_list(
                "pk", "published_at", "updated_at"
            )[:FEED_LENGTH]
        )
        kind = "atom" if issubclass(self.feed_type, Atom1Feed) else "rss"
        names = {f"feed-item:{kind}:{pk}": pk for pk, _, _ in listed}

        def write(missing: list[str]) -> dict[str, str]:
            loaded = Article.objects.for_feed().in_bulk([names[name] for name in missing])
            obj.articles = [loaded[names[name]] for name in missing if names[name] in loaded]
            feed = super(ArticleFeed, self).get_feed(obj, request)
            return {
                f"feed-item:{kind}:{article.pk}": feed.item_xml(item)
                for article, item in zip(obj.articles, feed.items, strict=True)
            }

        found = cached_many_under_version(list(names), write)
        obj.articles = []
        feed = super().get_feed(obj, request)
        feed.prewritten_items = [found[name] for name in names if name in found]
        feed.prewritten_latest = max(
            (moment for _, *moments in listed for moment in moments if moment), default=None
        )
        return feed

    def items(self, obj):
        return obj.articles

    def item_title(self, article):
        return article.headline

    def item_description(self, article):
        # Feeds carry the description as HTML (Atom: summary type="html"); the dek is text.
        return escape(article.dek)

    def item_link(self, article):
        return absolute(article.get_absolute_url())

    # The entry's id names the article, not its address: a slug may change after
    # publication (the old address redirects), and a new id would make feed readers
    # list the article again as a new entry.
    item_guid_is_permalink = False

    def item_guid(self, article):
        return article_tag_uri(article)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        topics = (item.tag.name for item in article.feed_topic_items)
        return [article.section.name, article.kind.name, *topics]

    def item_enclosures(self, article):
        photo = article.shown_lead_photo
        if photo is None or not photo.may_redistribute:
            return []
        length = photo.social_image_bytes()
        if length is None:  # the file was missing from storage: no enclosure, not an error
            return []
        url = photo.social_image()["url"]
        return [Enclosure(url, str(length), mimetypes.guess_type(url)[0] or "image/jpeg")]

    def item_extra_kwargs(self, article):
        return {
            # Feed readers show entries away from the site: a relative URL would point
            # at the reader's own host.
            "content": absolute_urls(article.body_html(syndicated=True), self.item_link(article)),
            "authors": [
                (byline.author.name, absolute(byline.author.get_absolute_url()))
                for byline in article.feed_bylines
            ],
        }


def article_tag_uri(article) -> str:
    """A tag URI (RFC 4151) for the article: the site's host, the day the row was
    created and its id, none of which an edit changes."""
    host = urlsplit(settings.SITE_URL).hostname
    created = article.created_at.astimezone(datetime.UTC)
    return f"tag:{host},{created:%Y-%m-%d}:article:{article.pk}"


def absolute_urls(body: str, base: str) -> str:
    """Every URL in the attributes of this HTML made absolute against base (src, srcset
    candidates, href, cite, poster); "#note" becomes base#note, mailto: stays as it is."""

    def attribute(match):
        name = match.group(1)
        value = html.unescape(next(group for group in match.groups()[1:] if group is not None))
        if name.strip().lower().startswith("srcset"):
            value = ", ".join(
                " ".join([urljoin(base, url), *descriptor])
                for url, *descriptor in (
                    candidate.split() for candidate in value.split(",") if candidate.strip()
                )
            )
        else:
            value = urljoin(base, value.strip())
        return f'{name}"{escape(value)}"'

    return START_TAG.sub(lambda tag: URL_ATTRIBUTE.sub(attribute, tag.group(0)), body or "")


class SectionFeed(ArticleFeed):
    url_name = "articles:section-feed"

    def get_subject(self, slug):
        return get_object_or_404(Section, slug=slug)

    def filter_articles(self, articles, section):
        return articles.in_section(section)


class KindFeed(ArticleFeed):
    url_name = "articles:kind-feed"

    def get_subject(self, slug):
        return get_object_or_404(Kind, slug=slug)

    def filter_articles(self, articles, kind):
        return articles.filter(kind=kind)


class AuthorFeed(ArticleFeed):
    url_name = "articles:author-feed"

    def get_subject(self, slug):
        return get_object_or_404(Author, slug=slug)

    def filter_articles(self, articles, author):
        return articles.newest_listed(AuthorEntry.objects.filter(author=author), FEED_LENGTH)


class TagFeed(ArticleFeed):
    url_name = "articles:tag-feed"

    def get_subject(self, slug):
        return get_object_or_404(Tag, slug=slug)

    def subject_url(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def filter_articles(self, articles, tag):
        return articles.newest_listed(TopicEntry.objects.filter(tag=tag), FEED_LENGTH)


def atom(feed_class):
    """The Atom twin of an RSS feed class."""
    return type(f"{feed_class.__name__}Atom", (feed_class,), {"feed_type": ArticleAtomGenerator})
