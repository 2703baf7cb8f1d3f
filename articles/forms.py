from django import forms
from django.db.models import F, Value
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles import search
from articles.models import Kind
from publication.models import Author, Section
from publication.page_cache import cached_under_version


class SearchInput(forms.TextInput):
    """The query box, drawn as Django's template draws it, without the template: rendering
    an input through the form renderer took ~0.3 ms of every search page."""

    input_type = "search"

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html(
            '<input type="search" name="{}"{}{}>',
            name,
            "" if value is None else format_html(' value="{}"', value),
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class QueryField(forms.Field):
    """Any text is accepted: control characters (NUL) are dropped and length is capped."""

    # A browser sends no more than a search reads: a pasted page of text made an address
    # web servers refuse (414).
    widget = SearchInput(attrs={"autocomplete": "off", "maxlength": search.MAX_QUERY_LENGTH})

    def to_python(self, value):
        return search.clean_query(value or "")


def filter_choices() -> dict[str, tuple[dict[str, tuple[int, str]], str]]:
    """For sections, kinds and authors: slug → (id, name), and the <option> elements, cached
    until content changes: checking a filter and drawing the three lists cost no query."""

    def compute():
        # One query for the three lists, each in its own order (sections and kinds by
        # their order field, then name; authors by name).
        lists = [
            model.objects.annotate(list=Value(number), rank=order)
            .values_list("list", "rank", "name", "pk", "slug")
            .order_by()
            for number, (model, order) in enumerate(
                ((Section, F("order")), (Kind, F("order")), (Author, Value(0)))
            )
        ]
        choices = ({}, {}, {})
        for number, _, name, pk, slug in sorted(lists[0].union(*lists[1:], all=True)):
            choices[number][slug] = (pk, name)
        return {
            name: (
                slugs,
                str(
                    format_html_join(
                        "",
                        '<option value="{}">{}</option>',
                        ((slug, label) for slug, (_, label) in slugs.items()),
                    )
                ),
            )
            for name, slugs in zip(("section", "kind", "author"), choices, strict=True)
        }

    return cached_under_version("search-filter-choices", compute)


class PlainSelect(forms.Select):
    """A select whose options come drawn from the cache: Django's per-option templates
    cost ~40 ms for a few hundred authors, more than the search itself."""

    def __init__(self, empty_label):
        super().__init__()
        self.empty_label = empty_label
        self.slugs, self.options = {}, ""  # set by the form from filter_choices()

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        options = self.options
        if value in self.slugs:
            option = format_html('<option value="{}"', value)
            options = options.replace(f"{option}>", f"{option} selected>", 1)
        return format_html(
            '<select name="{}" id="{}"><option value="">{}</option>{}</select>',
            name,
            attrs.get("id", f"id_{name}"),
            self.empty_label,
            mark_safe(options),  # noqa: S308 - every name and slug was escaped when cached
        )


class SlugChoiceField(forms.CharField):
    """One of the cached slugs; anything else is invalid and simply not applied."""

    def __init__(self, empty_label):
        super().__init__(required=False, widget=PlainSelect(empty_label))

    def clean(self, value):
        value = super().clean(value)
        if value and value not in self.widget.slugs:
            raise forms.ValidationError("Unknown choice.", code="invalid_choice")
        return self.widget.slugs[value][0] if value else None


class SearchForm(forms.Form):
    q = QueryField(label="Search", required=False)
    section = SlugChoiceField("All sections")
    kind = SlugChoiceField("All kinds")
    author = SlugChoiceField("All authors")

    def __init__(self, data, **kwargs):
        # The box shows the query as searched: without NUL bytes, cut to length.
        data = data.copy()
        data["q"] = search.clean_query(data.get("q", ""))
        super().__init__(data, **kwargs)
        for name, (slugs, options) in filter_choices().items():
            self.fields[name].widget.slugs, self.fields[name].widget.options = slugs, options

    @property
    def query(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("q", "")

    @property
    def filters(self) -> dict:
        """The filters that are valid, by name, as ids for search.ranked_ids and
        ArticleFilters.search_parts; an unknown section or author is simply ignored."""
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in ("kind", "author", "section")
            if self.cleaned_data.get(name)
        }
