from django.db import migrations


def create_site_settings(apps, schema_editor):
    # The row exists from the start, so no public GET ever has to write it.
    apps.get_model("publication", "SiteSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("publication", "0001_initial")]

    operations = [migrations.RunPython(create_site_settings, migrations.RunPython.noop)]
