from django.db import migrations, models
from django.utils.encoding import filepath_to_uri


def src_name(storage, src: str, names: list[str]) -> str | None:
    """Which of a photo's rendition files a stored src URL points to."""
    for name in names:
        if storage.url(name) == src or src.endswith("/" + filepath_to_uri(name)):
            return name
    return None


def size_or_none(storage, name: str | None) -> int | None:
    if not name:
        return None
    try:
        return storage.size(name)
    except OSError:  # missing from storage: feeds leave the enclosure out, as before
        return None


def record_lengths(apps, schema_editor):
    """Ask the storage once, here, for the length of every photo's original and of each
    rendition's src file, so that feeds never have to."""
    Photo = apps.get_model("publication", "Photo")
    storage = Photo._meta.get_field("image").storage
    photos = Photo.objects.only("image", "renditions", "rendition_files").order_by("pk")
    for photo in photos.iterator(chunk_size=500):
        renditions = photo.renditions or {}
        for rendition in renditions.values():
            if isinstance(rendition, dict) and "bytes" not in rendition:
                name = src_name(storage, rendition.get("src", ""), photo.rendition_files or [])
                rendition["bytes"] = size_or_none(storage, name)
        Photo.objects.filter(pk=photo.pk).update(
            image_bytes=size_or_none(storage, photo.image.name), renditions=renditions
        )


def forget_rendition_lengths(apps, schema_editor):
    Photo = apps.get_model("publication", "Photo")
    photos = Photo.objects.exclude(renditions={}).only("renditions").order_by("pk")
    for photo in photos.iterator(chunk_size=500):
        for rendition in photo.renditions.values():
            if isinstance(rendition, dict):
                rendition.pop("bytes", None)
        Photo.objects.filter(pk=photo.pk).update(renditions=photo.renditions)


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0009_site_settings_language_share_photo"),
    ]

    operations = [
        migrations.AddField(
            model_name="photo",
            name="image_bytes",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(record_lengths, forget_rendition_lengths),
    ]
