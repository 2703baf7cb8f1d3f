from django.db import migrations
from django.db.models.functions import Lower

from newsletter.validators import domain_to_ascii


def store_domains_in_ascii(apps, schema_editor):
    """Addresses were stored with Unicode domains; they are now stored in punycode so
    that both spellings are one subscriber. A row whose punycode twin already exists
    is left as it is rather than merged blindly: staff can see both in the admin."""
    Subscriber = apps.get_model("newsletter", "Subscriber")
    for subscriber in Subscriber.objects.filter(email__regex=r"@.*[^\x00-\x7f]"):
        local, _, domain = subscriber.email.rpartition("@")
        email = f"{local}@{domain_to_ascii(domain)}"
        taken = (
            Subscriber.objects.alias(lower=Lower("email"))
            .filter(lower=email.lower())
            .exclude(pk=subscriber.pk)
        )
        if email != subscriber.email and not taken.exists():
            subscriber.email = email
            subscriber.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0004_subscriber_delivery_ordering_indexes")]

    operations = [migrations.RunPython(store_domains_in_ascii, migrations.RunPython.noop)]
