from django.db import migrations

from publication.topics import is_usable_slug, unique_topic_slug


def repair_topic_slugs(apps, schema_editor):
    """Give topics saved before the slug rule an address: an empty slug broke every page."""
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.all():
        if not is_usable_slug(tag.slug):
            tag.slug = unique_topic_slug(Tag, tag.name, exclude_pk=tag.pk)
            tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0003_photo_checksum"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(repair_topic_slugs, migrations.RunPython.noop)]
