"""What we accept as a mailing-list address, and how two spellings of one mailbox compare.

Django's EmailValidator accepts addresses that are legal but that no reader types
by mistake and that abusers use to slip past filters: IP literals, dot-less hosts,
quoted local parts, invisible characters, and domains mixing look-alike scripts.
"""

import contextlib
import ipaddress
import stringprep
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_OCTETS = 64  # RFC 5321, 4.5.3.1.1
# Ideographic, full-width and half-width full stops: Python's IDNA codec reads each as
# ".", so "a@example\u3002com" would be stored as, and merge with, "a@example.com".
NON_ASCII_FULL_STOPS = {"\u3002", "\uff0e", "\uff61"}

# Scripts that legitimately share a label with Han (and Latin) in one name,
# following Chrome's IDN display policy (moderately restrictive profile).
ALLOWED_SCRIPT_MIXES = [
    {"LATIN", "CJK", "HIRAGANA", "KATAKANA"},
    {"LATIN", "CJK", "BOPOMOFO"},
    {"LATIN", "CJK", "HANGUL"},
]
# Cyrillic letters that render like Latin ones: a label made only of these under a
# non-Cyrillic top-level domain ("аррӏе.com") is a whole-script spoof.
CYRILLIC_LATIN_LOOKALIKES = set("аъьвгдеёзһіјкӏмнорԛѕтуԝхцчшщыэюяѵԁ")
# Domains whose mail servers ignore dots in the local part.
DOTS_IGNORED_DOMAINS = {"gmail.com", "googlemail.com"}

_django_email_validator = EmailValidator(allowlist=[])


def normalize_email(value: str) -> str:
    """Trim, and lower-case the domain in its ASCII (punycode) form; the local part is kept.

    Addresses are stored and compared in that form, so "bücher.de" and
    "xn--bcher-kva.de" are one subscriber; email_for_display() gives the Unicode form.
    An address with invisible characters or look-alike full stops is only trimmed:
    IDNA would silently drop or fold them, and validate_mailing_address() must see
    them to refuse it.
    """
    value = (value or "").strip()
    local, at, domain = value.rpartition("@")
    if not at or has_invisible_characters(value) or set(domain) & NON_ASCII_FULL_STOPS:
        return value
    return f"{local}@{domain_to_ascii(domain.lower())}"


def email_for_display(email: str) -> str:
    """The address with its domain in Unicode, as people read and type it."""
    local, at, domain = email.rpartition("@")
    return f"{local}{at}{domain_to_unicode(domain)}" if at else email


def has_invisible_characters(value: str) -> bool:
    # Cc control, Cf format (zero-width, soft hyphen, bidi overrides), Z* separators,
    # Co/Cn unassigned; and what IDNA maps to nothing (variation selectors and the like).
    return any(
        unicodedata.category(char)[0] in {"C", "Z"} or stringprep.in_table_b1(char)
        for char in value
    )


def domain_to_ascii(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def domain_to_unicode(domain: str) -> str:
    try:
        return domain.encode("idna").decode("idna")
    except UnicodeError:
        return domain


def label_to_unicode(label: str) -> str | None:
    """One ASCII label in Unicode; None for an "xn--" label that is not a valid A-label.

    Decoding the whole domain falls back to its ASCII form when any label fails, which
    would let "xn--zz" (no Unicode form) or "xn--a" (a control character) pass as
    letters and hyphens.
    """
    if not label.lower().startswith("xn--"):
        return label
    try:
        return label.lower().encode("ascii").decode("idna")
    except UnicodeError:
        return None


def script_of(char: str) -> str | None:
    """The script of a letter, from the first word of its Unicode name; None for the rest."""
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def is_mixed_script(label: str) -> bool:
    scripts = {script for script in map(script_of, label) if script}
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in ALLOWED_SCRIPT_MIXES)


def validate_mailing_address(value: str) -> None:
    """Raise ValidationError unless value (already normalised) is an address we will mail."""
    invalid = ValidationError("Enter a valid email address.", code="invalid")
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError("This address is too long.", code="max_length")
    local, at, domain = value.rpartition("@")
    if '"' in local:
        raise ValidationError("Quoted addresses are not accepted.", code="quoted")
    if has_invisible_characters(value):
        raise ValidationError(
            "The address contains invisible or control characters.", code="invisible"
        )
    if not at or not local or not domain:
        raise invalid
    if len(local.encode()) > MAX_LOCAL_PART_OCTETS:
        raise ValidationError(
            "The part before the @ may be at most 64 characters long.", code="local_too_long"
        )
    if set(domain) & NON_ASCII_FULL_STOPS:
        raise ValidationError(
            "Separate the parts of the domain with ordinary full stops (.).", code="full_stop"
        )
    if domain.startswith("[") or _is_ip_address(domain):
        raise ValidationError("Addresses at an IP address are not accepted.", code="ip_literal")
    if "." not in domain.strip(".") or domain.endswith("."):
        raise ValidationError("The domain needs a dot, as in example.com.", code="dotless")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise invalid from None
    _django_email_validator(f"{local}@{ascii_domain}")
    labels = [label_to_unicode(label) for label in ascii_domain.split(".")]
    for label in labels:
        if label is None or not is_hostname_label(label):
            raise ValidationError(
                "Each part of the domain may only contain letters, digits and hyphens.",
                code="domain_characters",
            )
        if is_mixed_script(label):
            raise ValidationError(
                "The domain mixes alphabets in a way used to imitate other domains.",
                code="mixed_script",
            )
    top_level_is_ascii = labels[-1].isascii()
    for label in labels[:-1]:
        if top_level_is_ascii and label and set(label) <= CYRILLIC_LATIN_LOOKALIKES:
            raise ValidationError(
                "The domain imitates a Latin-alphabet domain.", code="mixed_script"
            )


def is_hostname_label(label: str) -> bool:
    """Letters, digits and inner hyphens, in any script (IDNA 2008 allows no symbols,
    emoji or punctuation, though Python's IDNA 2003 codec encodes them)."""
    return (
        bool(label)
        and not label.startswith("-")
        and not label.endswith("-")
        and all(
            char == "-" or char.isalnum() or unicodedata.category(char).startswith("M")
            for char in label
        )
    )


def _is_ip_address(domain: str) -> bool:
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        return False
    return True


def mailbox_key(email: str) -> str:
    """One key per real mailbox, however the address is spelled.

    Lower-cased, the domain in ASCII (punycode), any "+tag" dropped, and for Gmail
    the dots in the local part dropped and googlemail.com folded into gmail.com.
    Used to cap confirmation emails per mailbox, never as an address to write to.
    """
    local, _, domain = email.strip().lower().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"
