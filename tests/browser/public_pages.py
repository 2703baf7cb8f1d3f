"""Every kind of public page, for the browser checks (CSP, accessibility, page width).

Add a page type here and every check walks it too: each entry maps a name to a function
that returns the page's address from the records seed_public_content() made.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import make_article, make_author, make_creator, make_photo, make_site

PUBLIC_PAGES = {
    "home": lambda content: "/",
    "article": lambda content: content["article"].get_absolute_url(),
    "section": lambda content: content["article"].section.get_absolute_url(),
    "kind": lambda content: content["article"].kind.get_absolute_url(),
    "topic": lambda content: reverse("articles:tag", args=["trade"]),
    "author": lambda content: content["author"].get_absolute_url(),
    "creator": lambda content: content["creator"].get_absolute_url(),
    "search": lambda content: reverse("articles:search") + "?q=alliance",
    "search, nothing found": lambda content: reverse("articles:search") + "?q=zzzz",
    "newsletter": lambda content: reverse("newsletter:signup"),
    "newsletter thanks": lambda content: reverse("newsletter:signup-done"),
    "not found": lambda content: "/no-such-page/",
}


def seed_public_content() -> dict:
    """A small magazine: credited photos, bylines, topics and a long headline."""
    # An earlier TransactionTestCase's flush may have emptied the content types table.
    ContentType.objects.clear_cache()
    make_site(tagline="Foreign policy, explained")
    creator = make_creator("Lena Photographer")
    author = make_author("Ana Ruiz", bio="Ana covers European security from Brussels.")
    article = make_article(
        headline="Can the alliance hold together through a long and unusually difficult winter?",
        authors=[author],
        tags=["Trade", "Energy"],
        lead_photo=make_photo(creator=creator, caption="Ministers arrive in Brussels."),
    )
    for _ in range(3):
        make_article(authors=[author], tags=["Trade"], lead_photo=make_photo(creator=creator))
    return {"article": article, "author": author, "creator": creator}


def public_urls(content) -> dict[str, str]:
    return {name: page(content) for name, page in PUBLIC_PAGES.items()}
