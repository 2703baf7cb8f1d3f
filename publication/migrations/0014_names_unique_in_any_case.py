import django.db.models.functions.text
from django.db import migrations, models

from publication.text import merge_same_names


def merge(apps, schema_editor):
    """Sections, creators and topics that differ only in case or in the form of a letter
    become one before the database refuses such names."""
    redirect = apps.get_model("publication", "Redirect")
    versions = apps.get_model("reversion", "Version"), apps.get_model("contenttypes", "ContentType")
    for app_label, model_name, url_name in (
        ("publication", "Section", "articles:section"),
        ("publication", "Creator", "articles:creator"),
        ("taggit", "Tag", "articles:tag"),
    ):
        merge_same_names(
            apps.get_model(app_label, model_name),
            url_name=url_name,
            redirect_model=redirect,
            versions=versions,
        )


def unique_in_any_case(name):
    return models.UniqueConstraint(
        django.db.models.functions.text.Upper("name"),
        name=name,
        violation_error_message="A record with this name in another case already exists.",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0013_photo_license_page_url"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        # Saved revisions are moved to the merged rows too.
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Merged rows stay merged when the migration is reversed: only the rule goes.
        migrations.RunPython(merge, migrations.RunPython.noop),
        migrations.AlterField("creator", "name", models.CharField(max_length=200)),
        migrations.AlterField("section", "name", models.CharField(max_length=100)),
        migrations.AddConstraint("creator", unique_in_any_case("creator_name_unique_in_any_case")),
        migrations.AddConstraint("section", unique_in_any_case("section_name_unique_in_any_case")),
        # Tag is taggit's model, so its index is plain SQL here (as its slug check is).
        migrations.RunSQL(
            "CREATE UNIQUE INDEX taggit_tag_name_unique_in_any_case ON taggit_tag (upper(name))",
            "DROP INDEX taggit_tag_name_unique_in_any_case",
        ),
    ]
