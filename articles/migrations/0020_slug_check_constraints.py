from django.db import migrations, models
from django.utils.text import slugify

from publication.text import repair_slugs

URL_SLUG = "^[-a-zA-Z0-9_]+$"  # what <slug:> accepts (publication.models.URL_SLUG)


def repair(apps, schema_editor):
    """Rows written past save() with a slug no URL can hold get one before the constraints."""
    for name, text, max_length in (("Kind", "name", 50), ("Article", "headline", 300)):
        repair_slugs(
            apps.get_model("articles", name),
            URL_SLUG,
            lambda row, text=text, name=name, max_length=max_length: (
                slugify(row.slug) or slugify(getattr(row, text)) or name.lower()
            )[: max_length - 10].strip("-"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_listing_entries_wait_for_article"),
        ("publication", "0011_slug_check_constraints"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
        migrations.AddConstraint(
            "kind",
            models.CheckConstraint(
                condition=models.Q(slug__regex=URL_SLUG), name="kind_slug_fits_url"
            ),
        ),
        migrations.AddConstraint(
            "article",
            models.CheckConstraint(
                condition=models.Q(slug__regex=URL_SLUG), name="article_slug_fits_url"
            ),
        ),
    ]
