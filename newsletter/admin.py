import datetime
import itertools

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles.models import Article
from newsletter import mail, services, subscriber_csv
from newsletter.models import Delivery, ExportLog, Roundup, RoundupItem, Subscriber
from newsletter.validators import domain_to_ascii, normalize_email
from publication.admin import BoundedInline, StoredTextForm

ROUNDUP_DAYS = 7
# How far back the round-up's article menu reaches (plus the articles already chosen).
ARTICLE_CHOICE_DAYS = 30


def export_response(queryset, *, log: ExportLog) -> StreamingHttpResponse:
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    rows = subscriber_csv.subscribers_export_csv(queryset, log=log)
    response = StreamingHttpResponse(
        itertools.chain(["\ufeff"], rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"subscribers-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    # Checks the name as it will be stored (NFC may lengthen it past the column).
    form = StoredTextForm
    list_display = ["address", "name", "status", "source", "signed_up_at", "confirmed_at"]
    list_filter = ["status", "signed_up_at", "source"]
    search_fields = ["email", "name"]
    date_hierarchy = "signed_up_at"

    @admin.display(description="email", ordering="email")
    def address(self, subscriber):
        return subscriber.display_email  # stored in punycode, read in Unicode

    def get_search_results(self, request, queryset, search_term):
        """Also in punycode: "bücher.de" finds addresses stored as "xn--bcher-kva.de"."""
        results, distinct = super().get_search_results(request, queryset, search_term)
        ascii_term = " ".join(
            normalize_email(word) if "@" in word else domain_to_ascii(word)
            for word in search_term.split()
        )
        if ascii_term != " ".join(search_term.split()):
            more, more_distinct = super().get_search_results(request, queryset, ascii_term)
            results, distinct = results | more, distinct or more_distinct
        return results, distinct

    fields = [
        "email",
        "name",
        "status",
        "mailbox_key",
        "source",
        "signup_page",
        "consent_text",
        "signed_up_at",
        "confirmed_at",
        "unsubscribed_at",
        "resubscribe_requested_at",
        "resubscribe_name",
        "resubscribe_source",
        "resubscribe_page",
        "resubscribe_consent_text",
    ]
    readonly_fields = [field for field in fields if field != "name"]
    actions = ["export_selected", "unsubscribe_selected"]
    change_list_template = "newsletter/admin/subscriber_change_list.html"
    show_full_result_count = False

    def has_add_permission(self, request):
        # Addresses come in through double opt-in or an import, never typed in.
        return False

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("newsletter.export_subscribers")

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="newsletter_subscriber_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "totals": [
                (Subscriber.Status(status).label, count)
                for status, count in Subscriber.objects.totals_by_status().items()
            ],
            "can_export": self.has_export_permission(request),
            "export_query": request.GET.urlencode(),
        }
        return super().changelist_view(request, extra_context)

    @method_decorator(require_POST)
    def export_view(self, request):
        """The changelist's filtered list as CSV; unsubscribed only if filtered for."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            messages.error(request, "The list's filters are not valid: nothing was exported.")
            return redirect("admin:newsletter_subscriber_changelist")
        if "status__exact" not in request.GET:
            queryset = queryset.exclude(status=Subscriber.Status.UNSUBSCRIBED)
        filters = {
            key: values[0] if len(values) == 1 else values for key, values in request.GET.lists()
        }
        log = subscriber_csv.export_log_start(
            user=request.user, via=ExportLog.Via.ADMIN, filters=filters
        )
        return export_response(queryset, log=log)

    @admin.action(description="Export selected subscribers as CSV", permissions=["export"])
    def export_selected(self, request, queryset):
        log = subscriber_csv.export_log_start(
            user=request.user,
            via=ExportLog.Via.ADMIN,
            filters={"selected": sorted(queryset.values_list("pk", flat=True))[:1000]},
        )
        return export_response(queryset, log=log)

    @admin.action(description="Unsubscribe selected addresses", permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        count = services.subscribers_unsubscribe(queryset=queryset)
        messages.success(request, f"The selected addresses are unsubscribed ({count} changed).")


class RecordAdmin(admin.ModelAdmin):
    """Records of what happened (exports, deliveries): viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportLog)
class ExportLogAdmin(RecordAdmin):
    list_display = ["created_at", "user", "via", "filters", "row_count", "finished_at"]
    list_filter = ["via", "created_at"]


@admin.register(Delivery)
class DeliveryAdmin(RecordAdmin):
    list_display = ["to_email", "kind", "status", "attempts", "roundup", "created_at", "sent_at"]
    list_filter = ["status", "kind", "roundup", "created_at"]
    search_fields = ["to_email"]
    list_select_related = ["roundup"]
    readonly_fields = ["error"]
    show_full_result_count = False


def week_articles():
    period = datetime.timedelta(days=ROUNDUP_DAYS)
    return Article.objects.published_within(period).order_by("-published_at")


class RoundupItemFormSet(BaseInlineFormSet):
    """Every row's article menu shares one query, instead of one query per row."""

    article_choices = None

    @cached_property
    def article_queryset(self):
        recent = Article.objects.published_within(datetime.timedelta(days=ARTICLE_CHOICE_DAYS))
        chosen = RoundupItem.objects.filter(roundup=self.instance.pk).values("article")
        return Article.objects.filter(Q(pk__in=recent.values("pk")) | Q(pk__in=chosen)).order_by(
            "-published_at"
        )

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if field := form.fields.get("article"):
            field.queryset = self.article_queryset  # checks the submitted value
            if self.article_choices is None:
                self.article_choices = list(field.choices)  # the one query for every menu
            field.choices = self.article_choices


class RoundupItemInline(BoundedInline, admin.TabularInline):
    model = RoundupItem
    formset = RoundupItemFormSet
    fields = ["order", "article"]
    extra = 0

    def get_queryset(self, request):
        # A sent round-up shows its items read-only, each naming its article.
        return super().get_queryset(request).select_related("article")

    def get_extra(self, request, obj=None, **kwargs):
        return week_articles().count() if obj is None else 1

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and is_draft(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_draft(obj)


def is_draft(roundup: Roundup | None) -> bool:
    return roundup is None or roundup.is_draft


@admin.register(Roundup)
class RoundupAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "progress_summary", "created_at", "sent_at"]
    list_filter = ["status"]
    fields = ["subject", "intro", "status", "progress_summary"]
    readonly_fields = ["status", "progress_summary"]
    inlines = [RoundupItemInline]
    change_form_template = "newsletter/admin/roundup_change_form.html"

    def get_changeform_initial_data(self, request):
        return {"subject": f"The week in review, {timezone.localdate():%-d %B %Y}"}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj.pk is None and request.method == "GET":
            kwargs["initial"] = [
                {"article": article.pk, "order": (index + 1) * 10}
                for index, article in enumerate(week_articles())
            ]
        return kwargs

    def get_readonly_fields(self, request, obj=None):
        if is_draft(obj):
            return self.readonly_fields
        return ["subject", "intro", *self.readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="progress")
    def progress_summary(self, obj):
        if obj.pk is None or obj.is_draft:
            return "Not sent yet"
        progress = obj.progress()
        interrupted = reverse("admin:newsletter_delivery_changelist") + (
            f"?roundup__id__exact={obj.pk}&status__exact={Delivery.Status.SENDING}"
        )
        return format_html(
            '{} of {} sent · {} queued · {} failed · {} skipped · <a href="{}">{} interrupted</a>',
            progress["sent"],
            progress["total"],
            progress["queued"],
            progress["failed"],
            progress["skipped"],
            interrupted,
            progress["sending"],
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/<str:fmt>/",
                view(self.preview_view),
                name="newsletter_roundup_preview",
            ),
            path(
                "<int:pk>/send-test/",
                view(self.send_test_view),
                name="newsletter_roundup_send_test",
            ),
            path("<int:pk>/send/", view(self.send_view), name="newsletter_roundup_send"),
            path("<int:pk>/resume/", view(self.resume_view), name="newsletter_roundup_resume"),
            path(
                "<int:pk>/requeue-interrupted/",
                view(self.requeue_interrupted_view),
                name="newsletter_roundup_requeue_interrupted",
            ),
            *super().get_urls(),
        ]

    def get_roundup(self, request, pk, *, change=False) -> Roundup:
        roundup = get_object_or_404(Roundup, pk=pk)
        allowed = (self.has_change_permission if change else self.has_view_permission)(
            request, roundup
        )
        if not allowed:
            raise PermissionDenied
        return roundup

    def sent_roundup(self, request, pk) -> Roundup:
        """The round-up whose sending an action resumes: a draft was never sent."""
        roundup = self.get_roundup(request, pk, change=True)
        if roundup.is_draft:
            raise PermissionDenied
        return roundup

    def change_url(self, roundup):
        return reverse("admin:newsletter_roundup_change", args=[roundup.pk])

    def preview_view(self, request, pk, fmt):
        roundup = self.get_roundup(request, pk)
        message = mail.roundup_message(
            roundup, articles=mail.roundup_articles(roundup), subscriber=None, to=request.user.email
        )
        if fmt == "text":
            return HttpResponse(message.body, content_type="text/plain; charset=utf-8")
        # Email needs inline styles (mail clients drop stylesheets); the preview runs no script.
        email_page = csp_replace({"style-src": [UNSAFE_INLINE], "script-src": [NONE]})(HttpResponse)
        return email_page(message.alternatives[0][0])

    @method_decorator(require_POST)
    def send_test_view(self, request, pk):
        roundup = self.get_roundup(request, pk)
        if not request.user.email:
            messages.error(request, "Add an email address to your account to receive a test.")
        else:
            services.roundup_send_test(roundup=roundup, email=request.user.email)
            messages.success(request, f"A test copy is on its way to {request.user.email}.")
        return redirect(self.change_url(roundup))

    def send_view(self, request, pk):
        roundup = self.get_roundup(request, pk, change=True)
        if request.method == "POST":
            if services.roundup_send(roundup=roundup):
                messages.success(request, "Sending has started; progress is shown below.")
            else:
                messages.warning(request, "This round-up was already sent or is being sent.")
            return redirect(self.change_url(roundup))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "roundup": roundup,
            "recipients": Subscriber.objects.confirmed().count(),
            "title": "Send the round-up",
        }
        return TemplateResponse(request, "newsletter/admin/roundup_send_confirm.html", context)

    @method_decorator(require_POST)
    def resume_view(self, request, pk):
        roundup = self.sent_roundup(request, pk)
        count = services.roundup_retry_failed(roundup=roundup)
        messages.success(request, f"Sending resumed; {count} failed copies queued again.")
        return redirect(self.change_url(roundup))

    @method_decorator(require_POST)
    def requeue_interrupted_view(self, request, pk):
        roundup = self.sent_roundup(request, pk)
        count = services.roundup_requeue_interrupted(roundup=roundup)
        if count is None:
            messages.warning(
                request, "A batch is being sent right now; try again when it has finished."
            )
        else:
            messages.success(
                request, f"{count} interrupted copies queued again; their recipients may get two."
            )
        return redirect(self.change_url(roundup))
