from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.encoding import uri_to_iri
from django.utils.html import format_html, format_html_join
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob
from taggit.admin import TagAdmin
from taggit.models import Tag

from publication.db import hold_unique_checks, row_with_typed_id, typed_id
from publication.models import (
    Author,
    AuthorLink,
    Creator,
    Photo,
    Redirect,
    Section,
    SiteSettings,
    SocialLink,
)
from publication.security import LoginForm
from publication.text import has_unique_names, same_name, stored_name, stored_text
from publication.times import date_listed, zoned_time, zoned_time_listed
from publication.topics import BLANK_NAME, LONG_NAME, NAME_LENGTH
from publication.uploads import refused_upload
from publication.views import withdrawn_original


def zoned_field(name: str, description: str, *, listed: bool = False):
    """A ModelAdmin display of the date-time field `name` as zoned_time() shows it, or
    zoned_time_listed() for a list's narrow column."""
    show = zoned_time_listed if listed else zoned_time

    @admin.display(description=description, ordering=name)
    def display(self, obj):
        return show(getattr(obj, name))

    return display


class WaitForUniqueChecks:
    """Form mixin for records with a unique field: a bound form's checks wait for any other
    save of that table to commit, so two people saving the same value at once get a form
    error, not a server error. The check and the insert are two statements: of 20
    identical "Add" posts at once, one saved, most got the form error and a few answered
    500 (the unique index). The admin saves in a transaction, which holds the lock."""

    def full_clean(self):
        if self.is_bound:
            hold_unique_checks(self._meta.model)
        super().full_clean()


class BoundedInline:
    """Inline mixin: at most new_rows rows beyond those already saved, built or saved.

    A form's own count of its rows (TOTAL_FORMS) decides how many Django builds, up to
    2,000 by default: "2000" made the article form build 2,000 byline rows (23 s, near the
    worker's timeout) and save 2,000 share links. More is the formset's "Please submit at
    most …" error. Counted from the saved rows, so a record that has many (share links
    made one click at a time) can still be saved.
    """

    new_rows = 100

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        new_rows = self.new_rows

        class BoundedFormSet(formset):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # The saved rows are read once here and reused for the forms.
                self.max_num = self.absolute_max = len(self.get_queryset()) + new_rows

        return BoundedFormSet


class StoredTextForm(WaitForUniqueChecks, forms.ModelForm):
    """For records with unique names: the form checks what will be stored, and two
    people saving the same name at once get a form error, not a server error.
    A name taken in another case ("europe" when "Europe" exists) is refused by name.

    Text is tidied at save (publication.text), so "Europe" with a pasted escape character
    passed the form's "already exists" check and then collided with "Europe" in the
    database (a 500), and "Europe" with a zero-width space became a look-alike second
    section.
    """

    # How the error names the record, when not by its model's verbose name.
    record_name = ""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                try:
                    field = self._meta.model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                cleaned[name] = stored_text(field, value)
        self.refuse_a_taken_name(cleaned.get("name"))
        return cleaned

    def refuse_a_taken_name(self, name) -> None:
        """Name the row that has this name in another case (the database refuses it too)."""
        model = self._meta.model
        if not name or not has_unique_names(model):
            return
        taken = same_name(model._default_manager.all(), name, exclude_pk=self.instance.pk)
        if taken is not None:
            self.add_error(
                "name",
                ValidationError(
                    "A %(record)s named “%(name)s” already exists.",
                    code="taken",
                    params={"record": self.record_name or model._meta.verbose_name, "name": taken},
                ),
            )


admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Write, credit, schedule"
admin.site.login_form = LoginForm


class OrderedListAdmin(admin.ModelAdmin):
    """For the short lists editors name and put in the order readers see (sections, kinds)."""

    form = StoredTextForm
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Section)
class SectionAdmin(OrderedListAdmin):
    pass


class KnownValuesOnlyMixin:
    """For Django's autocomplete widgets: a posted value that is no id at all ("abc", from
    a crafted form) is left out when the box is drawn again. Django looks the values up to
    draw them, and that lookup raised, so the form answered 500 instead of showing its
    "Select a valid choice" error."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field

        def parses(item):
            try:
                target.to_python(item)
            except ValidationError:
                return False
            return True

        return super().optgroups(name, [item for item in value if parses(item)], attr)


class KnownValuesAutocompleteSelect(KnownValuesOnlyMixin, AutocompleteSelect):
    pass


class KnownValuesAutocompleteMixin:
    """For a ModelAdmin: its autocomplete_fields draw crafted values as form errors, not 500s."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownValuesAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TypeToPickSelect(KnownValuesOnlyMixin, AutocompleteSelect):
    """An autocomplete box typed into directly: type, then pick a match or “Create …”.

    Two actions and no popup window. The <select> stays the form's value (backups,
    autosave and the form without JavaScript see an ordinary select); the script puts an
    ARIA combobox in front of it, filled from the admin's own autocomplete view.
    """

    def __init__(self, field, admin_site, *, create_url="", attrs=None):
        super().__init__(field, admin_site, attrs=attrs)
        self.create_url = create_url

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # Not "admin-autocomplete": Django's script would turn it into a Select2 box.
        attrs["class"] = attrs["class"].replace("admin-autocomplete", "type-to-pick")
        if self.create_url:
            attrs["data-create-url"] = self.create_url
        return attrs

    @property
    def media(self):
        return forms.Media(
            js=["js/admin-autocomplete-create.js"], css={"all": ["css/admin-type-to-pick.css"]}
        )


def type_to_pick_widget(db_field, admin_site, request) -> TypeToPickSelect:
    """The box for a foreign key, offering “Create …” to those allowed to add the target."""
    target_admin = admin_site._registry.get(db_field.remote_field.model)
    create_url = ""
    if target_admin is not None and target_admin.has_add_permission(request):
        opts = target_admin.opts
        try:
            create_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_create_from_autocomplete"
            )
        except NoReverseMatch:
            create_url = ""
    return TypeToPickSelect(db_field, admin_site, create_url=create_url)


class TypeToPickMixin:
    """For a ModelAdmin or inline: the foreign keys in type_to_pick_fields get the box."""

    type_to_pick_fields = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.type_to_pick_fields:
            kwargs["widget"] = type_to_pick_widget(db_field, self.admin_site, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # The wrapper's add and change links open popup windows; the box creates in place.
        wrapper = getattr(field, "widget", None)
        if isinstance(wrapper, RelatedFieldWidgetWrapper) and isinstance(
            wrapper.widget, TypeToPickSelect
        ):
            field.widget = wrapper.widget
        return field


class CreateFromAutocompleteMixin:
    """create-from-autocomplete/: what typing a new name in an autocomplete box may create.

    GET ?term= lists extra offers (e.g. an author who is also a photographer); POST
    name= finds or creates the row of that name (never twice, see NamedQuerySet.named).
    Permission-checked (add) and CSRF-protected like every admin view.
    """

    def get_urls(self):
        view = self.admin_site.admin_view(self.create_from_autocomplete_view)
        name = f"{self.opts.app_label}_{self.opts.model_name}_create_from_autocomplete"
        return [path("create-from-autocomplete/", view, name=name), *super().get_urls()]

    def create_from_autocomplete_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "GET":
            term = " ".join(request.GET.get("term", "").split())[:200]
            return JsonResponse({"offers": self.autocomplete_offers(term) if term else []})
        if request.method != "POST":
            return JsonResponse({"error": "Use POST to create."}, status=405)
        try:
            obj, created = self.create_from_autocomplete(request)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        if created:
            self.log_addition(request, obj, [{"added": {}}])
        return JsonResponse({"id": str(obj.pk), "text": str(obj), "created": created})

    def autocomplete_offers(self, term: str) -> list[dict]:
        return []

    def create_from_autocomplete(self, request):
        return self.model.objects.named(request.POST.get("name", ""))


@admin.register(Creator)
class CreatorAdmin(KnownValuesAutocompleteMixin, CreateFromAutocompleteMixin, admin.ModelAdmin):
    form = StoredTextForm
    list_display = ["name", "kind", "website", "author", "photo_count"]
    list_select_related = ["author"]
    ordering = ["name"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["author"]

    def autocomplete_offers(self, term):
        """Writers not yet credited for images: picking one makes their linked creator."""
        authors = Author.objects.filter(name__icontains=term, creator__isnull=True)[:5]
        return [{"author": str(author.pk), "text": f"{author.name} (author)"} for author in authors]

    def create_from_autocomplete(self, request):
        if "author" not in request.POST:
            return super().create_from_autocomplete(request)
        author = row_with_typed_id(Author.objects.all(), request.POST["author"])
        if author is None:
            raise ValidationError("That author no longer exists.", code="missing")
        existed = Creator.objects.filter(author=author).exists()
        return Creator.objects.for_author(author), not existed

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                photo_count=Count("photos", distinct=True) + Count("supplied_photos", distinct=True)
            )
        )

    @admin.display(ordering="photo_count")
    def photo_count(self, creator):
        return creator.photo_count


class LicenseFilter(admin.SimpleListFilter):
    title = "licence"
    parameter_name = "licence"

    def lookups(self, request, model_admin):
        days = settings.PHOTO_LICENSE_WARNING_DAYS
        return [("expired", "Expired"), ("expiring", f"Expires within {days} days")]

    def queryset(self, request, queryset):
        if self.value() == "expired":
            return queryset.license_expired()
        if self.value() == "expiring":
            return queryset.license_expiring()
        return queryset


class CreditFilter(admin.SimpleListFilter):
    title = "credit"
    parameter_name = "credit"

    def lookups(self, request, model_admin):
        return [("missing", "No credit"), ("alt-missing", "No alt text")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.without_credit()
        if self.value() == "alt-missing":
            return queryset.filter(alt_text="")
        return queryset


class PhotoForm(forms.ModelForm):
    class Meta:
        model = Photo
        fields = [
            "image",
            "alt_text",
            "caption",
            "creator",
            "source",
            "credit_type",
            "credit_text",
            "license_url",
            "license_page_url",
            "license_reference",
            "may_redistribute",
            "license_expires_on",
            "focal_x",
            "focal_y",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty (or not sent, as by older forms), the focal point is the centre.
        for name in ("focal_x", "focal_y"):
            self.fields[name].required = False

    def clean_focal_x(self):
        return 0.5 if self.cleaned_data["focal_x"] is None else self.cleaned_data["focal_x"]

    def clean_focal_y(self):
        return 0.5 if self.cleaned_data["focal_y"] is None else self.cleaned_data["focal_y"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image and image != self.initial.get("image"):
            # The same file added twice at once (a double click, two editors): the second
            # waits for the first and gets this error instead of a 500.
            hold_unique_checks(Photo)
            same = Photo.objects.same_image(image).exclude(pk=self.instance.pk)
            existing = same.first()
            if existing and existing.is_withdrawn:
                raise forms.ValidationError(
                    format_html(
                        '{} <a href="{}">Open photo {}</a>.',
                        existing.reupload_refusal(),
                        reverse("admin:publication_photo_change", args=[existing.pk]),
                        existing.pk,
                    ),
                    code="withdrawn",
                )
            if existing:
                raise forms.ValidationError(
                    format_html(
                        'This image is already in the library: <a href="{}">{}</a>.',
                        reverse("admin:publication_photo_change", args=[existing.pk]),
                        existing,
                    ),
                    code="duplicate",
                )
        return image


@admin.register(Photo)
class PhotoAdmin(TypeToPickMixin, admin.ModelAdmin):
    form = PhotoForm

    class Media:
        # Names for the autocomplete boxes; the focal point set by a click on the preview.
        js = ["js/admin-a11y.js", "js/admin-focal-point.js"]
        css = {"all": ["css/admin.css"]}

    list_display = ["thumbnail", "alt_text", "credit_display", "licence", "added"]
    # The alt text is the link: a thumbnail link would be a second one with no name.
    list_display_links = ["alt_text"]
    list_filter = [
        CreditFilter,
        LicenseFilter,
        "credit_type",
        "may_redistribute",
        "renditions_status",
    ]
    search_fields = ["alt_text", "caption", "credit_text", "creator__name", "source__name"]
    # Credit in two actions: type a name, pick it (or “Create …” it).
    type_to_pick_fields = ["creator", "source"]
    readonly_fields = [
        "preview",
        "width",
        "height",
        "renditions_status",
        "renditions_error",
        "rendition_list",
    ]
    actions = ["make_renditions_again"]
    date_hierarchy = "created_at"
    added = zoned_field("created_at", "Added", listed=True)
    fieldsets = [
        (None, {"fields": ["image", "preview", ("width", "height"), "alt_text", "caption"]}),
        ("Credit", {"fields": ["creator", "source", "credit_type", "credit_text"]}),
        (
            "Licence",
            {
                "fields": [
                    "license_url",
                    "license_page_url",
                    "license_reference",
                    "may_redistribute",
                    "license_expires_on",
                ]
            },
        ),
        ("Crops", {"fields": [("focal_x", "focal_y")]}),
        (
            "Renditions",
            {
                "fields": ["renditions_status", "renditions_error", "rendition_list"],
                "description": "Smaller copies for readers, made in the background after "
                "each upload and after changes to the credit or focal point; until they "
                "exist pages show the original.",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_credit()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            refused_upload(request)  # the image field then says the file was too large
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        original = self.admin_site.admin_view(self.withdrawn_original_view)
        name = f"{self.opts.app_label}_{self.opts.model_name}_withdrawn_original"
        return [path("<int:pk>/withdrawn-original/", original, name=name), *super().get_urls()]

    def withdrawn_original_view(self, request, pk):
        """A withdrawn photo's image for the staff who decide on it: its public files are
        gone, and readers never get it from here."""
        photo = get_object_or_404(Photo, pk=pk)
        if not self.has_view_permission(request, photo):
            raise PermissionDenied
        if not photo.is_withdrawn:
            raise Http404("This photo is not withdrawn: its public address shows it.")
        return withdrawn_original(photo)

    def image_url(self, photo) -> str:
        """Where the admin shows the photo's original: a withdrawn one's public files are
        taken down at the lapse."""
        if photo.is_withdrawn:
            return reverse("admin:publication_photo_withdrawn_original", args=[photo.pk])
        return photo.image.url

    @admin.display(description="Image")
    def thumbnail(self, photo):
        url = self.image_url(photo) if photo.is_withdrawn else photo.thumbnail_url
        return format_html('<img src="{}" alt="" class="photo-thumbnail" loading="lazy">', url)

    @admin.display(description="Preview")
    def preview(self, photo):
        if not photo.image:
            return "—"
        image = format_html('<img src="{}" alt="" class="photo-preview">', self.image_url(photo))
        if photo.is_withdrawn:
            return format_html(
                '{}<p class="help">Withdrawn ({}): readers no longer see it; shown here to '
                "staff only. Enter the renewed licence's date to reinstate it.</p>",
                image,
                photo.license_note,
            )
        return image

    @admin.display(description="Credit")
    def credit_display(self, photo):
        if not photo.has_credit:
            return format_html('<strong class="no-credit">{}</strong>', "No credit")
        # Clamped to two lines in the list (admin-lists.css); the title has all of it.
        return format_html('<span class="credit-text" title="{}">{}</span>', *[photo.credit] * 2)

    @admin.display(description="Licence expires on", ordering="license_expires_on")
    def licence(self, photo):
        """The licence's last day, and under it whether it has expired (the photo is
        withdrawn) or soon will: the credit column beside it keeps its room for names."""
        status = photo.license_status
        day = date_listed(photo.license_expires_on)
        if not status:
            return day
        return format_html('{} <small class="licence-{}">{}</small>', day, status, status)

    @admin.display(description="Files")
    def rendition_list(self, photo):
        if not photo.rendition_files:
            return "—"
        storage = photo.image.storage
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                ((storage.url(name), name.rsplit("/", 1)[-1]) for name in photo.rendition_files),
            ),
        )

    @admin.action(description="Make renditions again", permissions=["change"])
    def make_renditions_again(self, request, queryset):
        queryset.request_renditions()
        self.message_user(request, f"Renditions queued for {queryset.count()} photos.")


class AuthorLinkInline(BoundedInline, admin.TabularInline):
    model = AuthorLink
    extra = 1


@admin.register(Author)
class AuthorAdmin(KnownValuesAutocompleteMixin, CreateFromAutocompleteMixin, admin.ModelAdmin):
    form = StoredTextForm
    list_display = ["name", "slug", "article_count"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "bio"]
    autocomplete_fields = ["photo"]
    inlines = [AuthorLinkInline]

    def autocomplete_offers(self, term):
        """Photographers not yet linked to an author: picking one makes them a writer too.

        Not one named exactly as an author: the box then offers the author, and one person
        is one entry. (Picking the author does not link the credit by its name alone: two
        people may share a name. The Creator's "Author" field links them.)"""
        creators = Creator.objects.filter(
            name__icontains=term, author__isnull=True, kind=Creator.Kind.PERSON
        ).exclude(Exists(Author.objects.filter(name=OuterRef("name"))))[:5]
        return [
            {"creator": str(creator.pk), "text": f"{creator.name} (photo credit)"}
            for creator in creators
        ]

    def create_from_autocomplete(self, request):
        if "creator" not in request.POST:
            return super().create_from_autocomplete(request)
        creator = row_with_typed_id(Creator.objects.all(), request.POST["creator"])
        if creator is None:
            raise ValidationError("That photo credit no longer exists.", code="missing")
        with transaction.atomic():
            author, created = Author.objects.named(creator.name)
            Creator.objects.for_author(author)  # links this creator (same name) to the author
        return author, created

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("bylines"))

    @admin.display(ordering="article_count", description="Bylines")
    def article_count(self, author):
        return author.article_count


class SocialLinkInline(BoundedInline, admin.TabularInline):
    model = SocialLink
    extra = 1


@admin.register(SiteSettings)
class SiteSettingsAdmin(KnownValuesAutocompleteMixin, admin.ModelAdmin):
    inlines = [SocialLinkInline]
    filter_horizontal = ["nav_topics"]
    autocomplete_fields = ["share_photo"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class TopicForm(StoredTextForm):
    record_name = "topic"

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = stored_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(BLANK_NAME, code="blank_topic")
        if len(name) > NAME_LENGTH:  # a few letters grow in their composed form
            raise forms.ValidationError(
                LONG_NAME.format(limit=NAME_LENGTH, start=name[:40], length=len(name)),
                code="long_topic",
            )
        return name


admin.site.unregister(Tag)


@admin.register(Tag)
class TopicAdmin(TagAdmin):
    form = TopicForm
    # Not taggit's inline of tagged items, a form row (content type, object id) per use:
    # a topic on 250 articles sent more fields than Django takes (1,000), so it could no
    # longer be renamed (400), and at 2,100 uses its page took 51 s to draw. The article
    # list's topic filter shows where a topic is used.
    inlines = []

    def merge_tags_view(self, request):
        # taggit's view asks only for a staff account, and merging rewrites articles' topics:
        # newsletter staff could merge them (tests/production/test_roles.py).
        if not self.has_change_permission(request):
            raise PermissionDenied
        # It fetches each topic chosen in the list (ids kept in the session) and failed (a
        # 500) on none chosen, the page opened by its address, or one deleted meanwhile.
        chosen = [typed_id(pk) for pk in request.session.get("selected_tag_ids", "").split(",")]
        existing = list(
            Tag.objects.filter(pk__in=[pk for pk in chosen if pk]).values_list("pk", flat=True)
        )
        if not existing:
            self.message_user(request, "Choose the topics to merge in the list first.", "warning")
            return redirect("admin:taggit_tag_changelist")
        request.session["selected_tag_ids"] = ",".join(map(str, existing))
        if request.method == "POST":
            # taggit looks the new name up as typed, but topics are the same whatever their
            # case (TAGGIT_CASE_INSENSITIVE): "trade" beside "Trade" made a second topic
            # with the same address, a 500. Merge into the topic that has the name.
            data = request.POST.copy()
            name = stored_name(data.get("new_tag_name", ""))
            same = Tag.objects.filter(name__iexact=name).first() if name else None
            data["new_tag_name"] = same.name if same else name
            request.POST = data
        return super().merge_tags_view(request)


class RedirectForm(WaitForUniqueChecks, forms.ModelForm):
    class Meta:
        model = Redirect
        fields = ["old_path", "new_path"]

    def clean_old_path(self):
        path = site_path(self.cleaned_data["old_path"])
        if path is None:
            raise forms.ValidationError(
                "Give an address on this site, starting with a slash, e.g. "
                "/articles/old-headline/.",
                code="not_a_path",
            )
        path = path.split("?", 1)[0]  # readers' query strings are passed on as they come
        if Redirect.objects.exclude(pk=self.instance.pk).filter(old_path=path).exists():
            raise forms.ValidationError("This address already redirects.", code="duplicate")
        return path

    def clean_new_path(self):
        value = self.cleaned_data["new_path"].strip()
        path = site_path(value)
        if path is not None:
            return path
        try:
            URLValidator(schemes=["http", "https"])(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Give an address on this site starting with a slash, or a full https:// address.",
                code="invalid",
            ) from None
        return value

    def clean(self):
        cleaned = super().clean()
        old_path, new_path = cleaned.get("old_path"), cleaned.get("new_path")
        if old_path and old_path == new_path:
            raise forms.ValidationError("An address cannot redirect to itself.", code="loop")
        # A new address under the old one may be a live page: only other redirects are judged.
        if (
            old_path
            and new_path
            and not new_path.startswith(old_path)
            and Redirect.objects.leads_back(old_path, new_path)
        ):
            raise forms.ValidationError(
                "Other redirects send readers of the new address back to the old one: "
                "change or delete them first.",
                code="loop",
            )
        return cleaned


def site_path(value: str) -> str | None:
    """The path of an address on this site (pasted whole or as a path), or None."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        if f"{parts.scheme}://{parts.netloc}" != settings.SITE_URL:
            return None
        value = parts.path or "/"
        if parts.query:
            value += f"?{parts.query}"
    if (
        not value.startswith("/")
        or value.startswith("//")
        or any(character.isspace() or ord(character) < 32 for character in value)
    ):
        return None
    return uri_to_iri(value)


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "new_path", "automatic", "created"]
    list_filter = ["automatic"]
    created = zoned_field("created_at", "Created")
    search_fields = ["old_path", "new_path"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            # Keep every redirect one hop long, whoever made it.
            obj.collapse_chains()


# Lookups that read their value as a job status, or a comma-separated list of them (the
# others, such as "startswith", compare text and take any value).
STATUS_LOOKUPS = {"", "exact", "gt", "gte", "lt", "lte"}
STATUS_LIST_LOOKUPS = {"in", "range"}


# Django's own user and group admins, whose user-name and group-name checks raced too
# (3 and 1 of 20 identical "Add" posts answered 500).
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(auth_admin.UserAdmin):
    form = type("UserChangeForm", (WaitForUniqueChecks, UserChangeForm), {})
    add_form = type("AdminUserCreationForm", (WaitForUniqueChecks, AdminUserCreationForm), {})


@admin.register(Group)
class GroupAdmin(auth_admin.GroupAdmin):
    form = type("GroupForm", (WaitForUniqueChecks, forms.ModelForm), {})


admin.site.unregister(ProcrastinateJob)


@admin.register(ProcrastinateJob)
class JobAdmin(ProcrastinateJobAdmin):
    """procrastinate's job list, answering a status no job can have with 400.

    The status column is a PostgreSQL enum: "?status=bogus" (or an empty status) made the
    database refuse the query (DataError, a 500), where the admin shows its "?e=1" page
    for any other impossible filter value.
    """

    def lookup_allowed(self, lookup, value, request):
        field, _, lookup_type = lookup.partition("__")
        if field == "status" and lookup_type in STATUS_LOOKUPS | STATUS_LIST_LOOKUPS:
            values = value.split(",") if lookup_type in STATUS_LIST_LOOKUPS else [value]
            if not set(values) <= set(ProcrastinateJob.STATUSES):
                return False
        return super().lookup_allowed(lookup, value, request)
