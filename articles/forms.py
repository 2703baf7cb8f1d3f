from django import forms

from articles import search
from articles.models import Kind
from publication.models import Author, Section


class QueryField(forms.Field):
    """Any text is accepted: control characters (NUL) are dropped and length is capped."""

    widget = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})

    def to_python(self, value):
        return search.clean_query(value or "")


class SearchForm(forms.Form):
    q = QueryField(label="Search", required=False)
    section = forms.ModelChoiceField(
        Section.objects.all(), to_field_name="slug", required=False, empty_label="All sections"
    )
    kind = forms.ModelChoiceField(
        Kind.objects.all(), to_field_name="slug", required=False, empty_label="All kinds"
    )
    author = forms.ModelChoiceField(
        Author.objects.all(), to_field_name="slug", required=False, empty_label="All authors"
    )

    def __init__(self, data, **kwargs):
        # The box shows the query as searched: without NUL bytes, cut to length.
        data = data.copy()
        data["q"] = search.clean_query(data.get("q", ""))
        super().__init__(data, **kwargs)

    @property
    def query(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("q", "")

    def filter(self, articles):
        """Apply the filters that are valid; an unknown section or author is simply ignored."""
        self.is_valid()
        data = self.cleaned_data
        if section := data.get("section"):
            articles = articles.in_section(section)
        if kind := data.get("kind"):
            articles = articles.filter(kind=kind)
        if author := data.get("author"):
            articles = articles.by_author(author)
        return articles
