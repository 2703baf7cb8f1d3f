from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_article_search_head"),
    ]

    operations = [
        migrations.AddField(
            model_name="editlock",
            name="tab",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
