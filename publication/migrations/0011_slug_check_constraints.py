from django.db import migrations, models
from django.utils.text import slugify

from publication.text import repair_slugs
from publication.topics import unique_topic_slug

# What <slug:> accepts (publication.models.URL_SLUG) and what <str:> (the topic route) does.
URL_SLUG = "^[-a-zA-Z0-9_]+$"
TOPIC_SLUG = "^[^/]+$"


def ascii_slug(row, text: str, fallback: str, max_length: int) -> str:
    return (slugify(row.slug) or slugify(text) or fallback)[: max_length - 10].strip("-")


def repair(apps, schema_editor):
    """Rows written past save() with a slug no URL can hold get one before the constraints."""
    for name, max_length in (("Section", 100), ("Creator", 200), ("Author", 200)):
        model = apps.get_model("publication", name)
        repair_slugs(
            model,
            URL_SLUG,
            lambda row, name=name, max_length=max_length: ascii_slug(
                row, row.name, name.lower(), max_length
            ),
        )
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.exclude(slug__regex=TOPIC_SLUG).order_by("pk"):
        slug = unique_topic_slug(Tag, tag.name, exclude_pk=tag.pk)
        Tag.objects.filter(pk=tag.pk).update(slug=slug)


def slug_fits_url(name):
    return models.CheckConstraint(condition=models.Q(slug__regex=URL_SLUG), name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0010_photo_image_bytes"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
        migrations.AddConstraint("section", slug_fits_url("section_slug_fits_url")),
        migrations.AddConstraint("creator", slug_fits_url("creator_slug_fits_url")),
        migrations.AddConstraint("author", slug_fits_url("author_slug_fits_url")),
        # Tag is taggit's model, so its constraint is plain SQL here, beside the topic rules.
        migrations.RunSQL(
            f"ALTER TABLE taggit_tag ADD CONSTRAINT taggit_tag_slug_fits_url "
            f"CHECK (slug ~ '{TOPIC_SLUG}')",
            "ALTER TABLE taggit_tag DROP CONSTRAINT taggit_tag_slug_fits_url",
        ),
    ]
