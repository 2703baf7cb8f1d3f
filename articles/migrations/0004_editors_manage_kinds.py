from django.db import migrations


def editors_and_kind_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="articles", codename__in=["add_kind", "change_kind"]
    )
    return Group.objects.filter(name="Editors").first(), permissions


def grant(apps, schema_editor):
    # Issue: "editors can add kinds (Analysis, News, Opinion, …) without a code change".
    editors, permissions = editors_and_kind_permissions(apps)
    if editors:
        editors.permissions.add(*permissions)


def revoke(apps, schema_editor):
    editors, permissions = editors_and_kind_permissions(apps)
    if editors:
        editors.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_article_slug_optional")]

    operations = [migrations.RunPython(grant, revoke)]
