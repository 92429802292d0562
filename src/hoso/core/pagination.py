"""Pagination that stays fast at millions of rows: counts capped at 10,000 and
pages fetched by id first.

An exact `COUNT(*)` over a wide scope (a province secretary sees 600,000
documents) costs more than everything else on a list page together, and
nobody pages through 10,000 rows: the lists count up to `COUNT_CAP` and
then say "more than 10,000". `OFFSET` over the full rows of a narrow scope
reads every skipped row from the heap; skipping over ids alone is an
index-only scan, and only the rows of the page are then fetched.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): the exact count up to `cap` (`COUNT_CAP` by default),
    else `cap + 1` and True.

    Counts the primary keys of at most `cap + 1` rows, without ordering or
    annotations, so the database stops early.
    """
    cap = COUNT_CAP if cap is None else cap
    count = queryset.order_by().values("pk")[: cap + 1].count()
    return count, count > cap


def with_tiebreak(queryset: QuerySet) -> QuerySet:
    """The queryset ordered by its own ordering, then by primary key.

    Without a unique last sort key, rows that tie (same status, same date)
    may come back in a different order for each page, so a row can show up
    on two pages and another on none.
    """
    query = queryset.query
    ordering = list(query.order_by)
    if not ordering and query.default_ordering:
        ordering = list(queryset.model._meta.ordering)
    if not ordering or not all(isinstance(key, str) for key in ordering):
        return queryset
    pk_names = {"pk", "-pk", queryset.model._meta.pk.attname}
    if any(key.lstrip("-") in pk_names for key in ordering):
        return queryset
    last = "-pk" if ordering[-1].startswith("-") else "pk"
    return queryset.order_by(*ordering, last)


def page_ids(queryset: QuerySet, offset: int, size: int) -> list:
    """The primary keys of one page, in the queryset's order (ties broken by
    primary key)."""
    ordered = with_tiebreak(queryset)
    return list(ordered.values_list("pk", flat=True)[offset : offset + size])


def rows_by_ids(queryset: QuerySet, ids: list) -> list:
    """The rows of `queryset` with these ids, in the order of `ids`.

    The rows keep the queryset's select_related, only() and annotations, and
    may be model instances or dicts (from `.values()`). The second query
    repeats the queryset's filters, so a row that left the scope between the
    two queries is dropped rather than shown.
    """
    if not ids:
        return []
    rows = queryset.filter(pk__in=ids).order_by()
    if issubclass(queryset._iterable_class, ModelIterable):
        found = {row.pk: row for row in rows}
    elif queryset._iterable_class is ValuesIterable:  # values(): dicts
        attname = queryset.model._meta.pk.attname
        found = {row[attname]: row for row in rows}
    else:
        raise TypeError("rows_by_ids() takes model instances or values() dicts.")
    return [found[pk] for pk in ids if pk in found]


class CappedPaginator(Paginator):
    """A Django paginator whose count stops at `COUNT_CAP + 1`.

    `count_capped` says whether there are more rows than `COUNT_CAP`;
    `num_pages` then covers the first 10,001 rows. Pages are fetched id
    first (`page_ids`, then `rows_by_ids`) when given a queryset.
    """

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @cached_property
    def queryset(self) -> QuerySet | None:
        """The queryset behind `object_list`: itself, or the ordered queryset
        inside django-tables2's rows (`BoundRows.data.data`)."""
        data = self.object_list
        if isinstance(data, QuerySet):
            return data
        inner = getattr(getattr(data, "data", None), "data", None)
        return inner if isinstance(inner, QuerySet) else None

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        if self.queryset is not None:
            return capped_count(self.queryset, self.cap)
        count = len(self.object_list)
        return min(count, self.cap + 1), count > self.cap

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def count_capped(self) -> bool:
        return self._capped[1]

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.queryset is None:
            return self._get_page(self.object_list[bottom:top], number, self)
        ids = page_ids(self.queryset, bottom, top - bottom)
        rows = rows_by_ids(self.queryset, ids)
        if self.queryset is not self.object_list:
            # django-tables2 renders BoundRows: wrap the page's records again.
            from django_tables2.rows import BoundRows

            rows = BoundRows(rows, table=self.object_list.table)
        return self._get_page(rows, number, self)
