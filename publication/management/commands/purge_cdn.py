"""Purge the CDN now, e.g. as a deploy's last step once every app server runs the release."""

from django.core.management.base import BaseCommand, CommandError

from publication import cdn


class Command(BaseCommand):
    help = (
        "Tell the CDN in front of the site to drop its copies now: everything (--all, after "
        "a deploy) or the given addresses (paths or absolute). Fails when the CDN refuses."
    )

    def add_arguments(self, parser):
        parser.add_argument("addresses", nargs="*", help="e.g. /articles/a-slug/")
        parser.add_argument("--all", action="store_true", help="Purge everything.")

    def handle(self, *args, addresses, **options):
        if not cdn.enabled():
            raise CommandError(
                "No CDN to purge: set CDN_PURGE_URL or CDN_CLOUDFRONT_DISTRIBUTION_ID "
                "(docs/deploy.md, Purging a CDN)."
            )
        if options["all"] == bool(addresses):
            raise CommandError("Give --all or the addresses to purge (not both).")
        urls = None if options["all"] else cdn.absolute(list(addresses))
        try:
            cdn.send_purge(urls)
        # Whatever failed (a refused token, a timeout, an AWS error), a deploy script needs
        # one line saying so and a failed exit, not a traceback.
        except Exception as error:
            raise CommandError(f"The CDN purge failed: {error}") from error
        self.stdout.write(
            "Purged everything." if urls is None else f"Purged {len(urls)} address(es)."
        )
