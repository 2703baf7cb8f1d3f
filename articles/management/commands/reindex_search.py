from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = (
        "Rebuild every article's stored search vector, e.g. after rows were loaded in bulk "
        "(COPY, bulk_create) without Article.save()."
    )

    def handle(self, *args, **options):
        count = Article.reindex(Article.objects.all())
        if options["verbosity"]:
            self.stdout.write(f"Reindexed {count} articles.")
