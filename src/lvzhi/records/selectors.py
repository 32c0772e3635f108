"""Scoped reads of any registered record type."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q, QuerySet

from lvzhi.org.scoping import Scope

from . import registry
from .registry import RecordType


def visible(rt: RecordType, scope: Scope) -> QuerySet:
    """Rows the user may read: inside their units, and confidential rows only where they may see them."""
    qs = scope.filter(rt.model._default_manager.all(), rt.unit_field)
    if rt.confidential_rows is not None and scope.confidential_paths != ("",):
        hidden = rt.confidential_rows()
        if scope.confidential_paths:
            hidden &= ~scope.confidential_q(rt.unit_field)
        qs = qs.exclude(hidden)
    return qs


def hidden_count(rt: RecordType, scope: Scope, qs_filter: Q | None = None) -> int:
    """How many confidential rows in the user's units they may not open (they see the count only)."""
    if rt.confidential_rows is None or scope.confidential_paths == ("",):
        return 0
    qs = scope.filter(rt.model._default_manager.filter(rt.confidential_rows()), rt.unit_field)
    if scope.confidential_paths:
        qs = qs.exclude(scope.confidential_q(rt.unit_field))
    if qs_filter is not None:
        qs = qs.filter(qs_filter)
    return qs.count()


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


def filter_records(rt: RecordType, scope: Scope, *, unit=None, subtree: bool = True, start=None, end=None,
                   kind: str | None = None, search: str | None = None) -> QuerySet:
    qs = visible(rt, scope)
    if unit is not None:
        if rt.unit_field:
            prefix = f"{rt.unit_field}__"
            qs = qs.filter(unit.subtree_q(prefix)) if subtree else qs.filter(**{rt.unit_field: unit})
        else:
            qs = qs.filter(unit.subtree_q()) if subtree else qs.filter(pk=unit.pk)
    qs = qs.filter(period_q(rt, start, end))
    if kind and rt.kind_field:
        qs = qs.filter(**{rt.kind_field: kind})
    if search:
        q = Q()
        for f in rt.search_fields:
            # "name" means a substring match; a field with an explicit lookup ("pinyin__istartswith") is used as given.
            q |= Q(**{f if "__" in f else f"{f}__icontains": search.strip()})
        qs = qs.filter(q)
    return qs.order_by(*rt.ordering)


def attachments_of(obj):
    from django.contrib.contenttypes.models import ContentType

    from .models import Attachment

    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).order_by("pk")
