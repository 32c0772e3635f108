"""List totals reused like any result (``datacache``): a list page's total over a province is a scan of 300,000
rows (27 ms), its page of 50 rows an index read. Keyed by the query's conditions, fresh while the tables the count
read are unchanged."""

from __future__ import annotations

from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import Count
from django.utils.functional import cached_property
from rest_framework import pagination

from lvzhi.web import pieces
from lvzhi.web.datacache import cached


def count(queryset, within: tuple | None = None) -> int:
    """``queryset.count()`` reused like any result: a list page's total over a province is a scan of 300,000 rows
    (27 ms), its page of 50 rows an index read. The key is the query's SQL, which holds the reader's scope.
    ``within``: (unit, the rows' unit field) when the rows are those of the unit's subtree — the total is then
    counted per piece of the subtree (``web.pieces``), so a write recounts its own company's rows only."""
    try:
        sql = str(_count_key_query(queryset).query)
    except Exception:  # a query Django cannot print (e.g. one that can match nothing) is just counted
        return queryset.count()
    label = queryset.model._meta.label
    query = queryset.query
    if within is None or not within[0].numchild or query.distinct or query.combinator or query.is_sliced:
        return cached("count", (label, sql), queryset.count)
    unit, field = within

    def by_piece() -> int:
        def grouped(paths: list[str], whole: bool) -> dict[str, int]:
            out = dict.fromkeys(paths, 0)
            for path, n in (pieces.narrowed(queryset, field, unit, paths, whole).order_by().values(f"{field}__path")
                            .annotate(n=Count("pk")).values_list(f"{field}__path", "n")):
                out[pieces.piece_of(unit, path)] += n
            return out

        counts = pieces.per_piece("count.piece", (label, sql), unit, grouped)
        return sum(counts) if counts is not None else queryset.count()

    return cached("count", (label, sql, "by piece"), by_piece)


def _count_key_query(queryset):
    """The query whose SQL keys a count: the rows' conditions alone — without the select list and ordering, whose
    compilation (every column, the list state's CASE) cost more than the reused count saved. The same rows, so the
    same count; a distinct, sliced, grouped or combined query is keyed as it is."""
    query = queryset.query
    if query.distinct or query.combinator or query.is_sliced or query.group_by is not None:
        return queryset
    return queryset.values("pk").order_by()


class Paginator(DjangoPaginator):
    """Django's paginator with the total from ``count()`` above (``within``: see there), or ``total`` if given."""

    def __init__(self, object_list, per_page, *args, within: tuple | None = None, total: int | None = None,
                 **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.within = within
        if total is not None:  # counted by the caller with other figures of the same rows (records.backfill)
            self.count = total

    @cached_property
    def count(self) -> int:
        return count(self.object_list, self.within) if hasattr(self.object_list, "query") else len(self.object_list)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """The API's pagination (REST_FRAMEWORK's default) with the total from ``count()`` above."""

    def get_count(self, queryset) -> int:
        return count(queryset) if hasattr(queryset, "query") else len(queryset)
