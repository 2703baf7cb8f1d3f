from django.db import migrations

KIND_PERMISSIONS = ["add_kind", "change_kind"]


def grant(apps, schema_editor):
    # Issue: "editors can add kinds (Analysis, News, Opinion, …) without a code change".
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=KIND_PERMISSIONS
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=KIND_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_article_slug_optional")]

    operations = [migrations.RunPython(grant, revoke)]
