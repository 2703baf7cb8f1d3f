"""Public newsletter pages. None of them reads or sets a cookie: public pages are cached whole.

The signup POST therefore has no Django CSRF token; it is protected by an Origin
check, a signed form token, a honeypot, rate limits and double opt-in instead.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, ListView

from articles import seo
from newsletter import services
from newsletter.forms import CONSENT_TEXT, SignupForm, form_token
from newsletter.models import Roundup, Subscriber
from newsletter.request_checks import client_ip, is_same_origin, rate_limit, referer_path
from newsletter.validators import mailbox_key
from publication.context_processors import canonical_url


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.method in {"GET", "HEAD"}:
        form = SignupForm(initial={"token": form_token(), "source": "page"})
        return render(request, "newsletter/signup.html", {"form": form})
    response = signup_post(request)
    add_never_cache_headers(response)
    return response


def signup_post(request):
    retry_after = rate_limit("ip", client_ip(request), settings.NEWSLETTER_RATE_LIMIT_PER_IP)
    if retry_after:
        return too_many_requests(request, retry_after)
    if not is_same_origin(request):
        return render(request, "newsletter/signup_refused.html", status=403)
    form = SignupForm(request.POST)
    if form.is_bot:
        return redirect("newsletter:signup-done")
    if not form.is_valid():
        # A fresh token, so a reader whose form had expired can simply send it again.
        form.data = form.data.copy()
        form.data["token"] = form_token()
        return render(request, "newsletter/signup.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    # Silent: a visible refusal would tell anyone that this mailbox signed up recently.
    if rate_limit("mailbox", mailbox_key(email), settings.NEWSLETTER_RATE_LIMIT_PER_MAILBOX):
        return redirect("newsletter:signup-done")
    services.subscriber_signup(
        email=email,
        name=form.cleaned_data["name"],
        source=form.source_label,
        signup_page=referer_path(request),
        consent_text=CONSENT_TEXT,
    )
    return redirect("newsletter:signup-done")


def too_many_requests(request, retry_after: int):
    response = render(request, "newsletter/signup_limited.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    subscriber = Subscriber.from_confirm_token(token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method == "POST":
        # Only the POST confirms: mail scanners follow links with GET.
        subscriber = services.subscriber_confirm(subscriber=subscriber)
        return render(request, "newsletter/confirm_done.html", {"subscriber": subscriber})
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks; POST unsubscribes, from our button or a mail client's one-click (RFC 8058)."""
    subscriber = Subscriber.from_unsubscribe_token(token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        return render(request, "newsletter/unsubscribe_done.html", {"subscriber": subscriber})
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})


class RoundupArchiveView(ListView):
    template_name = "newsletter/roundup_archive.html"
    context_object_name = "roundups"
    paginate_by = 20
    queryset = Roundup.objects.sent().only("subject", "intro", "sent_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = canonical_url(
            self.request, page_number=context["page_obj"].number
        )
        return context


class RoundupDetailView(DetailView):
    """The web version of a sent round-up: what subscribers got, without anything personal."""

    template_name = "newsletter/roundup_detail.html"
    context_object_name = "roundup"

    def get_queryset(self):
        # Built per request: which articles are live depends on the time.
        return Roundup.objects.for_archive()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = self.object.items.all()
        context["share_image"] = seo.share_image_of(item.article for item in items)
        return context
