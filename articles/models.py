import datetime
import functools
import operator

import reversion
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django_ckeditor_5.fields import CKEditor5Field
from taggit.models import Tag, TaggedItem

from articles import search, seo
from articles.body import (
    DEK_MAX_LENGTH,
    WORDS_PER_MINUTE,
    body_warnings,
    images_in,
    opening_paragraphs,
    placeholder_warning,
    render_body,
    replace_image_sources,
    stored_body,
    word_count,
)
from articles.topics import OrderedTaggableManager
from publication.db import hold_lock
from publication.html import sanitize_html
from publication.models import (
    Author,
    Listing,
    Photo,
    Redirect,
    RedirectsWhenMoved,
    Section,
    shown,
    slug_fits_url,
)
from publication.page_cache import ContentQuerySet, bump_content_version
from publication.text import free_slug, paragraphs

SLUG_ATTEMPTS = 5
RELATED_LENGTH = 4
REINDEX_BATCH = 500  # articles per query when rebuilding search vectors


class Kind(Listing):
    """The kind of piece ("Analysis", "News", "Opinion") shown before the section."""

    # Unique in any case (Meta): one "Analysis", however it is typed.
    name = models.CharField(max_length=50)
    slug = models.SlugField(max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    url_name = "articles:kind"


def showing_photo(photo) -> Q:
    """Articles showing a photo (an instance, a pk or an OuterRef), as lead or in the body.

    A subquery rather than a join, so an article with the photo in both places counts once.
    """
    # Inside the body subquery an outer reference is one level further out.
    body_photo = OuterRef(photo) if isinstance(photo, OuterRef) else photo
    in_body = BodyPhoto.objects.filter(photo=body_photo).values("article_id")
    return Q(lead_photo=photo) | Q(pk__in=in_body)


def article_count_per_photo():
    """For a Photo queryset's annotate(): how many articles show each photo, in one query."""
    count = models.Func(models.F("pk"), function="COUNT")
    return models.Subquery(
        Article.objects.filter(showing_photo(OuterRef("pk")))
        .order_by()
        .annotate(count=count)
        .values("count"),
        output_field=models.IntegerField(),
    )


def live_rule(now=None) -> Q:
    """Published and due: a scheduled article goes live when its time comes.

    For Article and for the listing entries that carry a copy of its status and publish
    time (TopicEntry, AuthorEntry, SearchHead): the rule is written once. now: the
    moment to apply it at (search compiles its SQL once with a stand-in, articles.search).
    """
    return Q(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())


def in_section_rules(section) -> tuple[Q, Q]:
    """An article is in a section it has as its own, or also lists it in."""
    # A subquery rather than a join keeps rows unique without DISTINCT.
    secondary = Article.other_sections.through.objects.filter(section=section)
    return Q(section=section), Q(pk__in=secondary.values("article_id"))


class ArticleFilters:
    """The filters a reader can search by, for querysets of Article and of SearchHead (whose
    pk is its article's id and which copies its kind and section): one home for each rule,
    whichever table a search reads."""

    def in_section(self, section):
        return self.filter(functools.reduce(operator.or_, in_section_rules(section)))

    def section_parts(self, section) -> list:
        """in_section() as two querysets, the section's own articles and those also listed
        in it: unlike their OR, each can be walked newest first by an index (search)."""
        return [self.filter(rule) for rule in in_section_rules(section)]

    def by_author(self, author):
        # EXISTS rather than a join: an author with two roles on an article is listed once
        # without DISTINCT over every selected column.
        return self.filter(
            models.Exists(Byline.objects.filter(article=OuterRef("pk"), author=author))
        )

    def search_parts(self, *, kind=None, author=None, section=None) -> list:
        """A search's filters (ids; None: not filtered), as parts that together hold the
        articles they leave: a section's own and those also listed in it, for
        search.ranked_ids."""
        parts = self
        if kind is not None:
            parts = parts.filter(kind_id=kind)
        if author is not None:
            parts = parts.by_author(author)
        if section is not None:
            return parts.section_parts(section)
        return [parts]


class ArticleQuerySet(ArticleFilters, ContentQuerySet):
    def live(self, now=None):
        return self.filter(live_rule(now))

    def published_within(self, period: datetime.timedelta):
        """Live articles published in the last period (a news sitemap's, a round-up's)."""
        return self.live().filter(published_at__gte=timezone.now() - period)

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def drafts(self):
        return self.filter(status=Article.Status.DRAFT)

    def for_teasers(self):
        """What a teaser card shows, without the body."""
        return (
            self.live()
            .select_related("kind", "section", "lead_photo__creator", "lead_photo__source")
            # The list of rendition file names is only for the job and the admin.
            .defer(
                "body",
                "teaser",
                "lead_photo__caption",
                "lead_photo__rendition_files",
                "lead_photo__renditions_error",
            )
            .order_by("-published_at", "-pk")
        )

    def for_river(self):
        """A listing's articles in order, ids and publish times only: the cards themselves
        are fragments cached under the content version (articles.cards)."""
        return self.live().only("id", "published_at").order_by("-published_at", "-pk")

    def newest_listed(self, entries, limit: int):
        """The newest `limit` of a topic's or an author's articles, picked from their
        entries' index (ListingEntry) rather than by probing the archive for them."""
        return self.filter(pk__in=entries.for_river().values("article_id")[:limit])

    def using_photo(self, photo):
        """Articles that show the photo, as their lead or in the body: where it is "used in"."""
        return self.filter(showing_photo(photo))

    def tagged(self, tag):
        return self.filter(
            models.Exists(
                TaggedItem.objects.filter(
                    # get_for_model is cached per process: no join to content types.
                    content_type=ContentType.objects.get_for_model(Article),
                    object_id=OuterRef("pk"),
                    tag=tag,
                )
            )
        )

    def for_feed(self):
        """What a feed entry carries: the full body, authors, topics and the lead image."""
        return (
            self.live()
            .select_related("kind", "section", "lead_photo")
            # Into lists (to_attr): a prefetch into the related manager builds a filtered
            # queryset per article, which was a third of a feed's time.
            .prefetch_related(
                models.Prefetch(
                    "bylines",
                    queryset=Byline.objects.select_related("author"),
                    to_attr="feed_bylines",
                ),
                models.Prefetch("body_photos", queryset=Photo.objects.with_credit()),
                models.Prefetch(
                    "tagged_items", queryset=topics_in_order(), to_attr="feed_topic_items"
                ),
            )
            .order_by("-published_at", "-pk")
        )

    def for_page(self):
        """Everything the article page shows, in a fixed number of queries."""
        return self.select_related(
            "kind", "section", "lead_photo__creator", "lead_photo__source"
        ).prefetch_related(
            models.Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            models.Prefetch("body_photos", queryset=Photo.objects.with_credit()),
            models.Prefetch("tagged_items", queryset=topics_in_order()),
            "corrections",
        )

    def related_to(self, article: "Article", *, limit: int = RELATED_LENGTH):
        """Live articles sharing the most topics with this one, then its section; one query."""
        topic_ids = [item.tag_id for item in article.tagged_items.all()]
        shared = (
            TaggedItem.objects.filter(
                content_type__app_label="articles",
                content_type__model="article",
                object_id=models.OuterRef("pk"),
                tag_id__in=topic_ids,
            )
            .order_by()
            .values("object_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return (
            self.for_teasers()
            .exclude(pk=article.pk)
            .annotate(shared_topics=models.functions.Coalesce(models.Subquery(shared), 0))
            .filter(Q(shared_topics__gt=0) | Q(section_id=article.section_id))
            .order_by("-shared_topics", "-published_at", "-pk")[:limit]
        )


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The search vectors are only ever read by PostgreSQL; never ship them to Python.
        return super().get_queryset().defer("search_vector", "search_head")


@reversion.register(follow=["bylines", "tagged_items", "corrections"])
class Article(RedirectsWhenMoved):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # Everything but the status may be missing on a draft; publishing_problems() says
    # what publishing needs, and the database refuses a published article without these.
    headline = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(
        max_length=300,
        unique=True,
        blank=True,
        help_text="The article's address; left empty, it is made from the headline. "
        "Changing it after publication is safe: the old address, and links to it, "
        "then lead readers to the new one.",
    )
    dek = models.TextField("dek", blank=True, help_text="One or two sentences under the headline.")
    # Optional overrides for search results and shared links, as in Yoast or Newspack.
    seo_title = models.CharField(
        "search and sharing title",
        max_length=200,
        blank=True,
        # Rows written without the ORM (seed_benchmark's COPY, imports) get it empty too;
        # default too, so an unsaved article (the live checks) holds "" rather than the
        # database's expression.
        default="",
        db_default="",
        help_text=f"Shown by search engines and social networks instead of the headline; "
        f"keep it to {seo.TITLE_MAX_LENGTH} characters. Leave empty to use the headline.",
    )
    seo_description = models.TextField(
        "search and sharing description",
        blank=True,
        default="",
        db_default="",
        help_text=f"Shown under the title in search results and shared links; keep it to "
        f"{seo.DESCRIPTION_MAX_LENGTH} characters. Leave empty to use the dek, shortened "
        f"to {seo.DESCRIPTION_MAX_LENGTH} characters.",
    )
    kind = models.ForeignKey(
        Kind, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        help_text="Primary section.",
    )
    other_sections = models.ManyToManyField(
        Section, blank=True, related_name="secondary_articles", help_text="Also list it in these."
    )
    tags = OrderedTaggableManager(
        "topics",
        blank=True,
        help_text="Running topics, e.g. “Trump transition”; shown in the order entered.",
    )
    # The topic rows themselves: revisions follow them, and pages list topics in the
    # order they were entered.
    tagged_items = GenericRelation(TaggedItem, related_query_name="article")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    lead_photo = models.ForeignKey(
        Photo, on_delete=models.PROTECT, null=True, blank=True, related_name="lead_articles"
    )
    body = CKEditor5Field(config_name="article", blank=True)
    teaser = models.TextField(
        "teaser text",
        blank=True,
        help_text="Shown on teaser cards; separate paragraphs with a blank line. "
        "Leave empty to use the opening paragraphs of the body.",
    )
    teaser_paragraphs = models.JSONField(default=list, editable=False)
    body_photos = models.ManyToManyField(
        Photo, through="BodyPhoto", blank=True, editable=False, related_name="body_articles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="A published article with a future time appears by itself at that time.",
    )
    featured = models.BooleanField(default=False, help_text="Lead the home page with it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)
    # Headline, dek and authors only: small enough to rank every match (articles.search).
    search_head = SearchVectorField(null=True, editable=False)
    shown_updated_at = models.DateTimeField(
        "shown as updated",
        null=True,
        blank=True,
        help_text="Readers see “Updated” with this date; set by ticking “Show as updated”.",
    )

    objects = ArticleManager()

    watched_fields = ("slug", "status", "published_at")
    # The fields of its own that search_fields() reads: written with update(), the article
    # is indexed again (articles.apps).
    indexed_fields = ("headline", "dek", "body")

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_live_idx"),
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_live_idx"
            ),
            models.Index(fields=["kind", "status", "-published_at"], name="article_kind_live_idx"),
            # The admin list's default order, over drafts and published alike.
            models.Index(fields=["-published_at", "-id"], name="article_published_idx"),
            models.Index(
                fields=["-published_at"],
                condition=Q(featured=True, status="published"),
                name="article_featured_idx",
            ),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(fields=["search_head"], name="article_search_head_idx"),
            # The admin's search for the start of headline words.
            GinIndex(search.HEADLINE_WORDS, name="article_headline_words_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(kind__isnull=False) & Q(section__isnull=False) & ~Q(headline="")),
                name="article_published_is_complete",
            ),
            slug_fits_url("article_slug_fits_url"),
        ]

    def __str__(self):
        return self.headline or "Untitled draft"

    def validate_constraints(self, exclude=None):
        # An empty slug is made from the headline by save(), after the form validated it.
        if not self.slug:
            exclude = {*(exclude or ()), "slug"}
        super().validate_constraints(exclude)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.headline, exclude_pk=self.pk)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.body = stored_body(self.body)
        body_photos = self.point_body_images_at_photos()
        self.teaser_paragraphs = paragraphs(self.teaser) or opening_paragraphs(self.body)
        base = self.slug
        for attempt in range(SLUG_ATTEMPTS):
            try:
                with transaction.atomic():
                    if self._state.adding:
                        self.take_free_slug(base)
                    super().save(*args, **kwargs)
                    self.sync_body_photos(body_photos)
                    Article.objects.filter(pk=self.pk).update(**self.search_fields())
                return
            except IntegrityError:
                # Another save took this slug after the form checked it (two "add" clicks):
                # take the next free one rather than fail.
                taken = Article.objects.filter(slug=self.slug).exclude(pk=self.pk).exists()
                if not taken or attempt == SLUG_ATTEMPTS - 1:
                    raise
                self.slug = unique_slug(base, exclude_pk=self.pk)

    def take_free_slug(self, base: str) -> None:
        """Before a new article's insert: wait for any other save of this slug to commit
        (the admin saves in a transaction), then take the slug, or the next free one if
        that save took it. Ten "add" posts of one slug at once answered 500 three times:
        each saw the slug free, waited on the first insert and failed, and retried
        against the others still uncommitted ("-2-2-2-2") until out of attempts."""
        if self.slug_taken_by(base) is not None:
            self.slug = unique_slug(base)

    def slug_taken_by(self, slug: str) -> "Article | None":
        """The other article at slug, once any save of slug in progress has committed; the
        wait lasts until this transaction ends, so no save of slug can slip in after."""
        hold_lock(f"article-slug:{slug}")
        return Article.objects.filter(slug=slug).exclude(pk=self.pk).first()

    def get_absolute_url(self):
        return reverse("articles:article", args=[self.slug])

    # is_live is live() for a row already loaded, and was_public() the same for the values
    # it was loaded with. They restate the rule in Python rather than ask the database,
    # which would cost a query per article in lists; a test checks both forms agree.
    @property
    def is_live(self) -> bool:
        return self.was_public({"status": self.status, "published_at": self.published_at})

    def was_public(self, saved: dict) -> bool:
        published_at = saved.get("published_at")
        return (
            saved.get("status") == self.Status.PUBLISHED
            and published_at is not None
            and published_at <= timezone.now()
        )

    def publishing_problems(self, *, author_count=None, at=None) -> list[str]:
        """What the article still needs before it may be published or scheduled.

        The one home of the rule: the admin form, the bulk action and the live checks
        panel all ask here. author_count counts the byline rows of a form not yet saved;
        at is when it goes live (default: its publish time if still to come, else now).
        """
        if author_count is None:
            author_count = self.bylines.count() if self.pk else 0
        needs = []
        if not self.headline.strip():
            needs.append("a headline")
        if self.kind_id is None:
            needs.append("a kind")
        if self.section_id is None:
            needs.append("a section")
        if not author_count:
            needs.append("at least one author")
        photo = self.lead_photo
        if photo is None:
            needs.append("a lead photo")
        else:
            if not photo.alt_text.strip():
                needs.append("alt text for the lead photo")
            if not photo.has_credit:
                needs.append("a credit for the lead photo")
            if at is None:
                at = max(self.published_at or timezone.now(), timezone.now())
            ends = photo.license_last_day
            if photo.is_withdrawn:
                needs.append(
                    f"a lead photo whose licence has not expired (this one’s expired on {ends})"
                )
            elif photo.withdrawn_on(at):
                needs.append(
                    f"a lead photo licensed on its publish date (this one’s licence ends on {ends})"
                )
        return needs

    def editorial_warnings(self, *, topic_count=None) -> list[str]:
        """Things worth a second look before publishing; none of them blocks it."""
        if topic_count is None:
            topic_count = self.tags.count() if self.pk else 0
        warnings = []
        if not self.dek.strip():
            warnings.append("The dek is missing.")
        elif len(self.dek.strip()) > DEK_MAX_LENGTH:
            warnings.append(
                f"The dek is {len(self.dek.strip())} characters; keep it to {DEK_MAX_LENGTH}."
            )
        for label, text, limit in [
            ("search and sharing title", self.seo_title, seo.TITLE_MAX_LENGTH),
            ("search and sharing description", self.seo_description, seo.DESCRIPTION_MAX_LENGTH),
        ]:
            if len(text.strip()) > limit:
                warnings.append(
                    f"The {label} is {len(text.strip())} characters; search results show "
                    f"about {limit}."
                )
        headline = self.headline.strip()
        if len(headline) > seo.TITLE_MAX_LENGTH and not self.seo_title.strip():
            # The page's <title> then drops the site's name, and search results still cut it.
            warnings.append(
                f"The headline is {len(headline)} characters and there is no search and "
                f"sharing title: search results show about {seo.TITLE_MAX_LENGTH}. Add a "
                "shorter one under “Search and sharing”."
            )
        if not topic_count:
            warnings.append("No topics: readers cannot follow the story.")
        warnings += placeholder_warning("headline", self.headline)
        warnings += placeholder_warning("dek", self.dek)
        in_body = Photo.objects.by_url(image.get("src") for image in images_in(self.body))
        photos = {photo.pk: photo for photo in in_body.values()}.values()
        return warnings + body_warnings(self.body) + self.photo_license_notes(photos)

    def photo_license_notes(self, body_photos, *, expiring=True) -> list[str]:
        """What editors are told of photos readers no longer see (the licence expired: the
        lead photo also stops publishing, see publishing_problems) or will soon stop seeing
        (expiring within PHOTO_LICENSE_WARNING_DAYS)."""
        places = [("The lead photo", self.lead_photo)] if self.lead_photo else []
        places += [(f"The photo “{photo}” in the body", photo) for photo in body_photos]
        return [
            f"{place} is {photo.license_note}."
            for place, photo in places
            if photo.is_withdrawn or (expiring and photo.license_note)
        ]

    def state_label(self, *, now=None) -> str:
        """The status as the article list shows it: "Live", "Scheduled · in 3 h", "Draft"."""
        now = now or timezone.now()
        if self.status == self.Status.PUBLISHED and self.published_at:
            if self.published_at <= now:
                return "Live"
            if self.published_at - now > SCHEDULED_COUNTDOWN:
                # "in 1504 days" asks the reader to count; the date says when. Only the day:
                # the list's next column gives the time with its zone, and the two made the
                # row four lines high at 1,280 pixels.
                return f"Scheduled · {timezone.localtime(self.published_at):%a %-d %b %Y}"
            return f"Scheduled · in {time_until(self.published_at - now)}"
        if self.published_at and self.published_at <= now:
            # Someone meant it to be out by now.
            return "Draft · time passed"
        return "Draft"

    @property
    def version_token(self) -> str:
        """Changes with every save; a form posts back the one it was loaded with."""
        return self.updated_at.isoformat() if self.updated_at else ""

    @property
    def word_count(self) -> int:
        return word_count(self.body)

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE)) if self.word_count else 0

    def search_fields(self) -> dict:
        names = list(self.bylines.values_list("author__name", flat=True)) if self.pk else []
        return search.search_fields(
            headline=self.headline, dek=self.dek, author_names=names, body=self.body
        )

    @classmethod
    def reindex(cls, articles) -> int:
        """Rebuild the stored search vectors of these articles from their text and bylines."""
        pks = list(articles.order_by().values_list("pk", flat=True).distinct())
        for start in range(0, len(pks), REINDEX_BATCH):
            batch = list(
                cls.objects.filter(pk__in=pks[start : start + REINDEX_BATCH])
                .only("headline", "dek", "body")
                .prefetch_related(
                    models.Prefetch("bylines", queryset=Byline.objects.select_related("author"))
                )
            )
            search.store_vectors(
                cls._meta.db_table,
                [
                    (
                        article.pk,
                        *search.weighted_texts(
                            headline=article.headline,
                            dek=article.dek,
                            author_names=[byline.author.name for byline in article.bylines.all()],
                            body=article.body,
                        ),
                    )
                    for article in batch
                ],
            )
        if pks:
            bump_content_version()  # search result pages show what the vectors match
        return len(pks)

    @classmethod
    def reindex_names(cls, articles) -> int:
        """Rebuild only the author names in these articles' search vectors, after a rename
        or a byline change: one UPDATE that reads none of their text (search.store_names)."""
        articles = articles.order_by().values("pk").distinct()
        authors = Author.objects.filter(bylines__article__in=articles).distinct()
        count = search.store_names(
            cls._meta.db_table,
            Byline._meta.db_table,
            articles.query.sql_with_params(),
            list(authors.values_list("pk", "name")),
        )
        if count:
            bump_content_version()
        return count

    @property
    def modified_at(self):
        """The last change readers are told of (structured data, article:modified_time):
        the "Updated" date editors chose to show, else the publish time. Saving a minor
        edit moves updated_at (sitemaps, feeds) but does not present the story as new."""
        return max(filter(None, [self.published_at, self.shown_updated_at]), default=None)

    @property
    def share_title(self) -> str:
        """What search results and shared links call the article."""
        return self.seo_title or self.headline

    @property
    def meta_description(self) -> str:
        """What search engines and shares say the page is about: the editor's description,
        else the dek, else the section's description (a draft in preview may have none).
        Pages shorten it (seo.shorten)."""
        return (
            self.seo_description or self.dek or (self.section.description if self.section else "")
        )

    @property
    def topics(self) -> list:
        """Topics in the order the editor entered them (prefetched by for_page())."""
        return [item.tag for item in self.tagged_items.all()]

    def point_body_images_at_photos(self) -> list[Photo]:
        """The photos the body shows, its images pointed at each photo's own address.

        An image pasted with an absolute address, a rendition's, or one with a query string
        shows one of our photos all the same: with the photo's own address it is linked to
        the photo (which then cannot be deleted) and drawn with its credit and renditions.
        Images from elsewhere are left as they are.
        """
        images = images_in(self.body)
        photos = Photo.objects.by_url(image.get("src") for image in images)
        self.body = replace_image_sources(
            self.body, {src: photo.image.url for src, photo in photos.items()}
        )
        return list({photo.pk: photo for photo in photos.values()}.values())

    @classmethod
    def relink_body_photos(cls, articles) -> int:
        """What save() does to the body's images, for rows written without it (loaddata,
        imports, COPY, update(), or saved before save() read every address): images pointed
        at their photos' own addresses and the photos linked. Returns how many changed."""
        changed = 0
        with_images = Q(body__contains="<img") | Q(pk__in=BodyPhoto.objects.values("article_id"))
        for article in articles.filter(with_images).only("pk", "body").iterator(chunk_size=500):
            stored = article.body
            linked = set(article.body_photos.values_list("pk", flat=True))
            photos = article.point_body_images_at_photos()
            if article.body == stored and linked == {photo.pk for photo in photos}:
                continue
            with transaction.atomic():
                cls.objects.filter(pk=article.pk).update(body=article.body)
                article.sync_body_photos(photos)
            changed += 1
        if changed:
            bump_content_version()  # pages show the photos' credits and renditions now
        return changed

    def sync_body_photos(self, photos: list[Photo]):
        """Link the body's photos to the article, and fill in missing alt text from the body."""
        self.body_photos.set(photos)
        alts = self.body_image_alts()
        for photo in photos:
            alt = alts.get(photo.image.url)
            if alt and not photo.alt_text:
                photo.alt_text = alt
                photo.save(update_fields=["alt_text", "updated_at"])

    def body_image_alts(self) -> dict[str, str]:
        """{address: alt text} of the body's images that have one (the first for each)."""
        alts = {}
        for image in images_in(self.body):
            if alt := image.get("alt", "").strip():
                alts.setdefault(image.get("src"), alt)
        return alts

    @cached_property
    def byline_groups(self) -> list[tuple[str, list[Author]]]:
        """Authors grouped by role in byline order: [("By", [A, B]), ("photos by", [C])]."""
        groups: dict[str, list[Author]] = {}
        for byline in self.bylines.all():
            groups.setdefault(byline.role, []).append(byline.author)
        labels = dict(Byline.Role.choices)
        return [
            (labels[role] if index == 0 else labels[role].lower(), authors)
            for index, (role, authors) in enumerate(groups.items())
        ]

    @property
    def byline_text(self) -> str:
        return "; ".join(
            f"{label} {natural_join([author.name for author in authors])}"
            for label, authors in self.byline_groups
        )

    @property
    def shown_lead_photo(self) -> Photo | None:
        """The lead photo as readers see it: none once its licence has expired, wherever
        the article appears (page, cards, share image, structured data, sitemap, feeds)."""
        return shown(self.lead_photo)

    def body_html(self, *, syndicated: bool = False) -> str:
        """The body as readers see it; syndicated: as a feed sends it to other apps, without
        the photos not cleared for that (Photo.may_redistribute), like the enclosure."""
        # Cleaned again here, not only in save(): rows written by update(), loaddata,
        # imports or migrations never pass through save() (benchmarks/body_html.py).
        photos = {photo.image.url: photo for photo in self.body_photos.all()}
        # A photo whose licence has expired leaves the body with its figure.
        withdrawn = {
            url
            for url, photo in photos.items()
            if photo.is_withdrawn or (syndicated and not photo.may_redistribute)
        }
        return render_body(sanitize_html(self.body), photos, withdrawn=withdrawn)

    @property
    def teaser_lead(self) -> str:
        return self.teaser_paragraphs[0] if self.teaser_paragraphs else ""

    @property
    def teaser_more(self) -> list[str]:
        return self.teaser_paragraphs[1:]


def next_scheduled_publish() -> datetime.datetime | None:
    """When the next scheduled article goes live (page caches must end by then)."""
    return (
        Article.objects.scheduled()
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


# How far ahead the article list counts down to a scheduled time; beyond it, the date.
SCHEDULED_COUNTDOWN = datetime.timedelta(days=7)


def time_until(delta: datetime.timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} h"
    return f"{round(minutes / 1440)} days"


def schedule_label(moment: datetime.datetime) -> str:
    """E.g. "Tue 14 Jan 09:00 (Europe/Berlin)": the zone is named wherever a time is."""
    local = timezone.localtime(moment)
    return f"{local:%a %-d %b %H:%M} ({timezone.get_current_timezone_name()})"


def topics_in_order():
    return TaggedItem.objects.select_related("tag").order_by("pk")


def natural_join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def unique_slug(text: str, *, exclude_pk=None) -> str:
    return free_slug(Article.objects.all(), slugify(text)[:280] or "article", exclude_pk=exclude_pk)


class BodyPhoto(models.Model):
    """A photo shown in an article's body: like a lead photo, it cannot be deleted while used,
    or the article would keep showing the image with no credit."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")

    objects = ContentQuerySet.as_manager()

    class Meta:
        # The table Django made for the plain many-to-many field before.
        db_table = "articles_article_body_photos"
        unique_together = [("article", "photo")]

    def __str__(self):
        # What the photo's delete page lists as keeping it: the editor needs the headline.
        return f"in the body of “{self.article}”"


@reversion.register()
class Correction(models.Model):
    """A note to readers at the end of the article: what was corrected, clarified or added."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="What changed, for readers, e.g. “An earlier version …”.")
    date = models.DateField(default=timezone.localdate)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.date}"


class BylineQuerySet(ContentQuerySet):
    """Author names are searchable: bylines written in bulk (the demo loader,
    article.authors.add(), a queryset's update() or delete()) rebuild their articles'
    search vectors, as Byline.save() and delete() do."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        self.reindex_articles({byline.article_id for byline in created})
        return created

    def update(self, **kwargs):
        with transaction.atomic():
            before = set(self.values_list("article_id", flat=True))
            count = super().update(**kwargs)
            moved_to = kwargs.get("article", kwargs.get("article_id"))
            self.reindex_articles(before | ({getattr(moved_to, "pk", moved_to)} - {None}))
        return count

    def delete(self):
        with transaction.atomic():
            articles = set(self.values_list("article_id", flat=True))
            result = super().delete()
            self.reindex_articles(articles)
        return result

    delete.alters_data = True
    delete.queryset_only = True

    @staticmethod
    def reindex_articles(pks):
        if pks:
            Article.reindex_names(Article.objects.filter(pk__in=pks))


@reversion.register()
class Byline(models.Model):
    class Role(models.TextChoices):
        BY = "by", "By"
        WRITTEN_BY = "written_by", "Written by"
        REPORTING = "reporting", "Reporting by"
        PHOTOS = "photos", "Photos by"
        ILLUSTRATION = "illustration", "Illustration by"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.BY)
    order = models.PositiveSmallIntegerField(default=0)

    objects = BylineQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author", "role"], name="byline_unique_author_role"
            )
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.author}"

    # Author names are searchable, so a byline change rebuilds the article's vector.
    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            BylineQuerySet.reindex_articles({self.article_id})

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            BylineQuerySet.reindex_articles({self.article_id})
        return result


class LiveCopyQuerySet(models.QuerySet):
    """Rows that carry a copy of their article's status and publish time."""

    def live(self, now=None):
        return self.filter(live_rule(now))


class ListingEntryQuerySet(LiveCopyQuerySet):
    def for_river(self):
        """A listing's articles in order, as ArticleQuerySet.for_river() gives them (each
        entry's .article carries only its id and publish time), read from the entries'
        index: a page costs the same whatever the archive's or the listing's size."""
        return (
            self.live()
            .select_related("article")
            .only("published_at", "article__id", "article__published_at")
            .order_by("-published_at", "-article_id")
        )


class ListingEntry(models.Model):
    """An article's place in one topic's or one author's listing: the article's status and
    publish time copied beside the topic or author, so that PostgreSQL reads a page of the
    listing from one index, newest first, instead of walking the whole archive's index and
    probing every article for the topic (or byline), or sorting all of a topic's articles
    (both grow with the archive).

    Kept exact by PostgreSQL triggers (migration 0017), not by Python: every way a row
    changes — save(), queryset update() (the admin's publish actions), bulk_create, COPY,
    a revision restored, a cascade — moves the entries in the same statement. Nothing in
    Python writes them.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Article.Status.choices)
    published_at = models.DateTimeField(null=True)

    objects = ListingEntryQuerySet.as_manager()

    class Meta:
        abstract = True


def listing_entry_rules(key: str, name: str) -> tuple[list, list]:
    """An entry table's constraints and indexes, led by key (the topic or the author): one
    entry per (key, article), and a listing's live articles newest first, in the (time, id)
    keyset order, from one index."""
    unique = models.UniqueConstraint(fields=[key, "article"], name=f"{name}_unique")
    river = models.Index(
        fields=[key, "-published_at", "-article"],
        condition=Q(status=Article.Status.PUBLISHED),
        name=f"{name}_river_idx",
    )
    return [unique], [river]


class TopicEntry(ListingEntry):
    """One per (topic, article) of an article's topics; see ListingEntry."""

    # The unique constraint's index, led by the topic, serves lookups by topic.
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name_plural = "topic entries"
        constraints, indexes = listing_entry_rules("tag", "topic_entry")

    def __str__(self):
        return f"Article {self.article_id} under topic {self.tag_id}"


class AuthorEntry(ListingEntry):
    """One per (author, article) however many roles the author has on it; see ListingEntry."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name_plural = "author entries"
        constraints, indexes = listing_entry_rules("author", "author_entry")

    def __str__(self):
        return f"Article {self.article_id} by author {self.author_id}"


class SearchHeadQuerySet(ArticleFilters, LiveCopyQuerySet):
    pass


def filter_copy(model) -> models.ForeignKey:
    """A copy of the article's key to model, for the search filters, never joined: no
    index, no constraint (the article's own protect the row it names)."""
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class SearchHead(models.Model):
    """An article's ranking vector (search_head) with its status, publish time, kind and
    section, in a narrow table of its own: search.ranked_ids ranks every headline match
    here. A common word matches thousands of headlines; in the article table each match is
    on a page of its own (~2.5 KB rows, the body's search vector kept in the row), here
    ~30 share a page: "security" read ~3,400 pages there and ~700 here. The kind and
    section are here for the search filters (ArticleFilters): without them a filtered
    search read each match's article row, 2-6 times slower at 20,000 articles.

    Kept exact by a PostgreSQL trigger (migrations 0024, 0026) that follows the article's
    search_head, status, publish time, kind and section, so every path that writes them —
    save(), update() and its rows_updated signal, reindex_search, store_names, a data
    migration, seed_benchmark's INSERT — moves it in the same statement; the database
    deletes it with its article. Nothing in Python writes it.
    """

    # The constraint (ON DELETE CASCADE) is the migration's: Django 5.2 cannot say it.
    article = models.OneToOneField(
        Article,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=Article.Status.choices)
    published_at = models.DateTimeField(null=True)
    search_head = SearchVectorField(null=True)
    kind = filter_copy(Kind)
    section = filter_copy(Section)

    objects = SearchHeadQuerySet.as_manager()

    class Meta:
        indexes = [GinIndex(fields=["search_head"], name="search_head_rank_idx")]

    def __str__(self):
        return f"Search head of article {self.article_id}"


class ShareLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def revoke(self) -> int:
        """Stop these links working now; a link revoked before keeps its date."""
        return self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class ShareLink(models.Model):
    """A signed, expiring, revocable link to a draft for an outside reviewer."""

    SALT = "articles.share-link"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    note = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. “fact-checker”."
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.note or f"Share link {self.pk}"

    def get_absolute_url(self):
        return reverse("articles:share", args=[self.token])

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=self.SALT)

    @classmethod
    def from_token(cls, token: str) -> "ShareLink | None":
        try:
            pk = signing.loads(token, salt=cls.SALT)
        except signing.BadSignature:
            return None
        return cls.objects.active().select_related("article").filter(pk=pk).first()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @staticmethod
    def expiry_after(days: int) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(days=days)

    # A second press of "Create share link" this soon after the first is the same press
    # (a double click, a retry after a slow answer): it gets the link just made.
    REPEAT_SECONDS = 30

    @classmethod
    def create_for(cls, article, user, *, days: int) -> tuple["ShareLink", bool]:
        """A new link to the article, valid for days, or the one this user made moments
        ago (created is False). Thirty simultaneous presses made thirty links."""
        with transaction.atomic():
            hold_lock(f"share-link:{article.pk}:{user.pk}")  # until this one is committed
            recent = (
                cls.objects.active()
                .filter(
                    article=article,
                    created_by=user,
                    note="",
                    created_at__gte=timezone.now() - datetime.timedelta(seconds=cls.REPEAT_SECONDS),
                )
                .first()
            )
            if recent is not None:
                return recent, False
            link = cls.objects.create(
                article=article, created_by=user, expires_at=cls.expiry_after(days)
            )
            return link, True


class ArticleRevision(models.Model):
    """What a revision cannot restore but History must show: the lead photo's credit then."""

    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.CASCADE, related_name="article_notes"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revision_notes")
    lead_photo_credit = models.CharField(max_length=300, blank=True)
    applied = models.BooleanField(
        default=True, help_text="False for changes kept when another editor took over."
    )
    # Set on a restore: pressing Restore again on the same version then changes nothing.
    restored_from = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The revision this one restored.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "article"], name="article_revision_unique_note"
            )
        ]

    def __str__(self):
        return f"Revision {self.revision_id} of article {self.article_id}"


# Topics are taggit's rows; registered here so a revision holds an article's topics.
reversion.register(TaggedItem)

# The lead photo's fields the article form edits in place: each revision keeps them as they
# were, so History shows their changes and Restore brings them back (articles.revisions).
LEAD_PHOTO_TEXT_FIELDS = ["alt_text", "caption", "creator", "source", "credit_type"]
reversion.register(Photo, fields=LEAD_PHOTO_TEXT_FIELDS)


class EditLockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(heartbeat_at__gt=timezone.now() - EditLock.TIMEOUT)


class EditLock(models.Model):
    """Who has an article open in the admin; the editor's page renews it every few seconds.

    A lock belongs to one browser tab, not only to one editor: the same editor's second tab
    is told the article is open in another tab, so two tabs never overwrite each other.
    """

    TIMEOUT = datetime.timedelta(seconds=30)

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="edit_lock")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="edit_locks"
    )
    # The holding tab's random id (kept in its sessionStorage); blank until its first beat.
    tab = models.CharField(max_length=64, blank=True, default="")
    # The page load holding it (a token the change page is rendered with), so that only that
    # page's release drops it: after "Save and continue" the old page's release beacon
    # arrives once the new page of the same tab has claimed the lock. Blank: any page of the tab.
    page = models.CharField(max_length=32, blank=True, default="")
    since = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    # Set on take-over, until the editor who lost the lock has had their changes kept.
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EditLockQuerySet.as_manager()

    def __str__(self):
        return f"{self.user} editing {self.article_id}"

    @property
    def is_active(self) -> bool:
        return self.heartbeat_at > timezone.now() - self.TIMEOUT

    def belongs_to(self, user, tab="") -> bool:
        """Held by this user in this tab. Without a tab id (opening the page, a form posted
        without scripts) any of the user's tabs will do; a lock no tab has beaten for yet
        belongs to the user's first tab that does."""
        return self.user_id == user.pk and (not tab or not self.tab or self.tab == tab)

    @classmethod
    def claim(cls, article, user, tab="", page="") -> "EditLock | None":
        """Renew this tab's lock, or take a free or expired one; else return the holder's.
        A page being rendered (a page token and no tab yet) becomes the lock's page load.
        None when the article or the editor was deleted meanwhile (see _written)."""
        return cls._written(cls._claim, article, user, tab, page)

    @classmethod
    def _claim(cls, article, user, tab, page):
        now = timezone.now()
        lock = cls.objects.select_for_update().filter(article=article).first()
        if lock is None:
            lock, created = cls.objects.get_or_create(
                article=article,
                defaults={
                    "user": user,
                    "tab": tab,
                    "page": page,
                    "since": now,
                    "heartbeat_at": now,
                },
            )
            if created:
                return lock
        if lock.belongs_to(user, tab):
            lock.heartbeat_at, lock.tab = now, tab or lock.tab
            # Rendering the page cannot know its tab, so a new page load takes the page over;
            # a heartbeat names only a page the lock has none for (an older page of the same
            # tab, still beating while the next one loads, must not get it back).
            if page and (not tab or not lock.page):
                lock.page = page
            lock.save(update_fields=["heartbeat_at", "tab", "page"])
        elif not lock.is_active:
            # The holder's page may only be asleep: when it wakes it learns the lock
            # was taken from it and keeps its unsaved changes as a revision.
            lock.taken_from = lock.user
            lock.user, lock.tab, lock.page = user, tab, page
            lock.since = lock.heartbeat_at = now
            lock.save()
        elif lock.user_id == user.pk and page and lock.page == page:
            # This page load was rendered while another tab of the editor held the lock, and
            # took its page: the holding tab's own page may release it again.
            lock.page = ""
            lock.save(update_fields=["page"])
        return lock

    @classmethod
    def take_over(cls, article, user, tab="", page="") -> "EditLock | None":
        return cls._written(cls._take_over, article, user, tab, page)

    @classmethod
    def _take_over(cls, article, user, tab, page):
        now = timezone.now()
        lock, created = cls.objects.select_for_update().get_or_create(
            article=article,
            defaults={"user": user, "tab": tab, "page": page, "since": now, "heartbeat_at": now},
        )
        if not created and not (lock.user_id == user.pk and lock.tab == tab):
            # The same editor's other tab loses the lock like another editor would.
            lock.taken_from = lock.user if lock.is_active else None
            lock.user, lock.tab, lock.page = user, tab, page
            lock.since = lock.heartbeat_at = now
            lock.save()
        return lock

    @classmethod
    def release(cls, article, user, tab, page) -> None:
        """Drop the lock a closing page holds, and only that: not one a later page load of the
        same tab (after a save) or another tab or editor has claimed since."""
        held = cls.objects.filter(article=article, user=user, tab__in=[tab, ""])
        held.filter(page__in=[page, ""]).delete()

    @staticmethod
    def _written(write, article, user, tab, page):
        """A heartbeat or take-over can race the deletion of its article or editor (an
        article deleted in another tab, an account removed): the foreign keys are checked
        at commit, where the lock written for them fails. That is no lock, not an error."""
        try:
            with transaction.atomic():
                return write(article, user, tab, page)
        except IntegrityError:
            return None


class WorkingCopy(models.Model):
    """One editor's autosaved, not yet saved form for one article; never shown to readers.

    Holds the form as posted ({field name: [values]}), so a published article's edits stay
    here until the editor saves or publishes, and autosave never makes a revision.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="working_copies")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_copies"
    )
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "working copies"
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="working_copy_one_per_editor")
        ]

    def __str__(self):
        return f"{self.user}'s working copy of {self.article_id}"


def topic_url(slug: str) -> str:
    return reverse("articles:tag", args=[slug])


def remember_topic_url(sender, instance, **kwargs):
    """Before a topic is saved: its address as readers know it, if the slug changes."""
    old_slug = None
    if instance.pk:
        old_slug = type(instance).objects.filter(pk=instance.pk).values_list("slug", flat=True)
        old_slug = old_slug.first()
    instance._moved_from = topic_url(old_slug) if old_slug and old_slug != instance.slug else None


def redirect_moved_topic(sender, instance, **kwargs):
    if old_url := getattr(instance, "_moved_from", None):
        Redirect.objects.record(old_url, topic_url(instance.slug), automatic=True)
        instance._moved_from = None
