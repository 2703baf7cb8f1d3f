import copy
import functools
import secrets

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q
from django.forms.formsets import all_valid
from django.forms.models import BaseInlineFormSet, construct_instance, model_to_dict
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version
from taggit.forms import TagWidget
from taggit.models import Tag

from articles import revisions, search
from articles.admin_filters import (
    AuthorFilter,
    PhotoUseFilter,
    TopicFilter,
    autocomplete_filter_media,
)
from articles.body import comparable_body
from articles.models import (
    LEAD_PHOTO_TEXT_FIELDS,
    Article,
    ArticleRevision,
    Byline,
    Correction,
    EditLock,
    Kind,
    ShareLink,
    WorkingCopy,
    article_count_per_photo,
    natural_join,
    schedule_label,
    unique_slug,
)
from articles.views import render_article_preview
from publication.admin import (
    BoundedInline,
    KnownValuesOnlyMixin,
    OrderedListAdmin,
    PhotoAdmin,
    PhotoForm,
    TypeToPickMixin,
    type_to_pick_widget,
    zoned_field,
)
from publication.db import typed_id, validate_storable_moment
from publication.models import Creator, Photo
from publication.text import typed_text
from publication.times import zoned_text, zoned_time, zoned_time_listed
from publication.uploads import refused_upload

# A CSS class, not a style attribute: the admin's Content-Security-Policy allows no inline styles.
WIDE = "wide-input"


class TagSuggestWidget(TagWidget):
    class Media:
        js = ["js/admin-tag-suggest.js"]

    def __init__(self, attrs=None):
        suggest_url = reverse_lazy("admin:articles_article_tag_suggest")
        super().__init__(
            {"data-tag-suggest-url": suggest_url, "autocomplete": "off", **(attrs or {})}
        )


@admin.register(Kind)
class KindAdmin(OrderedListAdmin):
    pass


class CorrectionInline(BoundedInline, admin.TabularInline):
    model = Correction
    extra = 0
    fields = ["kind", "text", "date"]
    verbose_name = "correction or update note"
    verbose_name_plural = "corrections and update notes"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class BylineFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count():
            # A new row comes after the saved ones unless it is dragged elsewhere.
            last = max((byline.order for byline in self.get_queryset()), default=-1)
            kwargs["initial"] = {"order": last + 1 + index - self.initial_form_count()}
        return kwargs


class BylineInline(BoundedInline, TypeToPickMixin, admin.TabularInline):
    """Co-authors with their roles, in the order readers see them.

    The order is set by dragging a row, or with its Move up / Move down buttons
    (js/admin-byline-order.js), which number the hidden order fields.
    """

    model = Byline
    formset = BylineFormSet
    # Typing a new name offers "Create …" (no popup window).
    type_to_pick_fields = ["author"]
    fields = ["author", "role", "order"]
    formfield_overrides = {
        models.PositiveSmallIntegerField: {
            "widget": forms.HiddenInput(attrs={"class": "byline-order"})
        }
    }

    class Media:
        js = ["js/admin-byline-order.js"]

    def get_extra(self, request, obj=None, **kwargs):
        # A new article usually has a writer and a co-author: two empty rows, no extra click.
        return 1 if obj is not None else 2


def posted_author_count(data, prefix="bylines") -> int:
    """Byline rows with an author that the POST keeps (the inline is checked on its own)."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS") or 0), 1000)
    except ValueError:
        return 0
    return sum(
        1
        for index in range(total)
        if data.get(f"{prefix}-{index}-author") and not data.get(f"{prefix}-{index}-DELETE")
    )


def needs_sentence(needs: list[str]) -> str:
    return f"Not published: it needs {natural_join(needs)}."


class UploadedFileField(forms.FileField):
    """The file as uploaded: the photo form behind the field checks and re-encodes it."""

    def to_python(self, data):
        return data or None


class LeadPhotoForm(PhotoForm):
    """The lead photo's fields inside the article form: the photo admin's own form (so
    the same checks and re-encoding), except that a draft may wait for its alt text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alt_text"].required = False


# Article form field -> lead photo field, for the photo fields shown in the article form.
LEAD_PHOTO_FIELDS = {
    "photo_image": "image",
    **{f"photo_{name}": name for name in LEAD_PHOTO_TEXT_FIELDS},
}


class ArticleAdminForm(forms.ModelForm):
    """Drafts save with anything missing; publishing or scheduling needs the whole article.

    A save is refused when the article changed since the form was loaded (a field-by-field
    comparison is shown and the typed text stays), or while another editor holds the lock.
    """

    base_version = forms.CharField(required=False, widget=forms.HiddenInput)
    show_as_updated = forms.BooleanField(
        required=False,
        label="Show as updated",
        help_text="Readers see “Updated” with today's date. Leave it for minor edits.",
    )
    # The lead photo, uploaded (or the picked one edited) in place: see check_photo_fields.
    photo_image = UploadedFileField(
        required=False,
        label="New lead photo",
        help_text="Drop an image here or choose a file: JPEG, PNG, GIF or WebP. It becomes "
        "the lead photo when you save, with the alt text, caption and credit below.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    photo_alt_text = forms.CharField(
        required=False,
        max_length=300,
        label="Alt text",
        help_text=Photo._meta.get_field("alt_text").help_text,
        widget=forms.TextInput(attrs={"class": f"vTextField {WIDE}"}),
    )
    photo_caption = forms.CharField(
        required=False, label="Caption", widget=forms.Textarea(attrs={"rows": 2})
    )
    photo_creator = forms.ModelChoiceField(
        Creator.objects.all(),
        required=False,
        label="Photographer or artist",
        help_text=Photo._meta.get_field("creator").help_text,
    )
    photo_source = forms.ModelChoiceField(
        Creator.objects.all(),
        required=False,
        label="Source",
        help_text=Photo._meta.get_field("source").help_text,
    )
    photo_credit_type = forms.ChoiceField(
        choices=Photo.CreditType.choices,
        initial=Photo.CreditType.PHOTO,
        required=False,
        label="Credit type",
    )
    # Which photo the fields above describe (empty: none yet, or a new upload).
    photo_for = forms.CharField(
        required=False,
        widget=forms.HiddenInput(
            attrs={"data-fields-url": reverse_lazy("admin:articles_article_photo_fields", args=[0])}
        ),
    )
    # The name of an image chosen in the browser and sent when the form is saved: the live
    # checks then judge the photo fields typed for it (admin-lead-photo.js sets it).
    photo_chosen = forms.CharField(required=False, widget=forms.HiddenInput)
    editor = None  # set per request by ArticleAdmin.get_form
    credit_widgets = None  # {"photo_creator": widget, …}, set per request by get_form
    check_concurrency = check_publishing = True
    save_new_photo = True  # a preview shows the article without storing an upload
    lead_photo_form = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version_token
        for name, widget in (self.credit_widgets or {}).items():
            field = self.fields[name]
            field.widget = copy.deepcopy(widget)
            field.widget.choices = field.choices
        photo = self.instance.lead_photo if self.instance.lead_photo_id else None
        if photo is not None:
            values = model_to_dict(photo, fields=list(LEAD_PHOTO_FIELDS.values()))
            for name, photo_field in LEAD_PHOTO_FIELDS.items():
                if photo_field != "image":
                    self.initial.setdefault(name, values[photo_field])
            self.initial.setdefault("photo_for", str(photo.pk))

    @functools.cached_property
    def changed_data(self):
        # Only fields editors see: the hidden ones (the version the form was loaded with,
        # which photo the photo fields describe) change nothing of the article, and a POST
        # without base_version made History say "Changed Base version."
        changed = [name for name in super().changed_data if not self[name].is_hidden]
        # The editor drops what a body gains when stored (rel="noopener noreferrer" on
        # links), so an untouched body read as changed: History said "Changed Body." on
        # every save of an article with a link; it also writes <em> as <i>. Compared as
        # stored, in the form where CKEditor's rewrites compare equal.
        if "body" in changed and comparable_body(self["body"].initial) == comparable_body(
            self["body"].data
        ):
            changed.remove("body")
        return changed

    def check_photo_fields(self, cleaned_data):
        """Check the in-place photo fields with the photo admin's form, saved in save().

        A new upload becomes the lead photo; otherwise the fields edit the picked lead
        photo, but only when they were filled from that photo (photo_for).
        """
        upload = cleaned_data.get("photo_image")
        lead = cleaned_data.get("lead_photo")
        if upload:
            target = Photo()
        elif lead is not None and cleaned_data.get("photo_for") == str(lead.pk):
            target = lead
        else:
            return
        data = model_to_dict(target, fields=PhotoForm._meta.fields)
        for name, photo_field in LEAD_PHOTO_FIELDS.items():
            if photo_field != "image" and name in self.data:
                value = cleaned_data.get(name)
                data[photo_field] = getattr(value, "pk", value) or ""
        data["credit_type"] = data.get("credit_type") or Photo.CreditType.PHOTO
        files = {"image": upload} if upload else {}
        form = LeadPhotoForm(
            {key: "" if value is None else value for key, value in data.items()},
            files,
            instance=target,
        )
        if not form.is_valid():
            fields_by_photo_field = {value: key for key, value in LEAD_PHOTO_FIELDS.items()}
            for photo_field, errors in form.errors.items():
                name = fields_by_photo_field.get(photo_field, "photo_image")
                for error in errors:
                    self.add_error(name, error)
            return
        if upload or form.has_changed():
            self.lead_photo_form = form

    def clean_slug(self):
        """A typed address another article has is an error naming that article, also when
        it is being saved at this very moment (its save commits first, then this check
        runs): two posts of one address a moment apart and at once are answered alike.
        An empty address is made from the headline, and takes the next free one."""
        slug = self.cleaned_data["slug"]
        if slug and slug != self.instance.slug:
            other = self.instance.slug_taken_by(slug)
            if other is not None:
                raise forms.ValidationError(
                    "Another article already has this address: “%(other)s”. Choose another "
                    "address, for example %(free)s.",
                    code="unique",
                    params={"other": other, "free": unique_slug(slug)},
                )
        return slug

    def clean_published_at(self):
        when = self.cleaned_data["published_at"]
        validate_storable_moment(when)
        return when

    def clean(self):
        cleaned_data = super().clean()
        self.check_photo_fields(cleaned_data)
        if "_publish" in self.data:
            # "Publish now": live at once, whatever the status and time fields say.
            cleaned_data["status"] = Article.Status.PUBLISHED
            when = cleaned_data.get("published_at")
            if when is None or when > timezone.now():
                cleaned_data["published_at"] = timezone.now()
        return self.clean_publishing(cleaned_data)

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "dek",
            "kind",
            "section",
            "other_sections",
            "lead_photo",
            "body",
            "teaser",
            "tags",
            "seo_title",
            "seo_description",
            "status",
            "published_at",
            "featured",
        ]

    def clean_publishing(self, cleaned_data):
        if "_schedule" in self.data:
            when = cleaned_data.get("published_at")
            if when is None or when <= timezone.now():
                raise forms.ValidationError(
                    "Choose a publish time in the future to schedule the article.",
                    code="past",
                )
            cleaned_data["status"] = Article.Status.PUBLISHED
        if self.instance.pk and self.check_concurrency:
            self.refuse_conflicting_save(cleaned_data)
        if self.check_publishing and cleaned_data.get("status") == Article.Status.PUBLISHED:
            article = construct_instance(self, copy.copy(self.instance))
            if self.lead_photo_form is not None:
                # As the photo form left it after checking: the photo about to be saved.
                article.lead_photo = self.lead_photo_form.instance
            needs = article.publishing_problems(author_count=posted_author_count(self.data))
            if needs:
                raise forms.ValidationError(
                    needs_sentence(needs) + " Save it as a draft until then.",
                    code="not_ready",
                )
        return cleaned_data

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.has_error(NON_FIELD_ERRORS, "not_ready"):
            # The refusal names all that publishing needs; the database's check of part of
            # the same rule (article_published_is_complete) would repeat it as "Constraint
            # … is violated". Without the status field that check is skipped.
            exclude.add("status")
        return exclude

    def refuse_conflicting_save(self, cleaned_data):
        # The row stays locked until this save commits (the admin saves in a transaction):
        # a second save racing this one waits, then sees this one's version and is refused.
        current = (
            Article.objects.select_related("kind", "section", "lead_photo")
            .select_for_update(of=("self",))
            .filter(pk=self.instance.pk)
            .first()
        )
        if current is None:
            return
        base = cleaned_data.get("base_version")
        if base and base != current.version_token:
            # Shown once: pressing Save again replaces the other version on purpose.
            self.data = self.data.copy()
            self.data["base_version"] = current.version_token
            raise forms.ValidationError(
                format_html(
                    "This article was saved by someone else since you opened it. Nothing was "
                    "saved; your text is still in the form. Compare their version "
                    "(<del>struck</del>) with yours (<ins>underlined</ins>), then press Save "
                    'again to replace theirs with yours.<dl class="revision-diff">{}</dl>',
                    revisions.changes_html(conflicts(current, cleaned_data)),
                ),
                code="conflict",
            )
        if self.editor is not None:
            lock = EditLock.objects.active().filter(article=current).select_related("user").first()
            if lock and not lock.belongs_to(self.editor, edit_tab(self.data)):
                holder = (
                    "You are editing this article in another tab"
                    if lock.user_id == self.editor.pk
                    else f"{editor_name(lock.user)} is editing this article"
                )
                raise forms.ValidationError(
                    f"{holder} (since {local_time(lock.since)}, "
                    f"{timezone.get_current_timezone_name()}). Take over to save your changes.",
                    code="locked",
                )

    def save(self, commit=True):
        if self.cleaned_data.get("show_as_updated"):
            self.instance.shown_updated_at = timezone.now()
        photo_form = self.lead_photo_form
        if photo_form is not None and (photo_form.instance.pk or self.save_new_photo):
            # Before the article, which points to it; inside the admin's transaction.
            self.instance.lead_photo = photo_form.save()
        return super().save(commit)

    def preview_article(self) -> Article:
        """The article as typed, valid or not, for the live checks."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if self.lead_photo_form is not None:
            self.instance.lead_photo = self.lead_photo_form.instance
        elif data.get("photo_chosen"):
            self.instance.lead_photo = Photo(
                alt_text=data.get("photo_alt_text") or "",
                creator=data.get("photo_creator"),
                source=data.get("photo_source"),
                credit_type=data.get("photo_credit_type") or Photo.CreditType.PHOTO,
            )
        return self.instance


# A long article with every field is well under this; anything bigger is not a form.
WORKING_COPY_MAX_BYTES = 2_000_000
# What every autosave of the form holds, even with every text field empty.
AUTOSAVE_REQUIRED_FIELDS = ["headline"]
CONFLICT_FIELDS = ["headline", "dek", "kind", "section", "lead_photo", "status", "published_at"]


def conflicts(current: Article, cleaned_data: dict) -> list[tuple[str, str]]:
    """(label, diff) for each field where the saved article and this form differ."""
    rows = []
    for name in CONFLICT_FIELDS:
        theirs, yours = getattr(current, name), cleaned_data.get(name)
        if theirs != yours:
            label = Article._meta.get_field(name).verbose_name.capitalize()
            rows.append((label, revisions.word_diff(str(theirs or "—"), str(yours or "—"))))
    for name in ["body", "teaser"]:
        theirs = revisions.plain_text(getattr(current, name)).strip()
        yours = revisions.plain_text(cleaned_data.get(name) or "").strip()
        if theirs != yours:
            label = Article._meta.get_field(name).verbose_name.capitalize()
            rows.append((label, revisions.word_diff(theirs, yours)))
    theirs_tags = sorted(current.tags.names())
    yours_tags = sorted(cleaned_data.get("tags") or [])
    if [t.lower() for t in theirs_tags] != [t.lower() for t in yours_tags]:
        rows.append(("Topics", revisions.list_diff(theirs_tags, yours_tags)))
    return rows


def holds_values(request, article, fields) -> bool:
    """Whether any of these article fields holds text, as saved or as posted."""
    posted = request.POST if request.method == "POST" else {}
    return any(
        str(posted.get(field, "")).strip() or str(getattr(article, field, "") or "").strip()
        for field in fields
    )


def editor_name(user) -> str:
    return user.get_full_name() or user.get_username()


def local_time(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def edit_tab(data) -> str:
    """The browser tab a lock heartbeat or a save comes from (the edit-lock script's id),
    as EditLock stores it: a NUL in it reached PostgreSQL in the release's query (a 500),
    and a control character the save drops made the tab's own lock look like another's."""
    return typed_text(str(data.get("edit_tab", "")), multiline=False)[:64]


def edit_page(data) -> str:
    """The page load a lock heartbeat or release comes from (the token the change page was
    rendered with), bounded and cleaned as the tab is."""
    return typed_text(str(data.get("edit_page", "")), multiline=False)[:32]


# How long a new share link works unless the editor chooses otherwise.
SHARE_LINK_DAYS = 7


class ShareLinkForm(forms.ModelForm):
    VALID_FOR = [(1, "1 day"), (3, "3 days"), (7, "1 week"), (30, "30 days")]

    valid_for = forms.TypedChoiceField(
        choices=VALID_FOR,
        coerce=int,
        initial=SHARE_LINK_DAYS,
        required=False,
        label="Valid for",
        help_text="From now; changing it on an existing link renews that link.",
    )
    revoke = forms.BooleanField(required=False, help_text="Stop this link working now.")

    class Meta:
        model = ShareLink
        fields = ["note"]

    def has_changed(self):
        # A row added with the default "valid for" and no note is still a request for a link.
        return self.instance.pk is None or super().has_changed()

    def save(self, commit=True):
        link = super().save(commit=False)
        if link.pk is None or "valid_for" in self.changed_data:
            days = self.cleaned_data.get("valid_for") or SHARE_LINK_DAYS
            link.expires_at = ShareLink.expiry_after(days)
        if self.cleaned_data.get("revoke") and link.revoked_at is None:
            link.revoked_at = timezone.now()
        if commit:
            link.save()
        return link


# Share links shown as rows of the article form: the newest active ones.
SHARE_LINK_ROWS = 20
# Expired or revoked links named read-only under the Share button.
PAST_SHARE_LINKS_NAMED = 5


class ShareLinkFormSet(BaseInlineFormSet):
    """The newest active share links as rows, the others only counted and listed (see
    ArticleAdmin.share_links_summary): an expired or revoked link has nothing left to edit,
    and each row is four or five fields, so an article shared ~235 times posted more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) and could no longer be saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        links = self.queryset
        newest = links.active().order_by("-created_at", "-pk").values("pk")[:SHARE_LINK_ROWS]
        # The rows the form was loaded with stay rows when it is saved, though one may have
        # run out or been revoked (its Revoke button) since.
        self.queryset = links.filter(Q(pk__in=newest) | Q(pk__in=self.posted_ids()))

    def posted_ids(self) -> list[int]:
        if not self.is_bound:
            return []
        try:
            count = int(self.data.get(f"{self.prefix}-INITIAL_FORMS") or 0)
        except ValueError:
            return []
        ids = (
            typed_id(self.data.get(f"{self.prefix}-{index}-id"))
            for index in range(min(count, SHARE_LINK_ROWS))
        )
        return [pk for pk in ids if pk]


class ShareLinkInline(BoundedInline, admin.TabularInline):
    model = ShareLink
    form = ShareLinkForm
    formset = ShareLinkFormSet
    extra = 0
    fields = ["note", "valid_for", "link", "expires", "revoked", "revoke"]
    readonly_fields = ["link", "expires", "revoked"]
    verbose_name = "share link for outside reviewers"
    verbose_name_plural = "share links for outside reviewers"
    can_delete = False
    view_on_site = False  # the Link column shows the full address with Copy and Revoke
    may_revoke = False

    def get_formset(self, request, obj=None, **kwargs):
        # Django makes inline instances per request, so this is this user's answer.
        self.may_revoke = self.has_change_permission(request, obj)
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description="Expires")
    def expires(self, share_link):
        return zoned_time(share_link.expires_at) if share_link.pk else "—"

    revoked = zoned_field("revoked_at", "Revoked")

    @admin.display(description="Link")
    def link(self, share_link):
        if not share_link.pk:
            return "Save to create the link."
        if not share_link.is_active:
            return "Expired or revoked"
        url = settings.SITE_URL + share_link.get_absolute_url()
        revoke = format_html(
            ' <button type="submit" class="button revoke-button" formaction="{}" '
            "formnovalidate>Revoke</button>",
            reverse("admin:articles_sharelink_revoke_one", args=[share_link.pk]),
        )
        return format_html(
            '<span class="share-link"><a href="{0}" rel="noreferrer">{0}</a> '
            '<button type="button" class="button copy-button" data-copy="{0}">Copy</button>'
            "{1}</span>",
            url,
            revoke if self.may_revoke else "",
        )


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("scheduled", "Scheduled"), ("draft", "Draft")]

    def queryset(self, request, queryset):
        return {
            "live": queryset.live,
            "scheduled": queryset.scheduled,
            "draft": queryset.drafts,
        }.get(self.value(), queryset.all)()


class LeadCreditFilter(admin.SimpleListFilter):
    title = "lead photo"
    parameter_name = "lead_credit"

    def lookups(self, request, model_admin):
        return [
            ("missing", "Lead photo without credit"),
            ("withdrawn", "Lead photo withdrawn (licence expired)"),
            ("no-photo", "No lead photo"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(lead_photo__in=Photo.objects.without_credit())
        if self.value() == "withdrawn":
            return queryset.filter(lead_photo__in=Photo.objects.license_expired())
        if self.value() == "no-photo":
            return queryset.filter(lead_photo__isnull=True)
        return queryset


class PhotoAutocompleteJsonView(AutocompleteJsonView):
    """Django's autocomplete answers for the lead photo, with each photo's thumbnail and
    credit, so the editor sees which photo they pick (same search and permission checks)."""

    def serialize_result(self, obj, to_field_name):
        result = {
            **super().serialize_result(obj, to_field_name),
            "thumbnail": obj.thumbnail_url,
            "credit": obj.credit,
            "licence": obj.license_note,  # "withdrawn after …" while it runs out soon
        }
        if obj.is_withdrawn:
            # Offered greyed out with the reason, never picked: its files are taken down
            # (the thumbnail would not load) and publishing with it is refused.
            result.update(thumbnail="", disabled=True)
        return result


def lead_photo_label(photo: Photo) -> str:
    """The picked lead photo as the picker draws it: a withdrawn one says so."""
    return f"{photo} ({photo.license_note})" if photo.is_withdrawn else str(photo)


class PhotoAutocompleteSelect(KnownValuesOnlyMixin, AutocompleteSelect):
    """The lead-photo picker: a thumbnail beside each photo offered (admin-photo-picker.js)."""

    def get_url(self):
        return reverse("admin:articles_article_photo_autocomplete")

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["class"] += " photo-autocomplete"
        # Room for a thumbnail and a line of alt text beside it (Select2 reads data-width).
        attrs["data-width"] = "28em"
        # Its open list inside the page's main landmark, not at the end of <body> where
        # Select2 puts it: content outside every landmark (axe: region) is skipped by
        # screen-reader users moving between landmarks. Select2 reads data-dropdown-parent.
        attrs["data-dropdown-parent"] = "#content"
        return attrs

    @property
    def media(self):
        return super().media + forms.Media(js=["js/admin-photo-picker.js"])


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    object_history_template = "admin/articles/article/object_history.html"

    class Media:
        js = [
            "js/admin-lead-photo.js",
            "js/admin-safe-links.js",
            "js/admin-article-form.js",
            "js/admin-publish-checks.js",
            "js/admin-edit-lock.js",
            "js/admin-backup.js",
            "js/admin-autosave.js",
            "js/admin-schedule.js",
            "js/admin-a11y.js",
            "js/admin-reauth.js",
            "js/admin-autocomplete-create.js",
        ]
        css = {"all": ["css/admin.css", "css/admin-one-form.css"]}

    list_display = [
        "headline",
        "label",
        "byline",
        "state",
        "publish_time",
        "has_credit",
    ]
    list_filter = [
        StatusFilter,
        "section",
        "kind",
        AuthorFilter,
        TopicFilter,
        LeadCreditFilter,
        PhotoUseFilter,
        "featured",
        "published_at",
    ]
    # Searched through the indexed search vector: see get_search_results.
    search_fields = ["headline", "dek", "body", "bylines__author__name"]
    # Cheap at any archive size: no second COUNT(*) over the whole table for "(N total)", and
    # no date hierarchy (its year links are a DISTINCT over every article); the "By publish
    # time" filter remains.
    show_full_result_count = False
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["lead_photo"]
    readonly_fields = [
        "publish_checks",
        "publish_button",
        "schedule_button",
        "preview_link",
        "share_button",
        "share_links_summary",
        "created",
        "updated",
        "shown_updated",
    ]
    inlines = [BylineInline, CorrectionInline, ShareLinkInline]
    actions = ["publish_now", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "headline",
                    "slug",
                    "dek",
                    ("kind", "section"),
                    "other_sections",
                ]
            },
        ),
        (
            "Lead image",
            {
                "fields": [
                    "lead_photo",
                    "photo_image",
                    "photo_alt_text",
                    "photo_caption",
                    ("photo_creator", "photo_source"),
                    "photo_credit_type",
                ],
                "description": "Pick a photo from the library, or upload a new one. The "
                "alt text, caption and credit below belong to the lead photo and are "
                "saved with the article.",
            },
        ),
        ("Text", {"fields": ["body", "teaser", "tags"]}),
        # Most articles need neither: folded away until an editor opens it.
        (
            "Search and sharing",
            {"classes": ["collapse"], "fields": ["seo_title", "seo_description"]},
        ),
        (
            "Publishing",
            {
                "fields": [
                    "publish_checks",
                    "publish_button",
                    "status",
                    "published_at",
                    "schedule_button",
                    "show_as_updated",
                    "featured",
                    "preview_link",
                    "share_button",
                    "share_links_summary",
                    ("created", "updated", "shown_updated"),
                ]
            },
        ),
    ]

    def get_urls(self):
        suggest = self.admin_site.admin_view(self.tag_suggestions)
        checks = self.admin_site.admin_view(require_POST(self.checks_view))
        photos = PhotoAutocompleteJsonView.as_view(admin_site=self.admin_site)
        return [
            path("tag-suggestions/", suggest, name="articles_article_tag_suggest"),
            path(
                "photo-autocomplete/",
                self.admin_site.admin_view(photos),
                name="articles_article_photo_autocomplete",
            ),
            path("checks/", checks, name="articles_article_checks"),
            path(
                "photo-fields/<int:pk>/",
                self.admin_site.admin_view(self.photo_fields_view),
                name="articles_article_photo_fields",
            ),
            path(
                "session/",
                self.admin_site.admin_view(self.session_view),
                name="articles_article_session",
            ),
            path(
                "<int:pk>/lock/",
                self.admin_site.admin_view(require_POST(self.lock_view)),
                name="articles_article_lock",
            ),
            path(
                "<int:pk>/lock/take-over/",
                self.admin_site.admin_view(require_POST(self.take_over_view)),
                name="articles_article_take_over",
            ),
            path(
                "<int:pk>/lock/keep/",
                self.admin_site.admin_view(require_POST(self.keep_view)),
                name="articles_article_keep",
            ),
            path(
                "preview/",
                self.admin_site.admin_view(require_POST(self.preview_view)),
                name="articles_article_add_preview",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(require_POST(self.preview_view)),
                name="articles_article_preview",
            ),
            path(
                "<int:pk>/autosave/",
                self.admin_site.admin_view(require_POST(self.autosave_view)),
                name="articles_article_autosave",
            ),
            path(
                "<int:pk>/share/",
                self.admin_site.admin_view(require_POST(self.share_view)),
                name="articles_article_share",
            ),
            path(
                "<int:pk>/lock/release/",
                self.admin_site.admin_view(require_POST(self.release_view)),
                name="articles_article_release",
            ),
            *super().get_urls(),
        ]

    def tag_suggestions(self, request):
        """Existing topics for the tag field's suggestions, most used first."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            return JsonResponse({"results": []}, status=403)
        query = request.GET.get("q", "").strip()[:100]
        tags = (
            Tag.objects.filter(name__icontains=query)
            .annotate(uses=Count("taggit_taggeditem_items"))
            .order_by("-uses", "name")
            .values_list("name", flat=True)[:10]
        )
        return JsonResponse({"results": list(tags) if query else []})

    def may_share(self, request, article=None) -> bool:
        """Whether this user may create share links for the article (any article if None):
        the one rule behind the Create share link button and the view it posts to."""
        return request.user.has_perm("articles.add_sharelink") and self.has_change_permission(
            request, article
        )

    def get_fieldsets(self, request, obj=None):
        hidden = set()
        if not self.may_share(request, obj):
            hidden.add("share_button")  # no button that can only answer "not allowed"
        if not ShareLinkInline(self.model, self.admin_site).has_view_permission(request, obj):
            hidden.add("share_links_summary")  # shown with the share links' rows only
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [field for field in options["fields"] if field not in hidden]
            classes = options.get("classes", [])
            if "collapse" in classes and holds_values(request, obj, fields):
                # Folded away only while empty: what shows in search results is in sight.
                # (A field error opens it too: Django's own rule.)
                classes = [name for name in classes if name != "collapse"]
            fieldsets.append((name, {**options, "fields": fields, "classes": classes}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        credit_widgets = {
            f"photo_{name}": type_to_pick_widget(
                Photo._meta.get_field(name), self.admin_site, request
            )
            for name in ["creator", "source"]
        }
        return type(
            form.__name__, (form,), {"editor": request.user, "credit_widgets": credit_widgets}
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_photo":
            kwargs["widget"] = PhotoAutocompleteSelect(db_field, self.admin_site)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lead_photo_label
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "other_sections":
            # A handful of sections: one click each, no autocomplete to open.
            kwargs["widget"] = forms.CheckboxSelectMultiple(attrs={"class": "section-choices"})
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            refused_upload(request)  # the lead photo field then says the file was too large
        return super().changeform_view(request, object_id, form_url, extra_context)

    def photo_fields_view(self, request, pk):
        """A library photo's alt text, caption and credit, for the in-place fields once
        it is picked as the lead photo."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            return JsonResponse({"error": "Not allowed."}, status=403)
        photo = get_object_or_404(Photo.objects.with_credit(), pk=pk)

        def choice(creator):
            return {"id": str(creator.pk), "text": str(creator)} if creator else None

        return JsonResponse(
            {
                "photo_for": str(photo.pk),
                "photo_alt_text": photo.alt_text,
                "photo_caption": photo.caption,
                "photo_creator": choice(photo.creator),
                "photo_source": choice(photo.source),
                "photo_credit_type": photo.credit_type,
            }
        )

    def session_view(self, request):
        """Still signed in? The form's script asks before saving, and gets a fresh CSRF token."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            return JsonResponse({"error": "Not allowed."}, status=403)
        response = JsonResponse({"csrf": get_token(request)})
        response["Cache-Control"] = "no-store"
        return response

    def editable_article(self, request, pk) -> Article:
        article = get_object_or_404(Article, pk=pk)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def lock_state(self, request, lock, tab="") -> dict:
        mine = lock.belongs_to(request.user, tab)
        other_tab = not mine and lock.user_id == request.user.pk
        return {
            "mine": mine,
            "other_tab": other_tab,
            # The editor's own tab id (only theirs): the page asks whether that tab is still
            # open in this browser, and takes over from one that crashed.
            "holder_tab": lock.tab if other_tab else "",
            "holder": editor_name(lock.user),
            "since": local_time(lock.since),
            "time_zone": timezone.get_current_timezone_name(),
            "taken_from_me": not mine and lock.taken_from_id == request.user.pk,
        }

    def lock_view(self, request, pk):
        """Renew (or take, when free) this tab's lock; says who holds it."""
        tab = edit_tab(request.POST)
        article = self.editable_article(request, pk)
        lock = EditLock.claim(article, request.user, tab, edit_page(request.POST))
        if lock is None:
            raise Http404("This article no longer exists.")
        return JsonResponse(self.lock_state(request, lock, tab))

    def take_over_view(self, request, pk):
        article = self.editable_article(request, pk)
        tab = edit_tab(request.POST)
        lock = EditLock.take_over(article, request.user, tab, edit_page(request.POST))
        if lock is None:
            raise Http404("This article no longer exists.")
        if request.headers.get("X-Requested-With") != "fetch":
            return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        return JsonResponse(self.lock_state(request, lock, tab))

    def release_view(self, request, pk):
        article = self.editable_article(request, pk)
        EditLock.release(article, request.user, edit_tab(request.POST), edit_page(request.POST))
        return JsonResponse({"released": True})

    def keep_view(self, request, pk):
        """After a take-over, keep the changes the previous editor had typed as a revision.

        The form is saved inside a savepoint so reversion records it exactly as a save would,
        then rolled back: the article stays as the new editor has it, and the revision is
        written again, marked as not applied.
        """
        article = self.editable_article(request, pk)
        lock = EditLock.objects.filter(article=article, taken_from=request.user).first()
        if lock is None:
            return JsonResponse({"kept": False, "error": "Nothing to keep."}, status=409)
        form_class = type("KeepForm", (self.get_form(request, article, change=True),), {})
        form_class.check_concurrency = False
        form = form_class(request.POST, request.FILES, instance=article)
        formsets, _ = self._create_formsets(request, article, change=True)
        if not (form.is_valid() and all_valid(formsets)):
            return JsonResponse(
                {"kept": False, "error": "Your changes could not be kept: copy them first."}
            )
        with transaction.atomic():
            # Two posts at once (a retry, a second tab) both found the lock above and kept
            # the changes twice: the second waits here, then finds them kept.
            held = EditLock.objects.select_for_update().filter(pk=lock.pk, taken_from=request.user)
            if held.first() is None:
                return JsonResponse({"kept": False, "error": "Nothing to keep."}, status=409)
            savepoint = transaction.savepoint()
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(
                    f"Unsaved changes of {editor_name(request.user)}, kept when "
                    f"{editor_name(lock.user)} took over; not applied."
                )
                kept = form.save()
                for formset in formsets:
                    self.save_formset(request, form, formset, change=True)
                credit = kept.lead_photo.credit if kept.lead_photo else ""
                if kept.lead_photo:
                    reversion.add_to_revision(kept.lead_photo)
            revision = Version.objects.get_for_object(article).latest("pk").revision
            rows = list(
                revision.version_set.values(
                    "object_id", "content_type_id", "db", "format", "serialized_data", "object_repr"
                )
            )
            transaction.savepoint_rollback(savepoint)
            copy_revision = Revision.objects.create(
                date_created=revision.date_created, user=request.user, comment=revision.comment
            )
            Version.objects.bulk_create(Version(revision=copy_revision, **row) for row in rows)
            ArticleRevision.objects.create(
                revision=copy_revision, article=article, lead_photo_credit=credit, applied=False
            )
            EditLock.objects.filter(pk=lock.pk).update(taken_from=None)
        return JsonResponse({"kept": True})

    def autosave_view(self, request, pk):
        """Keep the form as typed in this editor's working copy; the article is not touched."""
        article = self.editable_article(request, pk)
        if int(request.headers.get("content-length") or 0) > WORKING_COPY_MAX_BYTES:
            return JsonResponse({"error": "Too large to autosave."}, status=413)
        # The form always sends its fields: a post without them (a JSON body, a truncated
        # retry) replaced the editor's working copy with nothing.
        if not set(AUTOSAVE_REQUIRED_FIELDS) <= request.POST.keys():
            return JsonResponse({"error": "Not the article form: nothing autosaved."}, status=400)
        # Only the tab holding the lock: another tab of this editor, read-only (or one that
        # slept through a take-over), overwrote the working copy with its older text.
        lock = EditLock.objects.filter(article=article).first()
        if lock and lock.is_active and not lock.belongs_to(request.user, edit_tab(request.POST)):
            return JsonResponse(
                {"error": "Another tab or editor is editing: nothing autosaved."}, status=409
            )
        skip = {"csrfmiddlewaretoken", "base_version", "edit_tab"}
        # PostgreSQL's JSON cannot hold a NUL character (a paste may bring one): dropped, as
        # the save drops it (publication.text).
        fields = {
            name.replace("\x00", ""): [
                value.replace("\x00", "") for value in request.POST.getlist(name)
            ]
            for name in request.POST
            if name not in skip
        }
        copy, _ = WorkingCopy.objects.update_or_create(
            article=article, user=request.user, defaults={"data": {"fields": fields}}
        )
        return JsonResponse(
            {
                "saved_at": timezone.localtime(copy.saved_at).strftime("%H:%M:%S"),
                "time_zone": timezone.get_current_timezone_name(),
            }
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        context = dict(extra_context or {})
        lock = None
        # This page load's own token: its heartbeats and its release name it (EditLock.page).
        page = secrets.token_urlsafe(16)
        if article is not None and self.has_change_permission(request, article):
            lock = EditLock.claim(article, request.user, page=page)
        if lock is not None:
            context["edit_lock"] = self.lock_state(request, lock) | {"page": page}
            context["edit_lock_urls"] = {
                name: reverse(f"admin:articles_article_{name}", args=[article.pk])
                for name in ["lock", "take_over", "keep", "release", "autosave"]
            }
            copy = WorkingCopy.objects.filter(
                article=article, user=request.user, saved_at__gt=article.updated_at
            ).first()
            if copy and request.method == "GET":
                context["working_copy"] = {
                    "fields": copy.data.get("fields", {}),
                    "labels": {},
                    "saved": int(copy.saved_at.timestamp() * 1000),
                }
        return super().change_view(request, object_id, form_url, context)

    def checks_view(self, request):
        """The pre-publish checks for the form as typed, so the panel is live before saving."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            return JsonResponse({"error": "Not allowed."}, status=403)
        form = self.get_form(request)(request.POST, request.FILES)
        article = form.preview_article()
        topics = form.cleaned_data.get("tags") if hasattr(form, "cleaned_data") else None
        html = render_to_string(
            "admin/articles/article/publish_checks.html",
            self.checks_context(
                article,
                author_count=posted_author_count(request.POST),
                topic_count=len(topics or []),
            ),
        )
        return JsonResponse({"html": html})

    def checks_context(self, article, *, author_count=None, topic_count=None):
        return {
            "needs": natural_join(article.publishing_problems(author_count=author_count)),
            "warnings": article.editorial_warnings(topic_count=topic_count),
            "words": article.word_count,
            "minutes": article.reading_minutes,
        }

    @admin.display(description="Before publishing")
    def publish_checks(self, article):
        context = self.checks_context(article)
        return format_html(
            '<div id="publish-checks" data-checks-url="{}" aria-live="polite">{}</div>',
            reverse("admin:articles_article_checks"),
            render_to_string("admin/articles/article/publish_checks.html", context),
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            kwargs["widget"] = TagSuggestWidget(attrs={"class": WIDE})
        elif db_field.name == "published_at":
            kwargs["help_text"] = f"In {timezone.get_current_timezone_name()} time. " + str(
                db_field.help_text
            )
        elif db_field.name in {"headline", "slug"}:
            kwargs["widget"] = forms.TextInput(attrs={"class": f"vTextField {WIDE}"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """Words anywhere (the indexed search vector of headline, dek, authors and body),
        the start of words in the headline ("Canber" for "Canberra"), or part of an
        author's name. An icontains over every body, as the default search does, reads the
        whole archive (seconds at 20,000 articles); a union of index-friendly subqueries
        keeps it to the matching rows."""
        term = " ".join(search_term.split())[:200]
        if not term:
            return queryset, False
        matches = [
            Article.objects.filter(search_vector=search.search_query(term)).values("pk"),
            Byline.objects.filter(author__name__icontains=term).values("article_id"),
        ]
        if prefixes := search.headline_prefix_query(term):
            matches.append(
                Article.objects.alias(headline_words=search.HEADLINE_WORDS)
                .filter(headline_words=prefixes)
                .values("pk")
            )
        return queryset.filter(pk__in=matches[0].union(*matches[1:], all=True)), False

    def lookup_allowed(self, lookup, value, request):
        # The autocomplete filters keep the parameter names of Django's related-field filters.
        filters = {AuthorFilter.parameter_name, TopicFilter.parameter_name}
        return lookup in filters or super().lookup_allowed(lookup, value, request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "media" in context:
            context["media"] += autocomplete_filter_media()
        return response

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kind", "section", "lead_photo__creator", "lead_photo__source")
            .prefetch_related("bylines__author")
            .defer("body")
        )

    @admin.display(description="Kind | Section", ordering="section__name")
    def label(self, article):
        # A draft may have neither yet: a dash, not "None | None".
        return " | ".join(str(part) for part in [article.kind, article.section] if part) or "—"

    @admin.display(description="Authors")
    def byline(self, article):
        return article.byline_text

    @admin.display(description="Status", ordering="status")
    def state(self, article):
        return article.state_label()

    @admin.display(description="Publish time", ordering="published_at")
    def publish_time(self, article):
        return zoned_time_listed(article.published_at)

    created = zoned_field("created_at", "Created")
    updated = zoned_field("updated_at", "Saved")
    shown_updated = zoned_field("shown_updated_at", "Shown as updated")

    @admin.display(description="Publish")
    def publish_button(self, article):
        return format_html(
            '<button type="submit" name="_publish" class="button default publish-button">{}'
            '</button> <span class="help">{}</span>',
            "Publish now",
            "Saves it and puts it live at once, if it has everything it needs.",
        )

    @admin.display(description="Schedule")
    def schedule_button(self, article):
        label = (
            f"Schedule for {schedule_label(article.published_at)}"
            if article.published_at and article.published_at > timezone.now()
            else "Schedule"
        )
        return format_html(
            '<button type="submit" name="_schedule" class="button schedule-button" '
            'data-time-zone="{}">{}</button> <span class="help">Publishes it by itself at '
            "the time above.</span>",
            timezone.get_current_timezone_name(),
            label,
        )

    @admin.display(description="Credit")
    def has_credit(self, article):
        """Yes when readers see the lead photo with its credit. A withdrawn one (its licence
        expired) is seen nowhere, credited or not: flagged, with the word saying why."""
        photo = article.lead_photo
        if photo is not None and photo.is_withdrawn:
            return format_html("{} withdrawn", display_for_value(False, "", boolean=True))
        return display_for_value(photo is not None and photo.has_credit, "", boolean=True)

    @admin.display(description="Preview")
    def preview_link(self, article):
        url = (
            reverse("admin:articles_article_preview", args=[article.pk])
            if article.pk
            else reverse("admin:articles_article_add_preview")
        )
        return format_html(
            '<button type="submit" class="button preview-button" formaction="{}" '
            'formtarget="_blank" formnovalidate>Preview as readers will see it</button> '
            '<span class="help">Shows the form as typed, saved or not.</span>',
            url,
        )

    @admin.display(description="Share")
    def share_button(self, article):
        if not article.pk:
            return "Save the article once to share it with outside reviewers."
        return format_html(
            '<button type="button" class="button share-create-button" data-url="{}">'
            "Create share link</button> "
            '<span class="help">For outside reviewers; valid {} days, revoke any time.</span>'
            '<p class="share-created" aria-live="polite"></p>',
            reverse("admin:articles_article_share", args=[article.pk]),
            SHARE_LINK_DAYS,
        )

    @admin.display(description="Earlier share links")
    def share_links_summary(self, article):
        """Share links that are not rows of the form: expired or revoked ones, named
        read-only, and active ones past the newest SHARE_LINK_ROWS, counted."""
        if not article.pk:
            return "None yet."
        links = article.share_links.all()
        active = links.active()
        counts = links.aggregate(
            total=Count("pk"), active=Count("pk", filter=Q(pk__in=active.values("pk")))
        )
        past = counts["total"] - counts["active"]
        if not past and counts["active"] <= SHARE_LINK_ROWS:
            return "None."
        parts = []
        if counts["active"] > SHARE_LINK_ROWS:
            parts.append(
                format_html(
                    "<p>The {} newest active links are below; {} more are active.</p>",
                    SHARE_LINK_ROWS,
                    counts["active"] - SHARE_LINK_ROWS,
                )
            )
        if past:
            ended = links.exclude(pk__in=active.values("pk")).order_by("-created_at", "-pk")
            parts.append(
                format_html(
                    "<p>{} expired or revoked (they no longer work):</p><ul>{}</ul>",
                    past,
                    format_html_join(
                        "",
                        "<li>{} · created {} · {}</li>",
                        (
                            (
                                link.note or "No note",
                                zoned_text(link.created_at),
                                f"revoked {zoned_text(link.revoked_at)}"
                                if link.revoked_at
                                else f"expired {zoned_text(link.expires_at)}",
                            )
                            for link in ended[:PAST_SHARE_LINKS_NAMED]
                        ),
                    ),
                )
            )
        url = reverse("admin:articles_sharelink_changelist") + f"?article__id__exact={article.pk}"
        total = counts["total"]
        parts.append(format_html('<p><a href="{}">All {} share links</a></p>', url, total))
        return format_html_join("", "{}", ((part,) for part in parts))

    def share_view(self, request, pk):
        """One click on "Create share link": a link valid for a week, its address shown."""
        article = self.editable_article(request, pk)
        if not self.may_share(request, article):
            raise PermissionDenied
        link, created = ShareLink.create_for(article, request.user, days=SHARE_LINK_DAYS)
        expires = timezone.localtime(link.expires_at)
        may_revoke = request.user.has_perm("articles.change_sharelink")
        return JsonResponse(
            {
                "url": settings.SITE_URL + link.get_absolute_url(),
                "revoke_url": reverse("admin:articles_sharelink_revoke_one", args=[link.pk])
                if may_revoke
                else "",
                "expires": f"{expires:%a %-d %b %H:%M} ({timezone.get_current_timezone_name()})",
            },
            status=201 if created else 200,
        )

    def preview_view(self, request, pk=None):
        """The article as typed in the form, through the public page's view and templates.

        The form is saved inside a transaction that is rolled back once the page is rendered,
        so bylines, topics and body photos show exactly as a save would make them.
        """
        article = self.editable_article(request, pk) if pk else None
        if article is None and not self.has_add_permission(request):
            raise PermissionDenied
        change = article is not None
        form_class = type("PreviewForm", (self.get_form(request, article, change=change),), {})
        form_class.check_concurrency = form_class.check_publishing = False
        form_class.save_new_photo = False  # the rollback would leave the file behind
        form = form_class(request.POST, request.FILES, instance=article or Article())
        formsets, _ = self._create_formsets(request, form.instance, change=change)
        if not (form.is_valid() and all_valid(formsets)):
            errors = [str(error) for error in form.errors.values()] or [
                "An inline row has an error."
            ]
            return TemplateResponse(
                request,
                "admin/articles/article/preview_error.html",
                {**self.admin_site.each_context(request), "errors": errors},
                status=400,
            )
        with transaction.atomic():
            draft = form.save(commit=False)
            needs = draft.publishing_problems(author_count=posted_author_count(request.POST))
            if draft.status == Article.Status.PUBLISHED and needs:
                draft.status = Article.Status.DRAFT
            draft.save()
            form.save_m2m()
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            page = Article.objects.for_page().get(pk=draft.pk)
            response = render_article_preview(request, page, banner="Preview: not saved")
            transaction.set_rollback(True)
        return response

    def save_related(self, request, form, formsets, change):
        restoring = getattr(request, "restoring", None)
        if restoring is not None:
            restored = last_restore_of(form.instance, restoring)
            if restored and not (form.has_changed() or any(f.has_changed() for f in formsets)):
                raise AlreadyRestored(restored)
        super().save_related(request, form, formsets, change)
        article = form.instance
        note_revision(article, restored_from=restoring)
        # Saved on purpose: the autosaved working copy has done its job.
        WorkingCopy.objects.filter(article=article, user=request.user).delete()
        if article.status == Article.Status.DRAFT:
            return
        for warning in article.editorial_warnings():
            messages.warning(request, warning)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ShareLink) and instance.created_by_id is None:
                instance.created_by = request.user
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    def history_view(self, request, object_id, extra_context=None):
        """History as revisions with what changed in each, newest first, each restorable."""
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            return super().history_view(request, object_id, extra_context)
        versions = revisions.article_versions(article)
        states = revisions.snapshots(article, versions)
        applied = dict(
            ArticleRevision.objects.filter(article=article).values_list("revision_id", "applied")
        )
        can_restore = self.has_change_permission(request, article)
        entries = []
        # Each revision is compared with the article as it was then: the last applied one
        # (kept, not-applied changes never were the article's text).
        previous = None
        for index, version in enumerate(versions):
            entries.append(
                {
                    "date": version.revision.date_created,
                    "user": version.revision.user,
                    "comment": version.revision.get_comment(),
                    "changes": revisions.changes_html(revisions.changes(previous, states[index])),
                    "applied": applied.get(version.revision_id, True),
                    "restore_url": reverse(
                        "admin:articles_article_revision", args=[article.pk, version.pk]
                    )
                    if can_restore
                    and (index < len(versions) - 1 or not applied.get(version.revision_id, True))
                    else "",
                }
            )
            if applied.get(version.revision_id, True):
                previous = states[index]
        context = {
            "revisions": entries[::-1],
            "time_zone": timezone.get_current_timezone_name(),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore: the form filled from a revision, saved only when the editor says so.

        The article keeps its current status and publish time, so restoring old text never
        unpublishes a live article, and never publishes it before the editor presses
        "Restore and publish".
        """
        article = self.get_object(request, object_id)
        if article is None:
            return super().revision_view(request, object_id, version_id, extra_context)
        request.keep_publishing = (article.status, article.published_at)
        # The article's version: reversion looks it up by object id alone, so another
        # model's version with the article's number opened a page of nothing (a 500).
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        context = {
            "restoring_live": article.is_live,
            "restored_at": version.revision.date_created,
            "photo_shared": photo_shared_with(revisions.photo_restored_by(version), article),
            "time_zone": timezone.get_current_timezone_name(),
            **(extra_context or {}),
        }
        return super().revision_view(request, object_id, version_id, context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        if request.method == "GET":
            article = revisions.article_as_saved(version.revision, int(version.object_id))
            if article is not None:
                return self.saved_version_form(request, article, template_name, extra_context)
        # Restore and recover revert the version's revision; only this article's part of it.
        revision = version.revision
        revision.revert = functools.partial(
            revisions.revert_one_article, revision, int(version.object_id)
        )
        try:
            with transaction.atomic():
                if request.method == "POST":
                    request.restoring = revision  # see save_related
                    # A second Restore of the same version (a double click, a resend) waits
                    # here for the first to be saved, then finds it restored (save_related).
                    Article.objects.select_for_update().filter(pk=version.object_id).first()
                response = super()._reversion_revisionform_view(
                    request, version, template_name, extra_context
                )
        except AlreadyRestored as already:
            messages.info(
                request,
                f"This version was restored once, on {zoned_text(already.restore.date_created)}; "
                "pressing Restore again changed nothing.",
            )
            url = reverse("admin:articles_article_change", args=[version.object_id])
            return redirect(url)
        if request.method == "POST" and response.status_code == 302:
            # reversion words the new revision's comment with Django's date format and no
            # zone ("saved on Dec. 2, 2026, 5:49 a.m."); History shows it as every admin time.
            restored = Version.objects.get_for_object_reference(Article, version.object_id)
            Revision.objects.filter(pk=restored.values("revision_id")[:1]).update(
                comment=f"Restored the version saved on {zoned_text(revision.date_created)}."
            )
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        if getattr(request, "keep_publishing", None) and response.status_code == 302:
            # After a restore, the article as it now is: not the old version's form again,
            # whose button would restore it a second time.
            url = reverse("admin:articles_article_change", args=[obj.pk])
            filters = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
            return redirect(add_preserved_filters(filters, url))
        return response

    def saved_version_form(self, request, article, template_name, extra_context):
        """The restore form, filled from the article as its revision held it: built in memory
        (revisions.article_as_saved, what Restore writes), so looking at an old version
        writes and locks nothing. reversion's own view reverted the revision in a
        transaction it rolled back after rendering, holding the article's rows meanwhile."""
        request.saved_version = article  # see get_object and _create_formsets
        response = self.changeform_view(request, str(article.pk), request.path, extra_context)
        if response.status_code == 200:
            response.template_name = template_name
        return response

    def _create_formsets(self, request, obj, change):
        formsets, inlines = super()._create_formsets(request, obj, change)
        if obj is not None and obj is getattr(request, "saved_version", None):
            # The revision's bylines and corrections (share links are no part of a revision).
            for formset in formsets:
                rows = obj._prefetched_objects_cache.get(formset.fk.remote_field.related_name)
                if rows is not None:
                    formset._queryset = list(rows)
        return formsets, inlines

    def get_object(self, request, object_id, from_field=None):
        article = getattr(request, "saved_version", None)
        if article is None or str(article.pk) != str(object_id):
            article = super().get_object(request, object_id, from_field)
        keep = getattr(request, "keep_publishing", None)
        if article is not None and keep:
            article.status, article.published_at = keep
        return article

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        not_live = queryset.exclude(pk__in=Article.objects.live()).select_related(
            "lead_photo__creator", "lead_photo__source"
        )
        ready, refused = [], []
        for article in not_live.annotate(author_count=Count("bylines")):
            needs = article.publishing_problems(author_count=article.author_count, at=now)
            if needs:
                refused.append(f"“{article}” needs {natural_join(needs)}")
            else:
                ready.append(article.pk)
        with transaction.atomic():
            # Twenty presses at once each published and each made a revision: the rows are
            # locked, and only those still not live once the lock is held are published.
            locked = Article.objects.filter(pk__in=ready).select_for_update()
            rows = list(locked.values_list("pk", "status", "published_at"))
            now = timezone.now()
            ready = [
                pk
                for pk, status, published_at in rows
                if status != Article.Status.PUBLISHED or published_at > now
            ]
            count = Article.objects.filter(pk__in=ready).update(
                status=Article.Status.PUBLISHED, published_at=now, updated_at=now
            )
            add_to_revisions(Article.objects.filter(pk__in=ready), "Published with “Publish now”.")
        if count:
            self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)
        elif not refused:
            self.message_user(request, "Nothing to publish: they are all live already.")
        if refused:
            self.message_user(request, "Not published: " + "; ".join(refused) + ".", messages.ERROR)

    @admin.action(description="Unpublish (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        with transaction.atomic():
            # Only articles not already drafts: each press made a revision of a move that
            # changed nothing (twenty at once, twenty revisions).
            moved = list(
                Article.objects.filter(pk__in=queryset.values("pk"))
                .exclude(status=Article.Status.DRAFT)
                .select_for_update()
                .values_list("pk", flat=True)
            )
            count = Article.objects.filter(pk__in=moved).update(
                status=Article.Status.DRAFT, updated_at=timezone.now()
            )
            add_to_revisions(Article.objects.filter(pk__in=moved), "Moved back to draft.")
        if count:
            self.message_user(request, f"{count} article(s) moved back to draft.", messages.SUCCESS)
        else:
            self.message_user(request, "Nothing to move back: they are all drafts already.")


def note_revision(article, *, restored_from=None):
    """Keep beside the revision being saved what History shows but cannot restore, and the
    lead photo's fields the form edits in place (saved or not, they are the article's too)."""
    if reversion.is_active():
        photo = article.lead_photo
        reversion.add_meta(
            ArticleRevision,
            article=article,
            lead_photo_credit=photo.credit if photo else "",
            restored_from=restored_from,
        )
        if photo is not None:
            reversion.add_to_revision(photo)


# Named on the restore page; past that, a link to the list of them all.
SHARED_PHOTO_NAMED = 10


def photo_shared_with(photo, article) -> dict | None:
    """The other articles showing a photo whose alt text, caption and credit a restore of
    this article writes back: they show the restored ones too, so the editor is told first."""
    if photo is None:
        return None
    others = Article.objects.using_photo(photo).exclude(pk=article.pk)
    named = others.order_by("headline", "pk").values_list("pk", "headline")
    named = list(named[:SHARED_PHOTO_NAMED])
    if not named:
        return None
    count = others.count() if len(named) == SHARED_PHOTO_NAMED else len(named)
    return {
        "count": count,
        "articles": [
            (reverse("admin:articles_article_change", args=[pk]), headline or "(no headline)")
            for pk, headline in named
        ],
        "all_url": f"{reverse('admin:articles_article_changelist')}?"
        f"{PhotoUseFilter.parameter_name}={photo.pk}",
    }


class AlreadyRestored(Exception):
    """Restore pressed again on a version just restored: nothing is saved (rolled back)."""

    def __init__(self, restore: Revision):
        super().__init__(restore)
        self.restore = restore


def last_restore_of(article, revision) -> Revision | None:
    """The article's latest saved revision, if it restored this revision (nothing saved since)."""
    latest = (
        ArticleRevision.objects.filter(article=article, applied=True)
        .select_related("revision")
        .order_by("-revision_id")
        .first()
    )
    if latest is not None and latest.restored_from_id == revision.pk:
        return latest.revision
    return None


def add_to_revisions(articles, comment):
    """A bulk action's changes, kept as revisions like a save in the form."""
    if not reversion.is_active():
        return
    reversion.set_comment(comment)
    for article in articles.select_related("lead_photo__creator", "lead_photo__source"):
        reversion.add_to_revision(article)
        note_revision(article)


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "article",
        "created_by",
        "listed_created",
        "listed_expires",
        "listed_revoked",
    ]
    list_select_related = ["article", "created_by"]
    list_filter = ["created_at", "expires_at"]
    search_fields = ["note", "article__headline"]
    readonly_fields = ["article", "created_by", "created", "expires"]
    fields = ["article", "note", "created_by", "created", "expires", "revoked_at"]
    actions = ["revoke"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "revoked_at":
            kwargs["help_text"] = f"In {timezone.get_current_timezone_name()} time."
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    created = zoned_field("created_at", "Created")
    expires = zoned_field("expires_at", "Expires")
    # In the list, three times side by side: each as the day over the time, or the rows
    # were 4 lines high at 1,280 px.
    listed_created = zoned_field("created_at", "Created", listed=True)
    listed_expires = zoned_field("expires_at", "Expires", listed=True)
    listed_revoked = zoned_field("revoked_at", "Revoked", listed=True)

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        revoke = self.admin_site.admin_view(require_POST(self.revoke_one_view))
        return [
            path("<int:pk>/revoke/", revoke, name="articles_sharelink_revoke_one"),
            *super().get_urls(),
        ]

    def revoke_one_view(self, request, pk):
        """One click on Revoke beside a link: it stops working at once."""
        link = get_object_or_404(ShareLink, pk=pk)
        if not self.has_change_permission(request, link):
            raise PermissionDenied
        ShareLink.objects.filter(pk=pk).revoke()
        if request.headers.get("X-Requested-With") == "fetch":
            return JsonResponse({"revoked": True})
        messages.success(request, f"The share link “{link}” was revoked.")
        return redirect(reverse("admin:articles_article_change", args=[link.article_id]))

    @admin.action(description="Revoke selected links", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.revoke()
        self.message_user(request, f"{count} link(s) revoked.", messages.SUCCESS)


# The photo admin lives in publication/, which knows nothing of articles; where a
# photo is used is added here.
admin.site.unregister(Photo)


@admin.register(Photo)
class PhotoUsageAdmin(PhotoAdmin):
    list_display = [*PhotoAdmin.list_display, "usage"]
    readonly_fields = [*PhotoAdmin.readonly_fields, "used_in"]
    fieldsets = [*PhotoAdmin.fieldsets, ("Usage", {"fields": ["used_in"]})]

    def get_queryset(self, request):
        # One subquery per row of the same query: no query per photo in the list.
        return super().get_queryset(request).annotate(article_count=article_count_per_photo())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A licence date in the past withdraws the photo from live pages at once: say where.
        if obj.license_note and (live := Article.objects.live().using_photo(obj).count()):
            messages.warning(
                request,
                f"This photo is {obj.license_note}. {live} live article{pluralize(live)} "
                f"show{pluralize(live, 's,')} it: replace it there, or enter the renewed "
                "licence's date.",
            )

    @staticmethod
    def usage_link(photo, count):
        if not count:
            return "Not used yet"
        url = reverse("admin:articles_article_changelist")
        return format_html(
            '<a href="{}?{}={}">Used in {} article{}</a>',
            url,
            PhotoUseFilter.parameter_name,
            photo.pk,
            count,
            pluralize(count),
        )

    @admin.display(description="Used in", ordering="article_count")
    def usage(self, photo):
        return self.usage_link(photo, photo.article_count)

    @admin.display(description="Used in")
    def used_in(self, photo):
        articles = list(
            Article.objects.using_photo(photo).only("pk", "headline").order_by("headline")
        )
        if not articles:
            return "Not used yet"
        return format_html(
            "{}<ul>{}</ul>",
            self.usage_link(photo, len(articles)),
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                (
                    (reverse("admin:articles_article_change", args=[a.pk]), a.headline)
                    for a in articles
                ),
            ),
        )
