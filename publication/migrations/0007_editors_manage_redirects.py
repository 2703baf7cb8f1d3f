from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
CODENAMES = ["add_redirect", "change_redirect", "delete_redirect", "view_redirect"]


def editors_and_permissions(apps):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    app_config = apps.get_app_config("publication")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="publication", codename__in=CODENAMES
    )
    return Group.objects.get_or_create(name=EDITORS)[0], permissions


def grant(apps, schema_editor):
    # Editors change slugs after publication and fix old links themselves.
    editors, permissions = editors_and_permissions(apps)
    editors.permissions.add(*permissions)


def revoke(apps, schema_editor):
    editors, permissions = editors_and_permissions(apps)
    editors.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0006_redirect"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
