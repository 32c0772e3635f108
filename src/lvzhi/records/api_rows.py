"""The record list API's rows read as values, not model objects: the same JSON as the generated serializer.

A page of 50 rows through DRF built ~1,700 model objects (each row, its units and ~20 attendees per meeting
prefetched whole for their ids) and serialised them field by field: ~20 ms of CPU on the province, most of the
list request. Here each row is one ``values()`` dict, each many-to-many list one query of the link table's id
pairs, and each value goes through the serializer field's own ``to_representation`` (skipped where it would
return the value unchanged: an int for an integer field, a str for a text one). A serializer this module cannot
reproduce exactly (a virtual column, a field class it does not know) keeps DRF's path: ``plan_for`` is None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers

# Field classes whose to_representation returns a value of this exact type unchanged (int(v), str(v), bool).
_UNCHANGED: dict[type, type] = {
    drf_fields.IntegerField: int,
    drf_fields.CharField: str,
    drf_fields.SlugField: str,
    drf_fields.BooleanField: bool,
}
# Field classes whose to_representation depends only on the value (dates, decimals, choices): called as is.
_BY_VALUE = (drf_fields.DateField, drf_fields.DateTimeField, drf_fields.DecimalField, drf_fields.ChoiceField,
             drf_fields.BigIntegerField, *_UNCHANGED)  # type: ignore[attr-defined]  # (not in the stubs)


@dataclass(frozen=True)
class _M2M:
    through: type[models.Model]
    source: str  # the link table's column naming the row (…_id)
    target: str  # … and the one naming the related object
    ordering: tuple[str, ...]  # the related model's default ordering, through the link (as a prefetch reads it)


@dataclass(frozen=True)
class Plan:
    columns: tuple[str, ...]  # what values() reads
    scalars: tuple[tuple[str, str, Callable[[Any], Any] | None, type | None], ...]  # name, column, convert, unchanged
    m2m: dict[str, _M2M]
    order: tuple[str, ...]  # the output's keys in the serializer's order
    pk: str  # the model's primary key column


_plans: dict[type, Plan | None] = {}


def plan_for(serializer_class: type[serializers.ModelSerializer]) -> Plan | None:
    """How to produce the serializer's output from values (built once per class); None if it cannot be exact."""
    if serializer_class not in _plans:
        _plans[serializer_class] = _build(serializer_class)
    return _plans[serializer_class]


def _build(serializer_class: type[serializers.ModelSerializer]) -> Plan | None:
    model: Any = serializer_class.Meta.model
    serializer = serializer_class(context={})
    columns: list[str] = []
    scalars: list[tuple[str, str, Callable[[Any], Any] | None, type | None]] = []
    m2m: dict[str, _M2M] = {}
    order: list[str] = []
    for field in serializer._readable_fields:
        name = str(field.field_name)
        order.append(name)
        if len(field.source_attrs) != 1:
            return None
        source = field.source_attrs[0]
        try:
            model_field = model._meta.get_field(source)
        except Exception:
            model_field = None  # an annotation (the list state) or nothing
        if isinstance(field, relations.ManyRelatedField):
            link = _m2m(model_field, field.child_relation)
            if link is None:
                return None
            m2m[name] = link
            continue
        if isinstance(field, relations.PrimaryKeyRelatedField):
            # its output is the related object's pk: the foreign key column, when the key points at that pk
            if (type(field) is not relations.PrimaryKeyRelatedField or field.pk_field is not None
                    or model_field is None or not model_field.many_to_one
                    or model_field.target_field is not model_field.related_model._meta.pk):
                return None
            columns.append(source)
            scalars.append((name, source, None, None))
            continue
        if type(field) not in _BY_VALUE:
            return None
        if model_field is not None and (model_field.is_relation or not model_field.concrete):
            return None
        columns.append(source)
        unchanged = _UNCHANGED.get(type(field))
        scalars.append((name, source, field.to_representation, unchanged))
    if m2m:
        columns.append(model._meta.pk.name)  # the key of each row's lists
    return Plan(tuple(dict.fromkeys(columns)), tuple(scalars), m2m, tuple(order), model._meta.pk.name)


def _m2m(model_field, child) -> _M2M | None:
    if (model_field is None or not model_field.many_to_many or not model_field.concrete
            or type(child) is not relations.PrimaryKeyRelatedField or child.pk_field is not None):
        return None
    target = model_field.related_model
    manager = target._default_manager
    # A manager that narrows its rows, or no ordering (a prefetch's order would be the database's): DRF's path.
    if type(manager).get_queryset is not models.Manager.get_queryset or not target._meta.ordering:
        return None
    if not all(isinstance(o, str) and o.lstrip("-") != "?" for o in target._meta.ordering):
        return None
    through = model_field.remote_field.through
    source, reverse = model_field.m2m_field_name(), model_field.m2m_reverse_field_name()
    ordering = tuple(f"-{reverse}__{o[1:]}" if o.startswith("-") else f"{reverse}__{o}" for o in target._meta.ordering)
    return _M2M(through, f"{source}_id", f"{reverse}_id", ordering)


def rows(plan: Plan, values: list[dict]) -> list[dict]:
    """The serializer's output for rows read with ``values(*plan.columns)`` (in the page's order)."""
    lists: dict[str, dict[Any, list]] = {}
    if plan.m2m and values:
        ids = [v[plan.pk] for v in values]
        for name, link in plan.m2m.items():
            found: dict[Any, list] = {}
            pairs = (link.through._default_manager.filter(**{f"{link.source}__in": ids})
                     .order_by(*link.ordering).values_list(link.source, link.target))
            for source, target in pairs:
                found.setdefault(source, []).append(target)
            lists[name] = found
    out = []
    for v in values:
        row: dict[str, Any] = {}
        for name, column, convert, unchanged in plan.scalars:
            value = v[column]
            if value is None or convert is None or type(value) is unchanged:
                row[name] = value
            else:
                row[name] = convert(value)
        for name in lists:
            row[name] = lists[name].get(v[plan.pk], [])
        out.append(row if not lists else {k: row[k] for k in plan.order})
    return out
