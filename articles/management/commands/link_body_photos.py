from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = (
        "Link every article's body images to their photos as saving does (any address of a "
        "photo, e.g. absolute or a rendition's, becomes the photo's own), for rows written "
        "without Article.save() or saved before it read every address. Run once after "
        "upgrading; safe to run again."
    )

    def handle(self, *args, **options):
        count = Article.relink_body_photos(Article.objects.all())
        if options["verbosity"]:
            self.stdout.write(f"Relinked the body photos of {count} articles.")
