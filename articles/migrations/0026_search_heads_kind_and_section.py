"""Search heads carry their article's kind and section, for the search filters.

The trigger of 0024_search_heads follows the two columns too, so a filtered search ranks
its headline matches in the narrow table (articles.models.SearchHead) instead of reading
each match's article row. The columns are filled from the articles here; reversing puts
0024's trigger back before the columns go.
"""

import django.db.models.deletion
from django.db import migrations, models

FOLLOW = """
CREATE OR REPLACE FUNCTION articles_search_head_follows_article() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.status IS NOT DISTINCT FROM NEW.status
        AND OLD.published_at IS NOT DISTINCT FROM NEW.published_at
        AND OLD.search_head IS NOT DISTINCT FROM NEW.search_head
        AND OLD.kind_id IS NOT DISTINCT FROM NEW.kind_id
        AND OLD.section_id IS NOT DISTINCT FROM NEW.section_id THEN
        RETURN NULL;
    END IF;
    INSERT INTO articles_searchhead
        (article_id, status, published_at, search_head, kind_id, section_id)
    VALUES (NEW.id, NEW.status, NEW.published_at, NEW.search_head, NEW.kind_id, NEW.section_id)
    ON CONFLICT (article_id) DO UPDATE SET
        status = EXCLUDED.status,
        published_at = EXCLUDED.published_at,
        search_head = EXCLUDED.search_head,
        kind_id = EXCLUDED.kind_id,
        section_id = EXCLUDED.section_id;
    RETURN NULL;
END $$;

DROP TRIGGER articles_search_head_follows_article ON articles_article;
CREATE TRIGGER articles_search_head_follows_article
AFTER INSERT OR UPDATE OF status, published_at, search_head, kind_id, section_id
ON articles_article
FOR EACH ROW EXECUTE FUNCTION articles_search_head_follows_article();

UPDATE articles_searchhead AS head
SET kind_id = article.kind_id, section_id = article.section_id
FROM articles_article AS article
WHERE article.id = head.article_id;
ANALYZE articles_searchhead;
"""

# 0024_search_heads' function and trigger.
FOLLOW_BEFORE = """
CREATE OR REPLACE FUNCTION articles_search_head_follows_article() RETURNS trigger
LANGUAGE plpgsql AS $$
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

DROP TRIGGER articles_search_head_follows_article ON articles_article;
CREATE TRIGGER articles_search_head_follows_article
AFTER INSERT OR UPDATE OF status, published_at, search_head ON articles_article
FOR EACH ROW EXECUTE FUNCTION articles_search_head_follows_article();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0025_article_search_and_sharing"),
        ("publication", "0015_photo_withdrawn_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchhead",
            name="kind",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="articles.kind",
            ),
        ),
        migrations.AddField(
            model_name="searchhead",
            name="section",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="publication.section",
            ),
        ),
        migrations.RunSQL(FOLLOW, FOLLOW_BEFORE),
    ]
