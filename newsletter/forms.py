import time
import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator

from newsletter.models import Subscriber
from newsletter.validators import MAX_EMAIL_LENGTH, normalize_email, validate_mailing_address
from publication.text import stored_name

CONSENT_TEXT = (
    "Send me the weekly round-up by email. We will email you a link to confirm; "
    "every email has a link to unsubscribe, and we never share your address."
)
SOURCES = {"footer": "footer", "page": "newsletter page"}


class FormTokenSigner(signing.TimestampSigner):
    """Signs the start of the current time bucket rather than the current second.

    Every reader in one bucket gets the same token, so a page cached whole stays
    identical for everyone, and the POST can still check how old the form is.
    """

    def __init__(self):
        super().__init__(salt="newsletter.signup-form")

    def timestamp(self):
        bucket = settings.NEWSLETTER_FORM_TOKEN_BUCKET
        return signing.b62_encode(int(time.time()) // bucket * bucket)


def form_token() -> str:
    return FormTokenSigner().sign("signup")


def form_token_is_valid(token: str) -> bool:
    try:
        FormTokenSigner().unsign(token, max_age=settings.NEWSLETTER_FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return True


class SignupForm(forms.Form):
    email = forms.CharField(
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # The honeypot: hidden from people (and screen readers); bots fill in every field.
    website = forms.CharField(required=False, max_length=200)
    token = forms.CharField(max_length=200, widget=forms.HiddenInput)
    source = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        validate_mailing_address(email)
        return email

    def clean_name(self):
        name = self.cleaned_data["name"]
        if any(unicodedata.category(char) == "Cc" for char in name):
            raise forms.ValidationError("The name contains invisible or control characters.")
        # Stored as every name is (publication.text.stored_name): the invisible characters
        # some scripts need (the zero-width non-joiner of Persian, the joiner in emoji) are
        # kept where they work, the others dropped; refusing them all refused those names.
        # Checked again once stored: NFC writes a few letters longer ("\u0958" is two).
        name = stored_name(name)
        MaxLengthValidator(Subscriber._meta.get_field("name").max_length)(name)
        return name

    def clean_token(self):
        if not form_token_is_valid(self.cleaned_data["token"]):
            raise forms.ValidationError(
                "This form had expired. Please check your address and send it again."
            )
        return self.cleaned_data["token"]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.cleaned_data.get("source") or "", "website")
