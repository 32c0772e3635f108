"""Scoped reads of any registered record type."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from lvzhi.org.scoping import Scope

from . import registry
from .registry import Column, RecordType


def visible(rt: RecordType, scope: Scope) -> QuerySet:
    """Rows the user may read: inside their units, and confidential rows only where they may see them."""
    return restrict(rt, scope, rt.model._default_manager.all())


def restrict(rt: RecordType, scope: Scope, qs: QuerySet) -> QuerySet:
    """``qs`` (of the type's model) narrowed to the rows ``visible`` allows: the same conditions added in place,
    so the database scans the rows once (a ``pk__in`` semi-join over a 100,000-row set cost 0.1 s)."""
    qs = scope.filter(qs, rt.unit_field)
    if rt.confidential_rows is not None and scope.confidential_paths != ("",):
        hidden = rt.confidential_rows()
        if scope.confidential_paths:
            hidden &= ~scope.confidential_q(rt.unit_field)
        qs = qs.exclude(hidden)
    return qs


def hidden_count(rt: RecordType, scope: Scope, *, unit=None, subtree: bool = True, start=None, end=None,
                 kind: str | None = None, where: Q | None = None) -> int:
    """How many confidential rows in the user's units (and the list's unit, period and kind) they may not open.

    There is no search argument on purpose: counting hidden rows that match a name or a word would tell
    the user what the rows say.
    """
    if rt.confidential_rows is None or scope.confidential_paths == ("",):
        return 0
    qs = scope.filter(rt.model._default_manager.filter(rt.confidential_rows()), rt.unit_field)
    if scope.confidential_paths:
        qs = qs.exclude(scope.confidential_q(rt.unit_field))
    qs = _narrow(rt, qs, unit=unit, subtree=subtree, start=start, end=end, kind=kind)
    return (qs.filter(where) if where is not None else qs).count()


def hidden_note(rt: RecordType, scope: Scope, *, unit=None, subtree: bool = True, start=None, end=None,
                kind: str | None = None) -> dict | None:
    """What a list says about the confidential rows it leaves out: None when the type has none or the user sees
    them all; else {"count": n, "until": …} when the count may be given (``disclosure``), or {"count": None,
    "reason": …} — 【保密】 — when it would point at people."""
    from .disclosure import confidential_count

    if rt.confidential_rows is None or scope.confidential_paths == ("",):
        return None
    if unit is not None and scope.sees_confidential(unit):
        return None
    verdict = confidential_count(scope, unit, start=start, end=end, kind=kind, rt=rt)
    if not verdict.allowed or not subtree:
        return {"count": None, "reason": verdict.reason or "单个单位（不含下级）的保密记录数不提供"}
    n = hidden_count(rt, scope, unit=unit, start=start, end=verdict.until or end, kind=kind)
    return {"count": n, "until": verdict.until_label}


def readable(scope: Scope, model: type[models.Model]) -> QuerySet:
    """Scoped queryset of any model that has a record type (Unit, Person, other records)."""
    rt = registry.for_model(model)
    if rt is None:
        return model._default_manager.all() if scope.is_admin else model._default_manager.none()
    return visible(rt, scope)


def period_q(rt: RecordType, start: dt.date | None = None, end: dt.date | None = None) -> Q:
    """Records dated within [start, end] (inclusive)."""
    q = Q()
    if rt.date_field is None:
        return q
    if start:
        q &= Q(**{f"{rt.date_field}__gte": start})
    if end:
        q &= Q(**{f"{rt.date_field}__lte": end})
    return q


def _narrow(rt: RecordType, qs: QuerySet, *, unit=None, subtree: bool = True, start=None, end=None,
            kind: str | None = None) -> QuerySet:
    if unit is not None:
        if rt.unit_field:
            prefix = f"{rt.unit_field}__"
            qs = qs.filter(unit.subtree_q(prefix)) if subtree else qs.filter(**{rt.unit_field: unit})
        else:
            qs = qs.filter(unit.subtree_q()) if subtree else qs.filter(pk=unit.pk)
    qs = qs.filter(period_q(rt, start, end))
    if kind and rt.kind_field:
        qs = qs.filter(**{rt.kind_field: kind})
    return qs


TEXT_LOOKUPS = {"exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"}


def search_q(rt: RecordType, text: str) -> Q:
    """A substring match on each search field ("title", "finding__description"); a field that ends in a lookup
    ("pinyin__istartswith") is used as given."""
    q = Q()
    for f in rt.search_fields:
        q |= Q(**{f if f.rsplit("__", 1)[-1] in TEXT_LOOKUPS else f"{f}__icontains": text.strip()})
    return q


def filter_records(rt: RecordType, scope: Scope, *, unit=None, subtree: bool = True, start=None, end=None,
                   kind: str | None = None, search: str | None = None) -> QuerySet:
    qs = _narrow(rt, visible(rt, scope), unit=unit, subtree=subtree, start=start, end=end, kind=kind)
    if search:
        qs = qs.filter(search_q(rt, search))
    return ordered(rt, qs)


def ordered(rt: RecordType, qs: QuerySet, today: dt.date | None = None) -> QuerySet:
    """The type's ordering; with a list state (e.g. 逾期 first), rows are annotated and ranked by it first."""
    if rt.list_state is None:
        return qs.order_by(*rt.ordering)
    return rt.list_state.annotate(qs, today or timezone.localdate()).order_by("row_rank", *rt.ordering)


def with_related(rt: RecordType, qs: QuerySet, fields: tuple[str, ...] | None = None) -> QuerySet:
    """Fetch the units, people and parent records a row shows in the same query (lists, exports); ``fields``: only
    those columns' (a list page shows five: a 支部活动's lecturer, a whole person, is not read for it)."""
    related = []
    for c in rt.columns:
        if fields is not None and c.field not in fields:
            continue
        if rt.is_virtual(c) or not rt.model_field(c.field).many_to_one:
            continue
        related.append(c.field)
        target = registry.for_model(rt.model_field(c.field).related_model)
        if target is not None:  # a reference written as DW-JH01/2022-05 reads the parent's code too
            related += [f"{c.field}__{name}" for name, rel in target.ref_parts if rel is not None]
    return qs.select_related(*related) if related else qs


def child_types(rt: RecordType) -> list[tuple[RecordType, Column]]:
    """(type, column) of every record type whose column points at a record of ``rt`` (finding → inspection …)."""
    from .cells import kind_of

    return [(child, c) for child in registry.all_types() for c in child.columns
            if not child.is_virtual(c) and kind_of(child, c) == "record"
            and child.model_field(c.field).related_model is rt.model]


def children(rt: RecordType, obj, scope: Scope, limit: int = 20) -> list[dict]:
    """The records below ``obj`` that the user may read, per child type, with how many are hidden from them."""
    out = []
    for child, column in child_types(rt):
        where = Q(**{column.field: obj})
        qs = with_related(child, ordered(child, visible(child, scope).filter(where)))
        # One parent record is one event: how many confidential rows it has would point at the people in it, so
        # the page only says that there may be some (for types that can have them), never how many.
        out.append({"rt": child, "column": column, "rows": list(qs[:limit]), "count": qs.count(),
                    "hidden": child.confidential_rows is not None and not _sees_all(child, scope, obj)})
    return out


def _sees_all(rt: RecordType, scope: Scope, parent) -> bool:
    if scope.confidential_paths == ("",):
        return True
    parent_type = registry.for_model(type(parent))
    unit = parent_type.unit_of(parent) if parent_type is not None else None
    return unit is not None and scope.sees_confidential(unit)


def attachments_of(obj):
    from django.contrib.contenttypes.models import ContentType

    from .models import Attachment

    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).order_by("pk")
