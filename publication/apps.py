from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self):
        from taggit.models import Tag

        from publication import models
        from publication.page_cache import bump_content_version
        from publication.topics import give_topic_a_slug

        # Tag is taggit's model: its save() is the one place every topic passes through.
        pre_save.connect(give_topic_a_slug, sender=Tag, dispatch_uid="topic-slug")

        # Every record public pages show: saving or deleting one makes cached pages stale.
        for model in (
            models.Section,
            models.Creator,
            models.Photo,
            models.Author,
            models.AuthorLink,
            models.SiteSettings,
            models.SocialLink,
            Tag,
        ):
            for signal in (post_save, post_delete):
                signal.connect(bump_content_version, sender=model, dispatch_uid="content-version")
        m2m_changed.connect(
            bump_content_version,
            sender=models.SiteSettings.nav_topics.through,
            dispatch_uid="content-version",
        )
