from django.apps import AppConfig
from django.db.models.signals import pre_save


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self):
        from taggit.models import Tag

        from publication.topics import give_topic_a_slug

        # Tag is taggit's model: its save() is the one place every topic passes through.
        pre_save.connect(give_topic_a_slug, sender=Tag, dispatch_uid="topic-slug")
