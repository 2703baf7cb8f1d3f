"""Structured data (schema.org JSON-LD) for article pages; the images pages are shared with."""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Search results show about 60 characters of a title (Google cuts at ~600 px) and
# 150-160 of a description. The site's name costs " — The Meridian" (15 characters) and
# search engines show it apart from the title anyway (og:site_name, the publisher), so a
# title keeps it only while the whole stays within the limit: a headline is never cut.
TITLE_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 160
# Left off before an ellipsis: "Russia, …" reads worse than "Russia…".
DANGLING = " ,;:–—-(/"

# Google's article guidance asks for images in 16:9, 4:3 and 1:1.
ARTICLE_IMAGE_SHAPES = ("16x9", "4x3", "1x1")

# As django.utils.html.json_script: no field can close the script element or open a comment.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def title_tag(title: str, site_name: str) -> str:
    """A page's <title>: the title and the site's name, the name dropped when both would
    not fit in TITLE_MAX_LENGTH; the name alone for an untitled draft's preview."""
    if not title:
        return site_name
    with_site = f"{title} — {site_name}"
    return with_site if len(with_site) <= TITLE_MAX_LENGTH else title


def shorten(text: str, limit: int = DESCRIPTION_MAX_LENGTH) -> str:
    """Text for a meta description: whole if it fits, else cut at the last word boundary
    that leaves room for an ellipsis (mid-word only for a single word longer than that)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(DANGLING) + "…"


def ld_json(data) -> SafeString:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped just above
    )


def absolute(path: str) -> str:
    """An address readers can follow from anywhere (a feed, a share, structured data)."""
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


def share_image_of(articles) -> dict | None:
    """The image a page listing these articles (loaded with their lead photos) is shared
    with: the first lead photo's social rendition. Without one, the page gets the site's
    default share image (components/social_meta.html). Teaser-card listings read theirs
    with their cards instead (articles.cards.listing_cards)."""
    photo = next(filter(None, (article.shown_lead_photo for article in articles)), None)
    return photo.social_image() if photo else None


def article_images(photo) -> list[dict]:
    """The lead photo in each shape search engines ask of an article (publication.renditions),
    each carrying the photo's credit and licence; its social image until those exist."""
    image = photo.image_object()
    shapes = [photo.renditions[name] for name in ARTICLE_IMAGE_SHAPES if name in photo.renditions]
    if not shapes:
        return [image]
    return [
        {
            **image,
            "contentUrl": absolute(shape["src"]),
            "url": absolute(shape["src"]),
            "width": shape["width"],
            "height": shape["height"],
        }
        for shape in shapes
    ]


def article_structured_data(article, *, site) -> list[dict]:
    """NewsArticle and BreadcrumbList for one article page."""
    url = absolute(article.get_absolute_url())
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.meta_description,
        "datePublished": article.published_at,
        "dateModified": article.modified_at,
        "author": [
            {
                "@type": "Person",
                "name": byline.author.name,
                "url": absolute(byline.author.get_absolute_url()),
            }
            for byline in article.bylines.all()
        ],
        "publisher": {
            "@type": "Organization",
            "name": site.name,
            "url": absolute(reverse("articles:home")),
            "logo": {
                "@type": "ImageObject",
                **{key: site.logo_image[key] for key in ("url", "width", "height")},
            },
        },
        "inLanguage": site.language,
        "articleSection": article.section.name,
        "keywords": [topic.name for topic in article.topics],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
    }
    if article.seo_title and article.seo_title != article.headline:
        news_article["alternativeHeadline"] = article.seo_title
    if photo := article.shown_lead_photo:
        news_article["image"] = article_images(photo)
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(
                [
                    (site.name, absolute(reverse("articles:home"))),
                    (article.section.name, absolute(article.section.get_absolute_url())),
                    (article.headline, url),
                ],
                start=1,
            )
        ],
    }
    return [news_article, breadcrumbs]
