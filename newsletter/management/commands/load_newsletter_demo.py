from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from newsletter import demo


class Command(BaseCommand):
    help = (
        "Add sent round-ups of the demo articles to the newsletter archive (run after "
        "load_demo). Nothing is emailed and no subscriber is created; only missing "
        "round-ups are added."
    )

    def handle(self, *args, verbosity=1, **options):
        try:
            created = demo.load()
        except demo.MissingArticles:
            raise CommandError("No demo articles found: run `manage.py load_demo` first.") from None
        if not verbosity:
            return
        if created:
            noun = "round-up" if created == 1 else "round-ups"
            self.stdout.write(self.style.SUCCESS(f"Created {created} sent {noun}."))
        else:
            self.stdout.write("The demo round-ups are already in place; nothing was changed.")
        self.stdout.write(f"Archive:  {settings.SITE_URL}{reverse('newsletter:archive')}")
