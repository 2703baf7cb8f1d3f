from django.contrib.auth.management import create_permissions
from django.db import migrations

NEWSLETTER_STAFF = "Newsletter staff"
STAFF_PERMISSIONS = {
    "subscriber": ["change", "view", "export"],
    "roundup": ["add", "change", "view"],
    "roundupitem": ["add", "change", "delete", "view"],
    "delivery": ["view"],
    "exportlog": ["view"],
}


def codename(action, model):
    return "export_subscribers" if action == "export" else f"{action}_{model}"


def create_newsletter_staff_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=NEWSLETTER_STAFF)
    codenames = [
        codename(action, model) for model, actions in STAFF_PERMISSIONS.items() for action in actions
    ]
    newsletter_permissions = Permission.objects.filter(content_type__app_label="newsletter")
    group.permissions.add(*newsletter_permissions.filter(codename__in=codenames))
    # Editors must not see subscriber data at all, whatever was granted by hand.
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(*newsletter_permissions)


def delete_newsletter_staff_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NEWSLETTER_STAFF).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("articles", "0002_editors_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_newsletter_staff_group, delete_newsletter_staff_group)
    ]
