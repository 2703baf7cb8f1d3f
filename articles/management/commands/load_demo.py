from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from articles.demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Load the demo magazine: sections, kinds, authors, credited photos, articles and "
        "the logins editor/editor and admin/admin. Only what is missing is created."
    )

    def handle(self, *args, verbosity=1, **options):
        demo = DemoLoader()
        demo.load()
        if not settings.DEBUG:
            self.stdout.write("DJANGO_DEBUG is off: no demo logins were created.")
        if verbosity:
            self.report(demo)

    def report(self, demo):
        if demo.created:
            self.stdout.write(self.style.SUCCESS(f"Created {numbers(demo.created)}."))
        if demo.filled:
            self.stdout.write(f"Filled in blank fields of existing {numbers(demo.filled)}.")
        if not (demo.created or demo.filled):
            self.stdout.write("The demo content is already in place; nothing was changed.")
        site_url = settings.SITE_URL
        self.stdout.write(f"Magazine: {site_url}{reverse('articles:home')}")
        self.stdout.write(f"Admin:    {site_url}{reverse('admin:index')}")
        for username, role in (("editor", "editor"), ("admin", "superuser")):
            if username in demo.logins_created:
                created = demo.logins_created[username]
                password = f"password {username!r}" if created else "existing password unchanged"
                self.stdout.write(f"  {role}: user {username!r}, {password}")


def numbers(counter):
    """How many of each model, e.g. "3 sections, 1 kind"."""
    return ", ".join(
        f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
        for model, count in counter.items()
    )
