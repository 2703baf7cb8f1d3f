"""Newer/Older pagination by position in the listing (keyset), not by page number.

A page number needs an OFFSET scan that grows with the archive and a COUNT(*) over it
on every request; a cursor ("older than this article") costs the same on the thousandth
page as on the first, and no count is needed to know whether there is more.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
STEP = datetime.timedelta(microseconds=1)


def encode(item, field: str, tie: str = "pk") -> str:
    value = getattr(item, field)
    return f"{(value - EPOCH) // STEP}_{getattr(item, tie)}"


def decode(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        micros, pk = (int(part) for part in cursor.split("_"))
        return EPOCH + micros * STEP, pk
    except (ValueError, OverflowError):
        raise Http404("No such page.") from None


@dataclass
class KeysetPage:
    object_list: list
    has_next_page: bool
    has_previous_page: bool
    field: str
    tie: str = "pk"

    def has_next(self) -> bool:
        return self.has_next_page

    def has_previous(self) -> bool:
        return self.has_previous_page

    def has_other_pages(self) -> bool:
        return self.has_next_page or self.has_previous_page

    @property
    def next_query(self) -> str:
        return urlencode({"before": encode(self.object_list[-1], self.field, self.tie)})

    @property
    def previous_query(self) -> str:
        return urlencode({"after": encode(self.object_list[0], self.field, self.tie)})


def keyset_page(
    request, queryset, *, per_page: int, field: str = "published_at", tie: str = "pk"
) -> KeysetPage:
    """One page of a listing ordered newest first by (field, tie), from ?before= or ?after=.

    tie is the article's id in the rows listed: "pk" for articles, "article_id" for the
    listing entries of a topic or author (articles.models.ListingEntry), so a cursor means
    the same article whichever rows a listing reads.
    """
    before, after = request.GET.get("before"), request.GET.get("after")
    if before:
        value, pk = decode(before)
        # The redundant bound lets PostgreSQL use the index on the field for the range;
        # the OR alone is only a filter, so a deep page would scan every newer row.
        queryset = queryset.filter(**{f"{field}__lte": value}).filter(
            Q(**{f"{field}__lt": value}) | Q(**{field: value, f"{tie}__lt": pk})
        )
    elif after:
        value, pk = decode(after)
        queryset = queryset.filter(**{f"{field}__gte": value}).filter(
            Q(**{f"{field}__gt": value}) | Q(**{field: value, f"{tie}__gt": pk})
        )
        queryset = queryset.order_by(field, tie)
    if not after:
        queryset = queryset.order_by(f"-{field}", f"-{tie}")
    items = list(queryset[: per_page + 1])
    more = len(items) > per_page
    items = items[:per_page]
    if after:
        items.reverse()
        page = KeysetPage(items, has_next_page=True, has_previous_page=more, field=field, tie=tie)
    else:
        page = KeysetPage(
            items, has_next_page=more, has_previous_page=bool(before), field=field, tie=tie
        )
    if not items and (before or after):
        raise Http404("No such page.")
    return page


class KeysetPaginationMixin:
    """For a ListView: paginate with keyset_page instead of Django's counting Paginator."""

    paginate_by = 12
    keyset_field = "published_at"
    keyset_tie = "pk"

    def paginate_queryset(self, queryset, page_size):
        page = keyset_page(
            self.request,
            queryset,
            per_page=page_size,
            field=self.keyset_field,
            tie=self.keyset_tie,
        )
        return (None, page, page.object_list, page.has_other_pages())
