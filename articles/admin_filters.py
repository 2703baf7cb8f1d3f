"""Article list filters that stay cheap at any archive size.

A link per author or per topic in the sidebar meant loading (and, for authors, de-duplicating
over every byline of every article) hundreds of rows on each request. These filters show an
autocomplete box instead, fed by the admin's own autocomplete view as the user types, and
cost one primary-key lookup when a choice is made.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.forms import Media
from taggit.models import Tag

from articles.models import Article, Byline
from publication.db import row_with_typed_id
from publication.models import Author, Photo


class OneRowFilter(admin.SimpleListFilter):
    """The articles of one row (an author, a photo...) named by its id: one primary-key
    lookup, never a choice per row. Subclasses set model and filter(queryset, row)."""

    model = None

    def chosen(self):
        if not hasattr(self, "_chosen"):
            # Not an id (typed or stale): the whole list, as Django's own filters show
            # for an unknown choice.
            self._chosen = row_with_typed_id(self.model.objects.all(), self.value())
        return self._chosen

    def lookups(self, request, model_admin):
        chosen = self.chosen()
        return [(str(chosen.pk), str(chosen))] if chosen else []

    def queryset(self, request, queryset):
        chosen = self.chosen()
        return self.filter(queryset, chosen) if chosen else queryset


class PhotoUseFilter(OneRowFilter):
    """Articles showing one photo, reached from the photo's "Used in N articles" link."""

    title = "photo"
    parameter_name = "photo"
    model = Photo

    @staticmethod
    def filter(queryset, photo):
        return queryset.using_photo(photo)


class AutocompleteFilter(OneRowFilter):
    template = "admin/articles/article/autocomplete_filter.html"
    # Set by subclasses: the field whose autocomplete view lists the model's rows.
    source_field = None

    def lookups(self, request, model_admin):
        self.admin_site = model_admin.admin_site
        return super().lookups(request, model_admin)

    def has_output(self):
        return True

    def choices(self, changelist):
        # The box navigates to this address with the chosen id in place of the marker.
        self.url = changelist.get_query_string(
            {self.parameter_name: "__chosen__"}, [self.parameter_name]
        )
        return super().choices(changelist)

    def widget(self):
        return AutocompleteSelect(self.source_field(), self.admin_site)

    def box(self):
        chosen = self.chosen()
        field = forms.ModelChoiceField(self.model.objects.all(), required=False)
        widget = self.widget()
        widget.choices = field.choices
        return widget.render(
            f"filter-{self.parameter_name}",
            chosen.pk if chosen else None,
            attrs={
                "id": f"filter-{self.parameter_name}",
                "aria-label": f"Filter by {self.title}",
                "data-filter-url": self.url,
                "data-placeholder": f"Type to find {self.title}…",
                # Select2 otherwise sizes the box to its longest name and widens the sidebar.
                "data-width": "100%",
            },
        )


class AuthorFilter(AutocompleteFilter):
    title = "author"
    # The name Django's related-field filter used, so saved links keep working.
    parameter_name = "bylines__author__id__exact"
    model = Author

    @staticmethod
    def source_field():
        return Byline._meta.get_field("author")

    @staticmethod
    def filter(queryset, author):
        return queryset.by_author(author)


class TopicFilter(AutocompleteFilter):
    title = "topics"
    parameter_name = "tags__id__exact"
    model = Tag

    @staticmethod
    def source_field():
        return Article._meta.get_field("tags")

    @staticmethod
    def filter(queryset, tag):
        return queryset.tagged(tag)


def autocomplete_filter_media() -> Media:
    """Select2 and Django's autocomplete script, with our script that applies the choice."""
    widget = AutocompleteSelect(Byline._meta.get_field("author"), admin.site)
    return widget.media + Media(js=["js/admin-list-filters.js"])
