from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from newsletter.models import Roundup
from publication.feeds import SiteLanguageMixin
from publication.models import SiteSettings
from publication.syndication import XmlSafeFeedMixin

FEED_LENGTH = 20


class RoundupAtomFeed(XmlSafeFeedMixin, Atom1Feed):
    pass


class RoundupArchiveFeed(SiteLanguageMixin, Feed):
    """Sent round-ups as an Atom feed: the web version, never a subscriber's copy."""

    feed_type = RoundupAtomFeed

    def get_object(self, request):
        return SiteSettings.load()

    def title(self, site):
        return f"{site.name} newsletter"

    def subtitle(self, site):
        return site.newsletter_blurb or site.tagline

    # Atom requires an author (of the feed, as no entry names one) and an entry's updated
    # date: feed validators and some readers reject a feed without them.
    def author_name(self, site):
        return site.name

    def link(self, site):
        return settings.SITE_URL + reverse("newsletter:archive")

    def feed_url(self, site):
        return settings.SITE_URL + reverse("newsletter:archive-feed")

    def items(self, site):
        return Roundup.objects.for_archive()[:FEED_LENGTH]

    def item_title(self, roundup):
        return roundup.subject

    def item_description(self, roundup):
        return render_to_string(
            "newsletter/roundup_entry.html",
            {"roundup": roundup, "site_url": settings.SITE_URL},
        )

    def item_link(self, roundup):
        return settings.SITE_URL + roundup.get_absolute_url()

    def item_pubdate(self, roundup):
        return roundup.sent_at

    def item_updateddate(self, roundup):
        return roundup.sent_at
