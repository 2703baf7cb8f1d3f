from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
EDITOR_PERMISSIONS = {
    "articles": {
        "article": ["add", "change", "delete", "view"],
        "byline": ["add", "change", "delete", "view"],
        "sharelink": ["add", "change", "view"],
        "kind": ["view"],
    },
    "publication": {
        "photo": ["add", "change", "view"],
        "creator": ["add", "change", "view"],
        "author": ["add", "change", "view"],
        "authorlink": ["add", "change", "delete", "view"],
        "section": ["view"],
    },
    "taggit": {
        "tag": ["add", "change", "view"],
        "taggeditem": ["add", "change", "delete", "view"],
    },
}


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def delete_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("publication", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, delete_editors_group)]
