"""What every syndication feed of the site shares, whichever app it lists."""

from publication.context_processors import cached_site_settings


class SiteLanguageMixin:
    """For Feed views: the feed's language is the one editors chose in the site settings,
    as on every page, not the LANGUAGE_CODE Django would use."""

    @property
    def language(self):
        return cached_site_settings().language
