"""Write every article's search vectors again with the author names last, as weight D.

Before, the names were part of the B text with the dek, so renaming an author meant
parsing each of their articles' bodies again (~1 ms an article in to_tsvector). With the
names apart and last, a rename rewrites only that part (search.store_names), and ranking
weighs D as B (search.RANK_WEIGHTS). The texts are also cleaned as save() stores text,
which rows written past save() had skipped.

Writes every row once (at 20,000 articles, about as long as seed_benchmark's vectors:
~1 ms an article); run it off-peak on a large archive. Going back leaves the vectors as
they are: the earlier code matches them the same way and ranks names lower (as D) until
its `manage.py reindex_search`.
"""

from collections import defaultdict

from django.db import migrations

from articles import search

BATCH = 500


def index_again(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        names = defaultdict(list)
        bylines = Byline.objects.filter(article_id__in=batch).order_by("order", "pk")
        for article_id, name in bylines.values_list("article_id", "author__name"):
            names[article_id].append(name)
        articles = Article.objects.filter(pk__in=batch)
        search.store_vectors(
            Article._meta.db_table,
            [
                (pk, *search.weighted_texts(headline=h, dek=d, author_names=names[pk], body=b))
                for pk, h, d, b in articles.values_list("pk", "headline", "dek", "body")
            ],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0021_article_search_vector_in_row"),
    ]

    operations = [
        migrations.RunPython(index_again, migrations.RunPython.noop, elidable=True),
    ]
