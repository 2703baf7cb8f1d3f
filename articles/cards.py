"""Cards: each card's HTML is a fragment cached under the content version and shared by
every listing. A listing asks the database only for which items it shows, in which order
(their ids), reads all their cards in one cache round trip, and loads and renders only
the cards missing there (after an edit, or an item no listing has shown yet).

Teaser cards show articles (every river); photo cards show photos with their caption and
credit (a creator's page); search result heads show an article's label line, headline,
byline and date above its snippet (the search page)."""

from types import SimpleNamespace

from django.db.models import Prefetch
from django.template.loader import get_template
from django.utils.safestring import SafeString

from articles import search
from articles.models import Article, Byline
from publication.models import Photo
from publication.page_cache import cached_many_under_version

# The width each card's image is laid out at (static/css/site.css), for its `sizes`: a
# browser picks a rendition by it before it lays the page out, so a wider one downloads
# more than needed and a narrower one a blurred image. Cards stand in .wrap (the page less
# 1rem each side, 72rem from a 74rem-wide window); a grid (.river__cards, .photo-grid) has
# one column, two from 40rem and three from 64rem, 1.75rem apart; the home page's featured
# row splits .wrap 2:1 from 64rem, 2rem apart. tests/browser/test_image_sizes.py measures it.
GRID_SIZES = (
    "(min-width: 74rem) calc((72rem - 3.5rem) / 3), (min-width: 64rem) calc((100vw - 5.5rem) / 3), "
    "(min-width: 40rem) calc((100vw - 3.75rem) / 2), calc(100vw - 2rem)"
)
FEATURED_SIZES = (
    "(min-width: 74rem) calc((72rem - 2rem) * {share}), "
    "(min-width: 64rem) calc((100vw - 4rem) * {share}), calc(100vw - 2rem)"
)

# How a card is shown; each is cached apart. Only the first image above the fold is eager.
VARIANTS = {
    "card": {"sizes": GRID_SIZES},
    "eager": {"eager": True, "sizes": GRID_SIZES},
    "lead": {"large": True, "eager": True, "sizes": FEATURED_SIZES.format(share="2 / 3")},
    "featured": {"sizes": FEATURED_SIZES.format(share="1 / 3")},
}


def teaser_cards(articles, *, variants=()) -> list[SafeString]:
    """The cards of these articles, in order; `variants` says how the first ones are shown
    (e.g. ["eager"]), the others are plain cards. A card whose article is no longer live
    is empty.

    The articles may carry only their id (Article.objects.for_river()): cards missing from
    the cache are rendered from rows loaded with for_teasers() in one query, or from the
    articles given when they were loaded whole.
    """
    return cards_and_share_image(articles, variants=variants, share_image=False)[0]


def listing_cards(articles, *, variants=()) -> tuple[list[SafeString], dict | None]:
    """teaser_cards(), and the image a listing page is shared with: the social rendition
    (Photo.social_image()) of the first listed article whose lead photo readers see, or None.
    Each article's is a fragment read in the cards' cache round trip and made from the
    cards' rows, so it costs no query."""
    return cards_and_share_image(articles, variants=variants, share_image=True)


def cards_and_share_image(articles, *, variants, share_image: bool):
    return cached_cards(
        articles,
        prefix="teaser",
        variants=variants,
        template_name="components/teaser_card.html",
        context_name="article",
        load=lambda pks: Article.objects.for_teasers().in_bulk(pks),
        loaded_whole=lambda article: "headline" not in article.get_deferred_fields(),
        shared_photo=(lambda article: article.shown_lead_photo) if share_image else None,
    )


def photo_cards(photos, *, variants=()) -> tuple[list[SafeString], dict | None]:
    """The figures of these photos (image, caption, credit), in order, as listing_cards()
    does for articles, and the first one's social image for sharing the page. The photos
    may carry only their id."""
    return cached_cards(
        photos,
        prefix="photo-card",
        variants=variants,
        template_name="components/photo_card.html",
        context_name="photo",
        load=lambda pks: Photo.objects.with_credit().defer("rendition_files").in_bulk(pks),
        loaded_whole=lambda photo: False,
        shared_photo=lambda photo: photo,
    )


def search_result_heads(pks) -> tuple[list[SafeString], dict | None]:
    """The heads of these search results (label line, headline, byline, date), in order, and
    the image the result page is shared with (the teaser cards' fragment of the first
    result with a lead photo). A head whose article is no longer live is empty.

    The search page then asks the database only for the results' ids and the text their
    snippets come from: loading each result with its kind, section and bylines and
    rendering those pieces was about a third of an uncached search page."""
    return cached_cards(
        # Only the ids are read (the fragments' names): building ten Article instances
        # cost more than reading the fragments.
        [SimpleNamespace(pk=pk) for pk in pks],
        prefix="search-head",
        variants=(),
        template_name="components/search_result_head.html",
        context_name="article",
        load=lambda pks: (
            Article.objects.for_teasers()
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .in_bulk(pks)
        ),
        loaded_whole=lambda article: False,
        shared_photo=lambda article: article.shown_lead_photo,
        share_prefix="share-image:",  # the teaser cards' own: the same article, the same image
    )


def search_result_texts(pks) -> dict[int, str]:
    """The plain text each search result's snippet is cut from (its body, else its dek),
    by id, cached like the heads: reading ten bodies was a query of its own, and turning
    each ~7 KB of HTML into text ~0.1 ms. Only the snippet is made per query."""
    names = {f"search-text:{pk}": pk for pk in pks}

    def compute(missing: list[str]) -> dict:
        rows = (
            Article.objects.filter(pk__in=[names[name] for name in missing])
            .order_by()
            .values_list("pk", "body", "dek")
        )
        return {f"search-text:{pk}": search.plain_text(body) or dek for pk, body, dek in rows}

    found = cached_many_under_version(list(names), compute)
    return {pk: found[name] for name, pk in names.items() if name in found}


def cached_cards(
    items,
    *,
    prefix,
    variants,
    template_name,
    context_name,
    load,
    loaded_whole,
    shared_photo,
    share_prefix=None,
) -> tuple[list[SafeString], dict | None]:
    items = list(items)
    names = [
        f"{prefix}:{item.pk}:{variants[index] if index < len(variants) else 'card'}"
        for index, item in enumerate(items)
    ]
    if share_prefix is None:
        share_prefix = "share-image:" if prefix == "teaser" else f"share-image:{prefix}:"
    share_names = [f"{share_prefix}{item.pk}" for item in items] if shared_photo else []
    by_name = dict(zip(names + share_names, items + items[: len(share_names)], strict=True))

    def render(missing: list[str]) -> dict:
        given = {
            item.pk: item for item in (by_name[name] for name in missing) if loaded_whole(item)
        }
        to_load = {by_name[name].pk for name in missing} - given.keys()
        loaded = load(to_load) if to_load else {}
        template = get_template(template_name)
        made = {}
        for name in missing:
            item = given.get(by_name[name].pk) or loaded.get(by_name[name].pk)
            if item is None:  # gone from what may be listed since the listing was read
                continue
            if name.startswith("share-image:"):
                photo = shared_photo(item)
                made[name] = photo.social_image() if photo else {}  # {}: none, but known
            else:
                variant = VARIANTS[name.rsplit(":", 1)[1]]
                made[name] = template.render({context_name: item, **variant})
        return made

    found = cached_many_under_version(names + share_names, render)
    shared = next((found[name] for name in share_names if found.get(name)), None)
    return [found.get(name, "") for name in names], shared
