from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from taggit.models import Tag, TaggedItem

        from articles import models
        from articles.models import (
            Article,
            BodyPhoto,
            Byline,
            Correction,
            Kind,
            next_scheduled_publish,
        )
        from publication.page_cache import register_next_change, shown_on_pages
        from publication.text import register_name_field

        # Cached public pages end when a scheduled article goes live.
        register_next_change(next_scheduled_publish)
        # Article's many-to-many fields (other sections, body photos, topics, authors)
        # are wired with it.
        shown_on_pages(Article, Byline, BodyPhoto, Correction, Kind, TaggedItem)
        register_name_field(Kind, unique=True)
        # Topics are taggit's model, which we cannot give a save() of our own.
        pre_save.connect(models.remember_topic_url, sender=Tag, dispatch_uid="topic-url")
        post_save.connect(models.redirect_moved_topic, sender=Tag, dispatch_uid="topic-moved")

        from publication.models import Author
        from publication.page_cache import follow_updates

        # publication/ knows nothing of articles, so the search index listens for renames,
        # saved or written in bulk, and for its own text written in bulk (an import).
        pre_save.connect(remember_author_name, sender=Author, dispatch_uid="author-name")
        post_save.connect(reindex_author_articles, sender=Author, dispatch_uid="author-reindex")
        follow_updates(Author, {"name"}, reindex_renamed_authors, dispatch_uid="author-reindex")
        follow_updates(
            Article, Article.indexed_fields, reindex_updated_articles, dispatch_uid="reindex"
        )


def remember_author_name(sender, instance, **kwargs):
    instance._name_before_save = (
        sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
        if instance.pk
        else None
    )


def reindex_author_articles(sender, instance, created, **kwargs):
    if not created and getattr(instance, "_name_before_save", None) != instance.name:
        reindex_renamed_authors(sender, pks=[instance.pk], fields={"name"})


def reindex_renamed_authors(sender, pks, fields, **kwargs):
    if "name" in fields:
        from articles.models import Article

        Article.reindex_names(Article.objects.filter(bylines__author__in=pks))


def reindex_updated_articles(sender, pks, fields, **kwargs):
    if not fields.isdisjoint(sender.indexed_fields):
        sender.reindex(sender.objects.filter(pk__in=pks))
