"""A topic row or byline written while another transaction changes its article's status or
publish time waits for that transaction, then copies what it committed.

Without the lock, under READ COMMITTED the new entry copied the article as last committed
while the other transaction's trigger, not seeing the new entry, updated only the others:
the entry kept the old time (e.g. an editor adding a byline while the publish action ran).
The lock on the article row makes the two writes take turns either way round. It is the
lock an UPDATE of a non-key column takes, not a share lock: two transactions that each add a
byline and then update the article (Byline.save() reindexes it) queue at the first step
instead of deadlocking at the second.
"""

from django.db import migrations

IS_ARTICLE = (
    "EXISTS (SELECT 1 FROM django_content_type ct WHERE ct.id = {}"
    " AND ct.app_label = 'articles' AND ct.model = 'article')"
)


def topic_function(lock: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION articles_topic_entries_follow_items() RETURNS trigger
LANGUAGE plpgsql AS $$
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
        {lock.format(article="NEW.object_id")}
        INSERT INTO articles_topicentry (tag_id, article_id, status, published_at)
        SELECT NEW.tag_id, article.id, article.status, article.published_at
        FROM articles_article article
        WHERE article.id = NEW.object_id AND {IS_ARTICLE.format("NEW.content_type_id")}
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
"""


def author_function(lock: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION articles_author_entries_follow_bylines() RETURNS trigger
LANGUAGE plpgsql AS $$
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
        {lock.format(article="NEW.article_id")}
        INSERT INTO articles_authorentry (author_id, article_id, status, published_at)
        SELECT NEW.author_id, article.id, article.status, article.published_at
        FROM articles_article article WHERE article.id = NEW.article_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
"""


# Waits for a transaction changing the article; the INSERT after it, a new statement,
# then reads what that transaction committed.
WAIT = "PERFORM 1 FROM articles_article WHERE id = {article} FOR NO KEY UPDATE;"


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_article_headline_words_index")]

    operations = [
        migrations.RunSQL(
            topic_function(WAIT) + author_function(WAIT),
            reverse_sql=topic_function("") + author_function(""),
        )
    ]
