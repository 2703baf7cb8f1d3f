from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.models.signals import post_migrate, pre_save


def create_cache_table(*, using, verbosity=1, **kwargs):
    """Create the database cache's table (if that backend is configured) on every `migrate`.

    Rate limits live in the cache, so a production site must have the table before its
    first signup; `migrate` is the one command every deployment already runs.
    """
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


def end_cached_pages_after_migrations(*, plan=None, **kwargs):
    """Migrations write rows past save() (historical models send no signals, e.g. slugs
    repaired before a constraint): pages rendered before them may be stale.

    Not bump_content_version(): it reads tables a migration run backwards may have
    removed.
    """
    if plan:
        from publication.page_cache import forget_content_version

        forget_content_version()


def forget_request_id(**kwargs):
    from publication.logs import request_id_var

    request_id_var.set("-")


class PublicationConfig(AppConfig):
    name = "publication"
    verbose_name = "Publication"

    def ready(self):
        from taggit.models import Tag

        from publication import models
        from publication.page_cache import follow_updates, register_next_change, shown_on_pages
        from publication.text import clean_typed_text, register_name_field
        from publication.topics import give_topic_a_slug

        # Before any other pre_save handler (a topic's slug is made from its clean name).
        pre_save.connect(clean_typed_text, dispatch_uid="typed-text")
        # Tag is taggit's model: its save() is the one place every topic passes through.
        pre_save.connect(give_topic_a_slug, sender=Tag, dispatch_uid="topic-slug")

        # One "Europe" section or topic, one credit per photographer or agency, however
        # each is typed. Authors may share a name: two writers called Ana Ruiz are two
        # people with pages of their own, told apart by slug and bio.
        for model in (models.Section, models.Creator, Tag):
            register_name_field(model, unique=True)
        register_name_field(models.Author, unique=False)
        # Cached feeds and creator pages end when a photo's licence runs out.
        register_next_change(models.next_license_expiry)
        # Every record public pages show: writing one makes cached pages stale.
        shown_on_pages(
            models.Section,
            models.Creator,
            models.Photo,
            models.Author,
            models.AuthorLink,
            models.SiteSettings,
            models.SocialLink,
            Tag,
        )

        # A licence date written in bulk (an import) plans its withdrawal as a saved one.
        follow_updates(
            models.Photo,
            {"license_expires_on"},
            models.replan_withdrawals,
            dispatch_uid="photo-withdrawal",
        )

        from publication.logs import install_request_id_factory

        install_request_id_factory()
        post_migrate.connect(create_cache_table, sender=self)
        # After the cache table exists.
        post_migrate.connect(end_cached_pages_after_migrations, sender=self)
        request_finished.connect(forget_request_id, dispatch_uid="forget_request_id")

        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from publication.security import clear_own_login_failures, shared_cache_check

        user_logged_in.connect(clear_own_login_failures, dispatch_uid="clear-own-login-failures")
        checks.register(shared_cache_check, checks.Tags.caches, deploy=True)
