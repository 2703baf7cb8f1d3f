"""Every kind of public page, for the browser checks (CSP, accessibility, page width).

Add a page type here and every check walks it too: each entry maps a name to a function
that returns the page's address from the records seed_public_content() made.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Roundup, RoundupItem
from tests.factories import (
    make_article,
    make_author,
    make_creator,
    make_photo,
    make_share_link,
    make_site,
)
from tests.newsletter.helpers import make_subscriber

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
    "newsletter archive": lambda content: reverse("newsletter:archive"),
    "newsletter issue": lambda content: content["roundup"].get_absolute_url(),
    "newsletter confirm": lambda content: reverse(
        "newsletter:confirm", args=[content["pending"].confirm_token]
    ),
    "newsletter unsubscribe": lambda content: reverse(
        "newsletter:unsubscribe", args=[content["confirmed"].unsubscribe_token]
    ),
    "newsletter link invalid": lambda content: reverse("newsletter:confirm", args=["expired"]),
    "share link (draft for a reviewer)": lambda content: content["share"].get_absolute_url(),
    "not found": lambda content: "/no-such-page/",
}

# Every other page answers 200: a walk that silently met an error page would check nothing.
STATUS = {"not found": 404, "newsletter link invalid": 400}


def seed_public_content() -> dict:
    """A small magazine: credited photos, bylines, topics and a long headline."""
    # An earlier TransactionTestCase's flush may have emptied the content types table.
    ContentType.objects.clear_cache()
    make_site(tagline="Foreign policy, explained")
    creator = make_creator("Lena Photographer")
    # A portrait with renditions: a <picture> (with sources) in the author header's flex row.
    portrait = make_photo(creator=creator)
    portrait.make_renditions()
    author = make_author(
        "Ana Ruiz", bio="Ana covers European security from Brussels.", photo=portrait
    )
    # A credited figure in the body, its credit a short name: axe-core judges a link by the
    # text around it, and only checks that it stands out when it is the shorter part.
    figure = make_photo(creator=make_creator("Jo Ng"), caption="The harbour at dawn.")
    article = make_article(
        headline="Can the alliance hold together through a long and unusually difficult winter?",
        authors=[author],
        tags=["Trade", "Energy"],
        lead_photo=make_photo(creator=creator, caption="Ministers arrive in Brussels."),
        featured=True,
        body=(
            '<p>Ministers met <a href="https://example.org/report">as the report asked</a>.</p>'
            f'<figure class="image"><img src="{figure.image.url}" alt="A harbour at dawn">'
            "<figcaption>Ships wait for the fog to lift before the talks.</figcaption></figure>"
            "<p>The talks went on into the night.</p>"
        ),
    )
    others = [
        make_article(authors=[author], tags=["Trade"], lead_photo=make_photo(creator=creator))
        for _ in range(3)
    ]
    roundup = Roundup.objects.create(
        subject="This week: the alliance in winter",
        intro="Dear reader,\n\nA long week in Brussels.",
        status=Roundup.Status.SENT,
        sent_at=timezone.now(),
    )
    for order, pick in enumerate([article, *others]):
        RoundupItem.objects.create(roundup=roundup, article=pick, order=order)
    draft = make_article(headline="A draft for the fact-checker", status="draft", authors=[author])
    return {
        "article": article,
        "author": author,
        "creator": creator,
        "roundup": roundup,
        "pending": make_subscriber("pending@example.com", status="pending"),
        "confirmed": make_subscriber("reader@example.com", status="confirmed"),
        "share": make_share_link(draft),
    }


def public_urls(content) -> dict[str, str]:
    return {name: page(content) for name, page in PUBLIC_PAGES.items()}
