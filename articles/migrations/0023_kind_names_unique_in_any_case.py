import django.db.models.functions.text
from django.db import migrations, models

from publication.text import merge_same_names


def merge(apps, schema_editor):
    """Kinds that differ only in case or in the form of a letter become one before the
    database refuses such names."""
    merge_same_names(
        apps.get_model("articles", "Kind"),
        url_name="articles:kind",
        redirect_model=apps.get_model("publication", "Redirect"),
        versions=(apps.get_model("reversion", "Version"), apps.get_model("contenttypes", "ContentType")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_search_vectors_names_last"),
        ("publication", "0014_names_unique_in_any_case"),
    ]

    operations = [
        # Merged rows stay merged when the migration is reversed: only the rule goes.
        migrations.RunPython(merge, migrations.RunPython.noop),
        migrations.AlterField("kind", "name", models.CharField(max_length=50)),
        migrations.AddConstraint(
            "kind",
            models.UniqueConstraint(
                django.db.models.functions.text.Upper("name"),
                name="kind_name_unique_in_any_case",
                violation_error_message="A record with this name in another case already exists.",
            ),
        ),
    ]
