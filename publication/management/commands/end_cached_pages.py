from django.core.management.base import BaseCommand

from publication import cdn
from publication.page_cache import forget_content_version


class Command(BaseCommand):
    help = (
        "End every cached page and fragment, in every process sharing the cache. Needed only "
        "after writing to the database outside Django (SQL by hand, a restored backup): "
        "saves, deletes and bulk writes through Django, fixtures and migrations end them "
        "by themselves."
    )

    def handle(self, **options):
        forget_content_version()
        cdn.purge_everything_soon()  # when a CDN purge API is configured
        self.stdout.write("Cached pages ended: the next request for each page renders it.")
