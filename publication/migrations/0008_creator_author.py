import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0007_editors_manage_redirects"),
    ]

    operations = [
        migrations.AddField(
            model_name="creator",
            name="author",
            field=models.OneToOneField(
                blank=True,
                help_text="The same person as this author, for writers who also take pictures.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="creator",
                to="publication.author",
            ),
        ),
    ]
