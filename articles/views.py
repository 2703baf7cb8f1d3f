import hashlib

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView
from reversion.errors import RevertError
from reversion.models import Version
from taggit.models import Tag

from articles import revisions, search, seo
from articles.cards import (
    listing_cards,
    photo_cards,
    search_result_heads,
    search_result_texts,
    teaser_cards,
)
from articles.forms import SearchForm
from articles.models import Article, AuthorEntry, Kind, ShareLink, TopicEntry
from publication.context_processors import cached_site_settings
from publication.models import Author, Creator, Photo, Section
from publication.page_cache import (
    cached_in_process_under_version,
    cached_under_version,
    skip_shared_caches,
)
from publication.pagination import KeysetPaginationMixin

RIVER_LENGTH = 6
FEATURED_LENGTH = 3


class HomeView(KeysetPaginationMixin, ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"

    def get_queryset(self):
        # The same few for every request until something public changes: a shared piece.
        self.featured = cached_in_process_under_version(
            "featured-articles",
            lambda: list(Article.objects.for_river().filter(featured=True)[:FEATURED_LENGTH]),
        )
        return Article.objects.for_river().exclude(pk__in=[a.pk for a in self.featured])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Featured articles lead the first page only; else the river's first image is eager.
        featured = [] if context["page_obj"].has_previous() else self.featured
        variants = ["lead", *["featured"] * (len(featured) - 1)] if featured else ["eager"]
        cards, context["share_image"] = listing_cards(
            [*featured, *context["articles"]], variants=variants
        )
        context["featured_cards"], context["cards"] = cards[: len(featured)], cards[len(featured) :]
        return context


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        # Only what decides whether the page exists (live, this slug) is asked on every
        # request; the page itself is a fragment cached under the content version.
        return Article.objects.live().only("pk", "slug", "headline")

    def get_context_data(self, **kwargs):
        pk = self.object.pk
        page = cached_under_version(f"article-page:{pk}", lambda: article_page(article_pk=pk))
        return super().get_context_data(page=page, **kwargs)


def article_page(*, article_pk=None, article: Article | None = None, preview_banner="") -> dict:
    """The article page's own HTML: its head meta and its content (the article, then the
    related and latest rivers); the body is cleaned and its figures rendered here."""
    if article is None:
        article = Article.objects.for_page().get(pk=article_pk)
    related = list(Article.objects.related_to(article))
    context = {
        "article": article,
        "preview_banner": preview_banner,
        "related": related,
        "related_cards": teaser_cards(related),
        "latest_cards": teaser_cards(
            Article.objects.for_river().exclude(pk__in=[article.pk, *(a.pk for a in related)])[
                :RIVER_LENGTH
            ]
        ),
        "site": cached_site_settings(),
        "site_url": settings.SITE_URL,
    }
    if not preview_banner:
        context["canonical_url"] = settings.SITE_URL + article.get_absolute_url()
        context["structured_data"] = seo.ld_json(
            seo.article_structured_data(article, site=context["site"])
        )
    return {
        "title": seo.title_tag(article.share_title, context["site"].name),
        "meta": render_to_string("articles/article_detail_meta.html", context),
        "content": render_to_string("articles/article_detail_content.html", context),
    }


def render_article_preview(request, article: Article, *, banner: str):
    """Render a not-yet-public article exactly as readers will see it, never indexed or cached."""
    skip_shared_caches()  # unsaved data: nothing of it may reach the shared cache
    # The page shows what readers will see; the banner tells the editor what is left out.
    if notes := article.photo_license_notes(article.body_photos.all(), expiring=False):
        banner = " ".join([f"{banner}.", *notes])
    context = {
        "article": article,
        "preview_banner": banner,
        "page": article_page(article=article, preview_banner=banner),
    }
    response = render(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe  # TRACE answered with the page; HEAD as GET
@staff_member_required
@permission_required("articles.view_article", raise_exception=True)
def article_preview(request, pk):
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    return render_article_preview(request, article, banner="Preview")


@require_safe
@never_cache
def article_share(request, token):
    link = ShareLink.from_token(token)
    if link is None:
        raise Http404("This share link is invalid, expired or revoked.")
    # The reviewer sees the version the link was made from, not later edits, built from the
    # revision in memory: nothing is written or locked, so simultaneous opens run side by side.
    version = (
        Version.objects.get_for_object_reference(Article, link.article_id)
        .filter(revision__date_created__lte=link.created_at)
        # Changes kept from an editor who was taken over were never the article's text.
        .exclude(revision__article_notes__applied=False)
        .select_related("revision")
        .order_by("-pk")
        .first()
    )
    article, made_at = None, link.created_at
    if version is not None:
        try:
            # Only this article: a bulk action's revision holds others too.
            article = revisions.article_as_saved(version.revision, link.article_id)
            made_at = version.revision.date_created
        except RevertError:
            pass  # the current text is the best we can show
    if article is None:
        article = get_object_or_404(Article.objects.for_page(), pk=link.article_id)
    banner = (
        f"Shared draft, version of {timezone.localtime(made_at):%-d %b %Y, %H:%M} "
        f"({timezone.get_current_timezone_name()}), not for publication"
    )
    return render_article_preview(request, article, banner=banner)


class TeaserListView(KeysetPaginationMixin, ListView):
    """A paginated list of teaser cards for one section, topic, kind or author."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    subject_queryset = None
    feed_name = None
    first_card = "eager"  # the first image above the fold

    def get_queryset(self):
        slug = self.kwargs["slug"]
        # Like the chrome, the subject and what its header shows are shared data, cached
        # under the content version; only the river is asked of the database each time.
        # Topic slugs may hold any character but "/": hashed, so any slug makes a valid key.
        digest = hashlib.sha256(slug.encode()).hexdigest()[:32]
        self.subject = cached_under_version(
            f"subject:{self.subject_queryset.model._meta.label_lower}:{digest}",
            lambda: self.subject_queryset.filter(slug=slug).first(),
        )
        if self.subject is None:
            raise Http404(f"No {self.subject_queryset.model._meta.verbose_name} “{slug}”.")
        return self.river()

    def river(self):
        """The subject's live articles newest first, ids and publish times only."""
        raise NotImplementedError

    def listed_articles(self, rows) -> list[Article]:
        return rows

    def get_context_data(self, **kwargs):
        feeds = {
            "rss": reverse(self.feed_name, args=[self.subject.slug]),
            "atom": reverse(f"{self.feed_name}-atom", args=[self.subject.slug]),
        }
        context = super().get_context_data(subject=self.subject, subject_feeds=feeds, **kwargs)
        context["cards"], listed_image = listing_cards(
            self.listed_articles(context["articles"]), variants=[self.first_card]
        )
        context["share_image"] = self.subject_image() or listed_image
        return context

    def subject_image(self) -> dict | None:
        """The subject's own picture, which its page is shared with before any article's."""
        return None


class SectionView(TeaserListView):
    subject_queryset = Section.objects.all()
    feed_name = "articles:section-feed"

    def river(self):
        return Article.objects.for_river().in_section(self.subject)


class KindView(TeaserListView):
    subject_queryset = Kind.objects.all()
    feed_name = "articles:kind-feed"

    def river(self):
        return Article.objects.for_river().filter(kind=self.subject)


class EntryListView(TeaserListView):
    """A listing read from its entries' index (articles.models.ListingEntry): a page costs
    the same however large the archive or the listing."""

    keyset_tie = "article_id"

    def listed_articles(self, rows) -> list[Article]:
        return [entry.article for entry in rows]


class TagView(EntryListView):
    subject_queryset = Tag.objects.all()
    feed_name = "articles:tag-feed"

    def river(self):
        return TopicEntry.objects.for_river().filter(tag=self.subject)


class AuthorView(EntryListView):
    template_name = "articles/author_detail.html"
    feed_name = "articles:author-feed"
    first_card = "card"  # the author's photo comes first
    subject_queryset = Author.objects.select_related(
        "photo__creator", "photo__source"
    ).prefetch_related("links")

    def river(self):
        return AuthorEntry.objects.for_river().filter(author=self.subject)

    def subject_image(self):
        portrait = self.subject.portrait
        return portrait.social_image() if portrait else None


SEARCH_PAGE_SIZE = 10
# Results beyond the 200 best are not offered ("200+ results"): bounding them bounds
# what a common word costs (articles.search.ranked_ids).
SEARCH_RESULTS_LIMIT = 200


def search_results(request):
    """Search live articles; any input gives a page, never an error."""
    form = SearchForm(request.GET)
    query = form.query
    page = None
    if query:
        ids = search.ranked_ids(query, form.filters, limit=SEARCH_RESULTS_LIMIT)
        page = Paginator(ids, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        page.more_than_counted = len(ids) == SEARCH_RESULTS_LIMIT
        # Each result's head and text are fragments shared by every search that finds
        # it; only the snippets are made for this query.
        heads, share_image = search_result_heads(page.object_list)
        texts = search_result_texts(page.object_list)
        # A result unpublished or deleted since it was ranked has no head: left out.
        shown = [(pk, head) for pk, head in zip(page.object_list, heads, strict=True) if head]
        excerpts = search.snippets([texts.get(pk, "") for pk, _ in shown], query)
        page.results = [(head, excerpt) for (_, head), excerpt in zip(shown, excerpts, strict=True)]
    context = {"form": form, "quoted_query": search.quoted_query(query), "page_obj": page}
    if page is not None:
        context["share_image"] = share_image
    response = render(request, "articles/search.html", context)
    # Result pages are for readers, not for search engines' indexes.
    response["X-Robots-Tag"] = "noindex"
    return response


def listed_photo_ids_sql(creator: Creator) -> tuple[str, tuple]:
    """SQL and parameters selecting the ids of the photos a creator's page lists: only photos
    readers have already seen, none from drafts, unused uploads or expired licences."""
    # The creator's few photos first, then one EXISTS probe each; joining to every article
    # that uses them and de-duplicating grows with the archive.
    live = Article.objects.live()
    body_uses = Article.body_photos.through.objects.filter(photo=OuterRef("pk"), article__in=live)
    ids = (
        creator.photos_credited()
        .exclude(pk__in=Photo.objects.license_expired())
        .filter(Exists(live.filter(lead_photo=OuterRef("pk"))) | Exists(body_uses))
        .order_by()
        .values("pk")
    )
    return ids.query.sql_with_params()


class CreatorView(KeysetPaginationMixin, ListView):
    """A photographer's or agency's photos, with their credits."""

    template_name = "articles/creator_detail.html"
    context_object_name = "photos"
    paginate_by = 24
    keyset_field = "created_at"

    def get_queryset(self):
        slug = self.kwargs["slug"]
        # Shared data, like a section's or topic's header: cached under the content version.
        self.creator = cached_under_version(
            f"subject:publication.creator:{hashlib.sha256(slug.encode()).hexdigest()[:32]}",
            lambda: Creator.objects.filter(slug=slug).first(),
        )
        if self.creator is None:
            raise Http404(f"No creator “{slug}”.")
        # Which photos, in which order: their figures are cached cards (articles.cards).
        # The condition is SQL made once per process and content version: building and
        # compiling its subqueries with the ORM was ~2.5 ms of every request, half the
        # page's CPU. It holds the time and date it was made at, which answer as now and
        # today would until the version changes (it ends when a scheduled article goes
        # live or a licence runs out).
        sql, params = cached_in_process_under_version(
            f"creator-photo-ids:{self.creator.pk}", lambda: listed_photo_ids_sql(self.creator)
        )
        return Photo.objects.filter(pk__in=RawSQL(sql, params)).only("pk", "created_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(creator=self.creator, **kwargs)
        # The page is shared with its first photo (a fragment read with the cards).
        context["cards"], context["share_image"] = photo_cards(
            context["photos"], variants=["eager"]
        )
        return context
