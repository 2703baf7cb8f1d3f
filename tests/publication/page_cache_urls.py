"""The site's URLs plus public pages whose bodies depend on the reader, which the page
cache must never store: each one does what a template or view could do by mistake."""

from django.contrib import messages
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from publication.page_cache import public_page
from publication.urls import urlpatterns as site_urlpatterns


def render(request, source):
    return HttpResponse(engines["django"].from_string(source).render({}, request))


def csrf_form(request):
    return render(request, "<form method=post>{% csrf_token %}</form>")


def session_visits(request):
    request.session["visits"] = request.session.get("visits", 0) + 1
    return HttpResponse(f"visit {request.session['visits']}")


def session_read(request):
    return HttpResponse(f"theme {request.session.get('theme', 'light')}")


def user_name(request):
    return HttpResponse(f"hello {request.user.get_username() or 'reader'}")


def with_message(request):
    messages.info(request, "Saved.")
    return HttpResponse("a page that queued a message")


def with_nonce(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')


def with_cookie(request):
    response = HttpResponse("a page that sets a cookie")
    response.set_cookie("seen", "1")
    return response


def varies_on_language(request):
    response = HttpResponse("a page in the reader's language")
    response["Vary"] = "Accept-Language"
    return response


def plain(request):
    return HttpResponse("the same for everyone")


READER_DEPENDENT = {
    "csrf-form": csrf_form,
    "session-visits": session_visits,
    "session-read": session_read,
    "user-name": user_name,
    "with-message": with_message,
    "with-nonce": with_nonce,
    "with-cookie": with_cookie,
    "varies-on-language": varies_on_language,
}

urlpatterns = [
    *(path(f"t/{name}/", public_page(view)) for name, view in READER_DEPENDENT.items()),
    path("t/plain/", public_page(plain)),
    *site_urlpatterns,
]
