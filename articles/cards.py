"""Teaser cards: each card's HTML is a fragment cached under the content version and shared
by every listing. A listing asks the database only for which articles it shows, in which
order (their ids), reads all their cards in one cache round trip, and loads and renders
only the cards missing there (after an edit, or an article no listing has shown yet)."""

from django.template.loader import get_template
from django.utils.safestring import SafeString

from articles.models import Article
from publication.page_cache import cached_many_under_version

# How a card is shown; each is cached apart. Only the first image above the fold is eager.
VARIANTS = {
    "card": {},
    "eager": {"eager": True},
    "lead": {
        "large": True,
        "eager": True,
        "sizes": "(min-width: 64rem) 46rem, calc(100vw - 2rem)",
    },
    "featured": {"sizes": "(min-width: 64rem) 23rem, calc(100vw - 2rem)"},
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
    (Photo.social_image()) of the first listed article that has a lead photo, or None.
    Each article's is a fragment read in the cards' cache round trip and made from the
    cards' rows, so it costs no query."""
    return cards_and_share_image(articles, variants=variants, share_image=True)


def cards_and_share_image(articles, *, variants, share_image: bool):
    articles = list(articles)
    names = [
        f"teaser:{article.pk}:{variants[index] if index < len(variants) else 'card'}"
        for index, article in enumerate(articles)
    ]
    share_names = [f"share-image:{article.pk}" for article in articles] if share_image else []
    by_name = dict(zip(names + share_names, articles + articles[: len(share_names)], strict=True))

    def render(missing: list[str]) -> dict:
        given = {
            article.pk: article
            for article in (by_name[name] for name in missing)
            if "headline" not in article.get_deferred_fields()
        }
        to_load = {by_name[name].pk for name in missing} - given.keys()
        loaded = Article.objects.for_teasers().in_bulk(to_load) if to_load else {}
        template = get_template("components/teaser_card.html")
        made = {}
        for name in missing:
            article = given.get(by_name[name].pk) or loaded.get(by_name[name].pk)
            if article is None:  # unpublished since the listing was read
                continue
            if name.startswith("share-image:"):
                photo = article.lead_photo
                made[name] = photo.social_image() if photo else {}  # {}: none, but known
            else:
                variant = VARIANTS[name.rsplit(":", 1)[1]]
                made[name] = template.render({"article": article, **variant})
        return made

    found = cached_many_under_version(names + share_names, render)
    shared = next((found[name] for name in share_names if found.get(name)), None)
    return [found.get(name, "") for name in names], shared
