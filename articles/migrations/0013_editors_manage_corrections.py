from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["add_correction", "change_correction", "delete_correction", "view_correction"]


def editors_and_correction_permissions(apps):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="articles", codename__in=CODENAMES
    )
    return Group.objects.filter(name="Editors").first(), permissions


def grant(apps, schema_editor):
    # Editors write the correction notes readers see at the end of an article.
    editors, permissions = editors_and_correction_permissions(apps)
    if editors:
        editors.permissions.add(*permissions)


def revoke(apps, schema_editor):
    editors, permissions = editors_and_correction_permissions(apps)
    if editors:
        editors.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_article_corrections")]

    operations = [migrations.RunPython(grant, revoke)]
