"""{% fragment "name" [vary ...] %}…{% endfragment %}: a piece many pages share, cached
under the content version, so it is exactly as fresh as the whole-page cache."""

import time

from django import template
from django.conf import settings
from django.core.cache import cache

from publication.page_cache import current_version, lifetime, request_version

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context):
        if not settings.PAGE_CACHE_ENABLED:
            return self.nodelist.render(context)
        request = context.get("request")
        version = request_version(request) if request is not None else current_version()
        parts = [self.name.resolve(context), *(str(v.resolve(context)) for v in self.vary)]
        key = f"page-cache:fragment:{version.token}:" + ":".join(parts)
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, html, max(lifetime(version, time.time()), 1))
        return html


@register.tag
def fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name.")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
