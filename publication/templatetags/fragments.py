"""{% fragment "name" [vary ...] %}…{% endfragment %}: a piece many pages share, cached
under the content version, so it is exactly as fresh as the whole-page cache."""

from django import template

from publication.page_cache import cached_under_version

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary):
        self.nodelist, self.name, self.vary = nodelist, name, vary

    def render(self, context):
        parts = [self.name.resolve(context), *(str(v.resolve(context)) for v in self.vary)]
        return cached_under_version(":".join(parts), lambda: self.nodelist.render(context))


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
