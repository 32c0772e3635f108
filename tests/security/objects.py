"""Objects of every record type placed in a chosen unit, for the permission matrix and the leak scan.

``place(rt, unit)`` copies an ordinary (non-confidential) demo record of the type into ``unit``: its parents
(meeting, inspection, channel …) are placed there too and its people and Party organisations are taken from
inside the unit where it has any, so a user whose scope is that unit can read and write the copy like any
record of their own.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools

from django.db import models
from django.db.models.base import ModelState

from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.records import registry
from lvzhi.records.registry import RecordType

_serial = itertools.count(1)


def _in_unit(model, unit: Unit, field: str = "unit"):
    return model.objects.filter(unit.subtree_q(f"{field}__"))


def source(rt: RecordType):
    """An ordinary record of the type to copy (never a confidential one)."""
    qs = rt.model._default_manager.all()
    if rt.confidential_rows is not None:
        qs = qs.exclude(rt.confidential_rows())
    obj = qs.order_by("pk").first()
    if obj is None:  # every row of the type is confidential (问责): copy one, its confidentiality is kept
        obj = rt.model._default_manager.order_by("pk").first()
    assert obj is not None, f"演示数据中没有{rt.verbose_name}"
    return obj


def _person(unit: Unit, nullable: bool):
    p = _in_unit(Person, unit).order_by("code").first()
    if p is None and not nullable:
        p = Person.objects.order_by("code").first()
    return p


def _org(unit: Unit, nullable: bool, kind: str | None = None):
    """An organisation of the unit; ``kind``: of that kind (党小组成员 names a 党小组), made under the unit's first
    organisation when it has none."""
    if kind:
        o = _in_unit(PartyOrg, unit).filter(kind=kind).order_by("code").first()
        parent = _org(unit, False)
        return o or PartyOrg.objects.create(code=f"{parent.code}-M{kind}", name=f"{parent.name}矩阵{kind}",
                                            kind=kind, unit=parent.unit, parent=parent)
    o = _in_unit(PartyOrg, unit).order_by("code").first()
    if o is None and not nullable:
        o = PartyOrg.objects.order_by("code").first()
    return o


def place(rt: RecordType, unit: Unit, cache: dict | None = None):
    """A record of ``rt`` in ``unit`` (created in the test's transaction; parents are shared through ``cache``)."""
    cache = {} if cache is None else cache
    if (rt.key, unit.pk) in cache:
        return cache[(rt.key, unit.pk)]
    if rt.key == "unit":
        obj = unit
    elif rt.key == "person":
        obj = _in_unit(Person, unit).order_by("code").first() or _copy(rt, unit, cache)
    elif rt.key == "party_org":
        obj = _in_unit(PartyOrg, unit).order_by("code").first() or _copy(rt, unit, cache)
    else:
        obj = _copy(rt, unit, cache)
    cache[(rt.key, unit.pk)] = obj
    return obj


def _copy(rt: RecordType, unit: Unit, cache: dict):
    src = source(rt)
    obj = copy.copy(src)
    obj.pk = None
    obj._state = ModelState()
    n = next(_serial)
    for f in rt.model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.is_relation:
            if f.name == "created_by":
                continue
            target = f.related_model
            if f.null and getattr(src, f.attname) is None:
                continue  # an empty reference stays empty (a finding without a named person stays public)
            if target is Unit:
                setattr(obj, f.name, unit)
            elif target is Person:
                setattr(obj, f.name, _person(unit, f.null))
            elif target is PartyOrg:
                kind = (f.remote_field.limit_choices_to or {}).get("kind")
                setattr(obj, f.name, _org(unit, f.null, kind) if not (f.null and f.name == "parent") else None)
            else:
                parent_rt = registry.for_model(target)
                setattr(obj, f.name, place(parent_rt, unit, cache))
        elif isinstance(f, models.CharField) and not f.choices and (
                f.unique or _keyed(rt.model, f.name) or f.name in _looked_up_by(rt.model)):
            # A copy's code or number is its own, so a reference to it ("2021-01") names it and not the original.
            setattr(obj, f.name, f"{getattr(src, f.name)}-M{n}"[-(f.max_length or 50):])
    _avoid_duplicates(rt.model, obj, n)
    if hasattr(obj, "version"):
        obj.version = 1
    obj.save()
    if hasattr(obj, "unit_id") and obj.unit_id != unit.pk:
        rt.model._default_manager.filter(pk=obj.pk).update(unit=unit)
        obj.unit_id = unit.pk
    return obj


def _looked_up_by(model) -> set[str]:
    """Fields by which other record types name a record of ``model`` (a media post's channel by its name)."""
    rt = registry.for_model(model)
    return {name for name, related in rt.ref_parts if related is None} if rt is not None else set()


def _keyed(model, name: str) -> bool:
    return any(isinstance(c, models.UniqueConstraint) and name in c.fields for c in model._meta.constraints)


def _avoid_duplicates(model, obj, n: int) -> None:
    """Change a free part of each unique constraint (a number, a code, a date) until the copy is unique."""
    for c in model._meta.constraints:
        if not isinstance(c, models.UniqueConstraint):
            continue
        for step in range(1, 400):
            values = {model._meta.get_field(f).attname: getattr(obj, model._meta.get_field(f).attname) for f in c.fields}
            if not model._default_manager.filter(**values).exists():
                break
            free = [model._meta.get_field(f) for f in c.fields if not model._meta.get_field(f).is_relation
                    and not model._meta.get_field(f).choices]
            f = free[-1]
            value = getattr(obj, f.name)
            if isinstance(f, models.DateField):
                setattr(obj, f.name, value - dt.timedelta(days=1))
            elif isinstance(f, models.CharField):
                setattr(obj, f.name, f"{value}-{n}-{step}"[-(f.max_length or 50):])
            elif f.name == "year":
                setattr(obj, f.name, value - 1)
            else:
                setattr(obj, f.name, value + 1000)
