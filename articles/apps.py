from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from taggit.models import Tag, TaggedItem

        from articles import models
        from articles.models import Article, Byline, Correction, Kind, next_scheduled_publish
        from publication.page_cache import bump_content_version, register_next_change

        # Cached public pages end when a scheduled article goes live.
        register_next_change(next_scheduled_publish)
        for model in (Article, Byline, Correction, Kind, TaggedItem):
            for signal in (post_save, post_delete):
                signal.connect(bump_content_version, sender=model, dispatch_uid="content-version")
        for through in (
            Article.other_sections.through,
            Article.body_photos.through,
            TaggedItem,  # article.tags.add()/remove() send m2m_changed, not post_save
        ):
            m2m_changed.connect(
                bump_content_version, sender=through, dispatch_uid="content-version"
            )
        # Topics are taggit's model, which we cannot give a save() of our own.
        pre_save.connect(models.remember_topic_url, sender=Tag, dispatch_uid="topic-url")
        post_save.connect(models.redirect_moved_topic, sender=Tag, dispatch_uid="topic-moved")

        from publication.models import Author

        # publication/ knows nothing of articles, so the search index listens for renames.
        pre_save.connect(remember_author_name, sender=Author, dispatch_uid="author-name")
        post_save.connect(reindex_author_articles, sender=Author, dispatch_uid="author-reindex")


def remember_author_name(sender, instance, **kwargs):
    instance._name_before_save = (
        sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
        if instance.pk
        else None
    )


def reindex_author_articles(sender, instance, created, **kwargs):
    if not created and getattr(instance, "_name_before_save", None) != instance.name:
        from articles.models import Article

        Article.reindex(Article.objects.filter(bylines__author=instance))
