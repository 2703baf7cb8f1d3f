"""Search heads: each article's ranking vector, status and publish time in a narrow table
(articles.models.SearchHead), kept by a trigger on the article's row.

The trigger follows the columns, not the code that writes them, so save(), update(),
reindex_search, store_names, seed_benchmark's INSERT and later data migrations all move the
head in the statement that writes the article. An UPDATE that leaves the three as they
were (most saves of the body) writes nothing here. The foreign key deletes the head with
its article in the database, so an article's delete costs no extra query.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

CREATE = """
ALTER TABLE articles_searchhead ADD CONSTRAINT articles_searchhead_article_fk
    FOREIGN KEY (article_id) REFERENCES articles_article (id) ON DELETE CASCADE;

CREATE FUNCTION articles_search_head_follows_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.status IS NOT DISTINCT FROM NEW.status
        AND OLD.published_at IS NOT DISTINCT FROM NEW.published_at
        AND OLD.search_head IS NOT DISTINCT FROM NEW.search_head THEN
        RETURN NULL;
    END IF;
    INSERT INTO articles_searchhead (article_id, status, published_at, search_head)
    VALUES (NEW.id, NEW.status, NEW.published_at, NEW.search_head)
    ON CONFLICT (article_id) DO UPDATE SET
        status = EXCLUDED.status,
        published_at = EXCLUDED.published_at,
        search_head = EXCLUDED.search_head;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_search_head_follows_article
AFTER INSERT OR UPDATE OF status, published_at, search_head ON articles_article
FOR EACH ROW EXECUTE FUNCTION articles_search_head_follows_article();

INSERT INTO articles_searchhead (article_id, status, published_at, search_head)
SELECT id, status, published_at, search_head FROM articles_article;
ANALYZE articles_searchhead;
"""

DROP = """
DROP TRIGGER articles_search_head_follows_article ON articles_article;
DROP FUNCTION articles_search_head_follows_article();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_kind_names_unique_in_any_case"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchHead",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published")], max_length=10
                    ),
                ),
                ("published_at", models.DateTimeField(null=True)),
                ("search_head", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["search_head"], name="search_head_rank_idx"
                    )
                ],
            },
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
