from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from newsletter.models import Roundup, RoundupItem, Subscriber
        from publication.page_cache import shown_on_pages
        from publication.text import register_name_field

        # A reader's name is stored as every name is (NFC, one space between words, nothing
        # invisible at either end), wherever it comes from: signup, import or the admin.
        # Not unique: two readers may share a name.
        for field in ("name", "resubscribe_name"):
            register_name_field(Subscriber, unique=False, field=field)

        # The round-up archive is a public page: a round-up marked sent (by its job)
        # appears in it at once.
        shown_on_pages(Roundup, RoundupItem)
