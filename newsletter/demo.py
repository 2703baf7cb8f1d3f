"""Sent round-ups for the demo magazine (`manage.py load_newsletter_demo`, after load_demo).

They fill the newsletter archive and its feed, made as sending leaves a round-up (status
sent, a send time) but without sending: no subscriber, no copy, no email. Each is known by
its first article, so running it again adds nothing: a sent round-up's articles cannot be
changed in the admin (nor its articles deleted), where its subject may be reworded, here or
in the shell, and was then made again. Articles are found as load_demo finds them, also
after an editor changed their slug; an item whose article is missing is skipped.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from articles.demo.loader import find
from articles.models import Article
from newsletter.models import Roundup, RoundupItem

# "sent" is how long before the load the round-up went out, in days; its articles are
# demo articles (articles.demo.content) published before that.
ROUNDUPS = [
    {
        "subject": "The week in foreign policy: ceasefires, monitors and money",
        "sent": 7,
        "intro": "This week our writers looked at what keeps a ceasefire "
        "holding once the cameras leave, why Europe's defence debate keeps circling one "
        "number, and how Asia's middle powers hedge while Washington's signals blur.",
        "articles": [
            "the-ceasefire-industry-needs-fewer-summits-and-more-monitors",
            "europes-defence-spending-debate-is-stuck-on-the-wrong-number",
            "middle-powers-in-asia-hedge-as-washingtons-signals-blur",
            "we-plan-for-the-winter-we-fear-not-the-one-we-expect",
        ],
    },
    {
        "subject": "The week in foreign policy: sanctions, the Baltic and the Taiwan Strait",
        "sent": 2,
        "intro": "Sanctions fatigue is real, but evasion is the bigger "
        "problem; the Baltic states are writing their own security manual; and the Taiwan "
        "Strait's quietest year still worries planners. Aid agencies, meanwhile, warn of a "
        "funding cliff as the winter appeals open.",
        "articles": [
            "sanctions-fatigue-is-real-evasion-is-the-bigger-problem",
            "the-baltic-states-are-writing-their-own-security-manual",
            "why-the-taiwan-straits-quietest-year-still-worries-planners",
            "aid-agencies-warn-of-a-funding-cliff-as-winter-appeals-open",
        ],
    },
]


class MissingArticles(Exception):
    """The demo articles are not there: load_demo has not run."""


@transaction.atomic
def load() -> int:
    """Create the demo round-ups that are missing; how many were created."""
    slugs = {slug for spec in ROUNDUPS for slug in spec["articles"]}
    articles = {slug: article for slug in slugs if (article := find(Article, slug))}
    if not articles:
        raise MissingArticles
    now = timezone.now().replace(second=0, microsecond=0)
    created = 0
    for spec in ROUNDUPS:
        order, first = next(
            (
                (order, articles[slug])
                for order, slug in enumerate(spec["articles"])
                if slug in articles
            ),
            (None, None),
        )
        if (
            first is None
            or RoundupItem.objects.filter(
                roundup__status=Roundup.Status.SENT, article=first, order=order
            ).exists()
        ):
            continue
        sent_at = now - datetime.timedelta(days=spec["sent"])
        roundup = Roundup.objects.create(
            subject=spec["subject"],
            intro=spec["intro"],
            status=Roundup.Status.SENT,
            send_started_at=sent_at,
            sent_at=sent_at,
        )
        RoundupItem.objects.bulk_create(
            RoundupItem(roundup=roundup, article=articles[slug], order=order)
            for order, slug in enumerate(spec["articles"])
            if slug in articles
        )
        created += 1
    return created
