"""Topic and author listings read from entries kept by triggers (articles.models.ListingEntry).

Each entry copies its article's status and publish time. The triggers move them in the
statement that changes an article, a topic row or a byline, whichever way it is written
(save, update(), bulk_create, COPY, a restored revision, a cascade). Rows may arrive in
any order within a transaction (foreign keys are checked at commit), so an article's
insert also picks up topic rows and bylines written before it.
"""

import django.db.models.deletion
from django.db import migrations, models

# Topic rows are taggit's generic TaggedItem: only those pointing at articles count.
IS_ARTICLE = (
    "EXISTS (SELECT 1 FROM django_content_type ct WHERE ct.id = {}"
    " AND ct.app_label = 'articles' AND ct.model = 'article')"
)

CREATE_TRIGGERS = f"""
CREATE FUNCTION articles_entries_follow_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO articles_topicentry (tag_id, article_id, status, published_at)
        SELECT item.tag_id, NEW.id, NEW.status, NEW.published_at
        FROM taggit_taggeditem item
        WHERE item.object_id = NEW.id AND {IS_ARTICLE.format("item.content_type_id")}
        ON CONFLICT DO NOTHING;
        INSERT INTO articles_authorentry (author_id, article_id, status, published_at)
        SELECT DISTINCT byline.author_id, NEW.id, NEW.status, NEW.published_at
        FROM articles_byline byline WHERE byline.article_id = NEW.id
        ON CONFLICT DO NOTHING;
    ELSIF OLD.status IS DISTINCT FROM NEW.status
        OR OLD.published_at IS DISTINCT FROM NEW.published_at THEN
        UPDATE articles_topicentry SET status = NEW.status, published_at = NEW.published_at
        WHERE article_id = NEW.id;
        UPDATE articles_authorentry SET status = NEW.status, published_at = NEW.published_at
        WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_entries_follow_article
AFTER INSERT OR UPDATE OF status, published_at ON articles_article
FOR EACH ROW EXECUTE FUNCTION articles_entries_follow_article();

CREATE FUNCTION articles_topic_entries_follow_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM articles_topicentry
        WHERE tag_id = OLD.tag_id AND article_id = OLD.object_id
            AND {IS_ARTICLE.format("OLD.content_type_id")}
            AND NOT EXISTS (
                SELECT 1 FROM taggit_taggeditem item
                WHERE item.tag_id = OLD.tag_id AND item.object_id = OLD.object_id
                    AND item.content_type_id = OLD.content_type_id
            );
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO articles_topicentry (tag_id, article_id, status, published_at)
        SELECT NEW.tag_id, article.id, article.status, article.published_at
        FROM articles_article article
        WHERE article.id = NEW.object_id AND {IS_ARTICLE.format("NEW.content_type_id")}
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_topic_entries_follow_items
AFTER INSERT OR DELETE OR UPDATE OF tag_id, object_id, content_type_id ON taggit_taggeditem
FOR EACH ROW EXECUTE FUNCTION articles_topic_entries_follow_items();

CREATE FUNCTION articles_author_entries_follow_bylines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        -- An author with another role on the article stays listed once.
        DELETE FROM articles_authorentry
        WHERE author_id = OLD.author_id AND article_id = OLD.article_id
            AND NOT EXISTS (
                SELECT 1 FROM articles_byline byline
                WHERE byline.author_id = OLD.author_id AND byline.article_id = OLD.article_id
            );
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO articles_authorentry (author_id, article_id, status, published_at)
        SELECT NEW.author_id, article.id, article.status, article.published_at
        FROM articles_article article WHERE article.id = NEW.article_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_author_entries_follow_bylines
AFTER INSERT OR DELETE OR UPDATE OF author_id, article_id ON articles_byline
FOR EACH ROW EXECUTE FUNCTION articles_author_entries_follow_bylines();

-- The archive so far.
INSERT INTO articles_topicentry (tag_id, article_id, status, published_at)
SELECT item.tag_id, article.id, article.status, article.published_at
FROM taggit_taggeditem item JOIN articles_article article ON article.id = item.object_id
WHERE {IS_ARTICLE.format("item.content_type_id")}
ON CONFLICT DO NOTHING;
INSERT INTO articles_authorentry (author_id, article_id, status, published_at)
SELECT DISTINCT byline.author_id, article.id, article.status, article.published_at
FROM articles_byline byline JOIN articles_article article ON article.id = byline.article_id
ON CONFLICT DO NOTHING;
-- Statistics now, so the first listings after the upgrade are planned on the index.
ANALYZE articles_topicentry;
ANALYZE articles_authorentry;
"""

DROP_TRIGGERS = """
DROP TRIGGER articles_author_entries_follow_bylines ON articles_byline;
DROP FUNCTION articles_author_entries_follow_bylines();
DROP TRIGGER articles_topic_entries_follow_items ON taggit_taggeditem;
DROP FUNCTION articles_topic_entries_follow_items();
DROP TRIGGER articles_entries_follow_article ON articles_article;
DROP FUNCTION articles_entries_follow_article();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_editlock_tab"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("publication", "0008_creator_author"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthorEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published")], max_length=10
                    ),
                ),
                ("published_at", models.DateTimeField(null=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="publication.author",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "author entries",
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "published")),
                        fields=["author", "-published_at", "-article"],
                        name="author_entry_river_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("author", "article"), name="author_entry_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TopicEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("published", "Published")], max_length=10
                    ),
                ),
                ("published_at", models.DateTimeField(null=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
                (
                    "tag",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="taggit.tag",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "topic entries",
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "published")),
                        fields=["tag", "-published_at", "-article"],
                        name="topic_entry_river_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("tag", "article"), name="topic_entry_unique")
                ],
            },
        ),
        migrations.RunSQL(CREATE_TRIGGERS, reverse_sql=DROP_TRIGGERS),
    ]
