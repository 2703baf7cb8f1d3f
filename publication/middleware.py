import unicodedata

from django.http import Http404

STAFF_HINT_COOKIE = "staff_hint"


class StaffHintMiddleware:
    """Tell the browser (not the server) that the visitor is staff.

    Public pages must be identical for everyone so they can be cached whole, so
    they never look at the session. Instead, admin responses set a harmless
    cookie that a script on public pages reads to reveal "edit" links; the admin
    behind those links checks permissions as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            if request.user.is_authenticated and request.user.is_staff:
                response.set_cookie(STAFF_HINT_COOKIE, "1", samesite="Lax")
            elif STAFF_HINT_COOKIE in request.COOKIES:
                response.delete_cookie(STAFF_HINT_COOKIE, samesite="Lax")
        return response


class ControlCharacterMiddleware:
    """No address with a control character exists: answer 404 before any view sees it.

    A NUL byte in a slug reached PostgreSQL, which refuses NUL in text, and became a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(unicodedata.category(character) == "Cc" for character in request.path):
            raise Http404("No such page.")
        return self.get_response(request)
