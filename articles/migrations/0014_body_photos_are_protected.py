from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    """The body photos' table stays as it is; only Django's view of it changes, so a photo
    used in a body is protected from deletion like a lead photo."""

    dependencies = [
        ("articles", "0013_editors_manage_corrections"),
        ("publication", "0005_photo_renditions_focal_point"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="BodyPhoto",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="articles.article",
                            ),
                        ),
                        (
                            "photo",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="publication.photo",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_article_body_photos",
                        "unique_together": {("article", "photo")},
                    },
                ),
                migrations.AlterField(
                    model_name="article",
                    name="body_photos",
                    field=models.ManyToManyField(
                        blank=True,
                        editable=False,
                        related_name="body_articles",
                        through="articles.BodyPhoto",
                        to="publication.photo",
                    ),
                ),
            ],
        )
    ]
