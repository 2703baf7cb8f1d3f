from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from newsletter.models import Roundup, RoundupItem
        from publication.page_cache import shown_on_pages

        # The round-up archive is a public page: a round-up marked sent (by its job)
        # appears in it at once.
        shown_on_pages(Roundup, RoundupItem)
