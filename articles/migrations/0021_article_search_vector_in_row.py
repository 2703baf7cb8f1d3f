"""Keep each article's search vector in its table row instead of the TOAST table.

The stored vector of a ~1,000-word body is ~1.9 KB and does not compress. PostgreSQL
moves a row's largest values out to the TOAST table until the row is under ~2 KB, so
with the body it pushed most vectors out too. Every test of a row against a query the
GIN index cannot answer alone (a phrase such as "negotiated settlement", a minus word,
the search page's newest-first walk over body matches) then fetched the vector through
the TOAST index: ~10 µs a row, 11-16 ms for the ~1,100 rows a phrase search walks at
20,000 articles. With rows allowed up to half a page (toast_tuple_target 4080 bytes) the
body still goes out but the vector stays in the row, and the same walk costs ~3× less.
Rows are wider, so reading many of them costs a little more (ranking the ~3,700 headline
matches of a very common word: +3-4 ms).

The target applies to rows as they are written, so the existing vectors are written
again (concatenated with an empty vector: the same value, no longer a TOAST pointer).
"""

from django.db import migrations

REWRITE = """
UPDATE articles_article SET search_vector = search_vector || ''::tsvector
WHERE search_vector IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0020_slug_check_constraints"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE articles_article SET (toast_tuple_target = 4080)",
            reverse_sql="ALTER TABLE articles_article RESET (toast_tuple_target)",
        ),
        migrations.RunSQL(REWRITE, reverse_sql=migrations.RunSQL.noop, elidable=True),
    ]
