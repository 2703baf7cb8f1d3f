from django import template

from newsletter.forms import CONSENT_TEXT, form_token

register = template.Library()


@register.simple_tag
def newsletter_form_token() -> str:
    """The signup form's token: the same for every reader within the hour."""
    return form_token()


@register.simple_tag
def newsletter_consent_text() -> str:
    return CONSENT_TEXT
