"""The emails themselves: confirmation and round-up, with RFC 8058 unsubscribe headers."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from articles.models import Article
from newsletter.models import Roundup, Subscriber, absolute_url
from publication.models import SiteSettings


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    targets = [f"<{subscriber.get_unsubscribe_url()}>"]
    if settings.NEWSLETTER_UNSUBSCRIBE_MAILTO:
        targets.append(
            f"<mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe-{subscriber.pk}>"
        )
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def build_message(
    *, subject: str, template: str, context: dict, to: str, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    if "site" not in context:  # not setdefault(): a round-up passes it for every copy
        context["site"] = SiteSettings.load()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletter/email/{template}.txt", context),
        to=[to],
        headers=headers or {},
    )
    html = render_to_string(f"newsletter/email/{template}.html", context)
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    site = SiteSettings.load()
    return build_message(
        subject=f"Confirm your subscription to {site.name}",
        template="confirmation",
        context={
            "site": site,
            "subscriber": subscriber,
            "resubscribing": subscriber.is_unsubscribed,
            "confirm_url": subscriber.get_confirm_url(),
            "unsubscribe_url": subscriber.get_unsubscribe_url(),
        },
        to=subscriber.email,
        headers=unsubscribe_headers(subscriber),
    )


def roundup_articles(roundup: Roundup) -> list[Article]:
    """The round-up's articles in the editor's order, leaving out any no longer live."""
    items = roundup.items.with_live_article().select_related("article__kind", "article__section")
    return [item.article for item in items]


def roundup_context(roundup: Roundup, articles: list[Article]) -> dict:
    return {
        "roundup": roundup,
        "articles": [(article, absolute_url(article.get_absolute_url())) for article in articles],
    }


def roundup_message(
    roundup: Roundup,
    *,
    articles: list[Article],
    subscriber: Subscriber | None,
    to: str,
    site: SiteSettings | None = None,
) -> EmailMultiAlternatives:
    """A copy for one subscriber, or a test copy (subscriber None) for a staff member."""
    if subscriber is None:
        unsubscribe_url, headers = absolute_url("/newsletter/"), {}
    else:
        unsubscribe_url, headers = subscriber.get_unsubscribe_url(), unsubscribe_headers(subscriber)
    subject = roundup.subject if subscriber else f"[Test] {roundup.subject}"
    return build_message(
        subject=subject,
        template="roundup",
        context={
            **roundup_context(roundup, articles),
            "unsubscribe_url": unsubscribe_url,
            "site": site or SiteSettings.load(),
        },
        to=to,
        headers=headers,
    )
