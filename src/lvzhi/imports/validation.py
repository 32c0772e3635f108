"""Checking an import's rows before anything is written: each row built as an unsaved record, its scope checked,
its fields and the record's own rules validated (``clean_fields()`` less what parsing has checked already)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.expressions import DatabaseDefault

from lvzhi.records import bulk, cells
from lvzhi.records.services import fill_derived

from .parsing import column_of
from .plan import BATCH, KEEP_BUILT, Plan, Row


def build(rt, values, existing=None):
    """An unsaved object with ``values`` (a copy of ``existing`` with them applied, for updates)."""
    m2m = {k: values[k] for k in rt.m2m_fields if k in values}
    not_plain = _not_plain(rt)
    plain = {k: v for k, v in values.items() if k not in not_plain}
    if existing is None:
        obj = _new(rt.model, plain)
    else:
        obj = copy.copy(existing)  # Django copies the instance state too; the stored record stays as it was
        for k, v in plain.items():
            setattr(obj, k, v)
    fill_derived(obj)
    return obj, m2m


def _not_plain(rt) -> frozenset:
    """The fields of ``rt``'s columns that are not set on the object: many-to-many ones and virtual columns."""
    names = rt.__dict__.get("_not_plain")
    if names is None:  # asked for every row: once per record type
        names = rt.__dict__["_not_plain"] = frozenset(
            [*rt.m2m_fields, *(c.field for c in rt.columns if rt.is_virtual(c))])
    return names


class _Spec:
    """How ``_new`` fills a model's concrete fields, worked out once per model: each field's position by name and
    attname, the defaults every object shares (a constant, None, "") and the fields whose default is made per object
    (a callable such as ``dict`` or ``timezone.now``, a database default)."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        self.position: dict[str, int] = {}
        self.relation: list[bool] = []
        self.template: list = []
        self.made: list[tuple[int, Callable[[], object]]] = []
        self.attname_of: dict[str, str] = {}  # attname (≠ name) → name: the name wins when a row gives both
        for i, f in enumerate(fields):
            self.position[f.name] = i
            if f.attname != f.name:
                self.position[f.attname] = i
                self.attname_of[f.attname] = f.name
            self.relation.append(f.is_relation)
            per_object = (f.has_default() and callable(f.default)) or f.has_db_default()
            self.template.append(None if per_object else f.get_default())
            if per_object:
                self.made.append((i, f.get_default))


_FIELDS: dict = {}


def _new(model, values: dict):
    """``model(**values)`` for an import's row, through Model.__init__'s positional path (every concrete field's
    value in order, as ``from_db`` does): the keyword path costs several descriptor calls per field and row. A
    related object given by a cell is stored as its id with the object cached, as its descriptor would. The values
    are placed by position into a copy of the model's shared defaults: a default call per field and row was half of
    this function's time (a study record has 20 fields, a row gives a dozen)."""
    spec = _FIELDS.get(model)
    if spec is None:
        spec = _FIELDS[model] = _Spec(model)
    args = spec.template.copy()
    for i, default in spec.made:
        args[i] = default()
    related, extra = [], []
    position, relation, attname_of = spec.position, spec.relation, spec.attname_of
    for k, value in values.items():
        i = position.get(k)
        if i is None:
            extra.append(k)
            continue
        if k in attname_of:
            if attname_of[k] in values:
                continue  # the name's value is used, as Model.__init__ would
        elif relation[i] and isinstance(value, Model):
            related.append((k, value))
            value = value.pk
        args[i] = value
    attnames = bulk.plain_attnames(model)
    if attnames:
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.__dict__.update(zip(attnames, args, strict=True))
    else:
        obj = model(*args)
    for name, value in related:
        obj._state.fields_cache[name] = value
    for k in extra:  # anything else (a property's setter), as Model.__init__ sets it
        setattr(obj, k, values[k])
    return obj




def _validate(plan: Plan, rows: list[Row], scope, result) -> None:
    rt = plan.rt
    if rt.create_func is not None and all(r.existing is None for r in rows):
        return  # custom creation validates and checks scope itself, row by row, at write time
    # a set: clean_fields() asks it once per field and row
    relation_fields = {f.name for f in rt.model._meta.concrete_fields if f.is_relation} | set(_checked_by_parsing(plan))
    # New rows written in bulk keep the object validated here: building it again cost a tenth of the import. Only
    # for sheets up to KEEP_BUILT rows (~1–2 KB an object): a province's attendance sheet (250,000 rows) would hold
    # hundreds of MB; its objects are built again, batch by batch, when written.
    keep = rt.create_func is None and len(rows) <= KEEP_BUILT and not any(r.deferred for r in plan.rows)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        built = [(r, build(rt, r.values, r.existing)) for r in chunk]
        # the records rows update are checked where they are now too: their units in the same bulk read
        _attach_units(rt, [obj for _, (obj, _m2m) in built] + [r.existing for r in chunk if r.existing is not None])
        for row, pair in built:
            _validate_one(rt, row, pair[0], scope, result, relation_fields)
            if keep and row.existing is None:
                row.built = pair


PARSED_KINDS = ("text", "date", "datetime", "bool", "choice")  # parse_cell checks these fully (length, choices …)


def _checked_by_parsing(plan: Plan) -> list[str]:
    """The sheet's fields that ``clean_fields()`` would only check again: parse_cell has typed them and checked
    their length or choice, and an empty cell is refused (required), allowed (blank) or given the field's default
    (a choice such as 学位 “无”, a yes/no) there — a default ``clean()`` accepts — as in the model.
    Fields with validators of their own, numbers (range, digits) and fields left to defaults are still checked."""
    rt = plan.rt
    out = []
    for c in plan.columns:
        if rt.is_virtual(c) or cells.kind_of(rt, c) not in PARSED_KINDS:
            continue
        f = rt.model_field(c.field)
        if f.many_to_many or f._validators or not (f.blank or rt.is_required(c) or _valid_default(f)):
            continue
        out.append(f.name)
    return out


def _valid_default(f) -> bool:
    """Whether the field has a fixed default that its own clean() accepts (what an empty cell is given)."""
    if not f.has_default() or callable(f.default):
        return False
    try:
        f.clean(f.get_default(), None)
    except ValidationError:
        return False
    return True


def _validate_one(rt, row, obj, scope, result, relation_fields) -> None:
    from lvzhi.records.services import check_write

    try:
        if row.existing is not None:
            check_write(rt, scope, row.existing)
        check_write(rt, scope, obj)
    except PermissionDenied as exc:
        unit_header = rt.header(column_of(rt, rt.unit_field)) if rt.unit_field and any(
            c.field == rt.unit_field for c in rt.columns) else ""
        result.add(row.number, unit_header, str(exc))
        return
    if rt.create_func is not None and row.existing is None:
        return
    try:
        _clean_fields(obj, relation_fields)
        obj.clean()
    except ValidationError as exc:
        for field_name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
            header = next((rt.header(c) for c in rt.columns if c.field == field_name), "")
            for m in messages:
                result.add(row.number, header, m)


_CHECKED: dict = {}  # (model, id of its exclusions) → (the exclusions, the fields clean_fields() checks)
_CLEANED: dict = {}  # (field, type, value) → the value the field's clean() gave for it
CLEANED_VALUES = 5_000  # values remembered (the repeated ones are few), then forgotten
# values whose equal ones are alike (not decimals: 1.0 = 1.00, whose places a field may refuse; not floats, times
# or datetimes: -0.0 = 0.0, the same instant in two zones)
_MEMO_TYPES = frozenset([str, int, bool, dt.date])


def _clean_fields(obj, exclude) -> None:
    """``obj.clean_fields(exclude=exclude)``, with each field's clean() of a value asked once: a field's clean()
    depends on the value only (relations, the one kind that reads the database, are excluded), and an import's
    rows repeat the same few values — a version, a count, the defaults of the columns a sheet leaves out. Twice a
    row, clean() was a twentieth of an import's time. A value that fails is checked again on every row."""
    model = type(obj)
    key = (model, id(exclude))
    checked = _CHECKED.get(key)
    if checked is None or checked[0] is not exclude:
        if len(_CHECKED) > 1000:  # one per sheet chunk checked (the set of exclusions is made per chunk)
            _CHECKED.clear()
        checked = _CHECKED[key] = (exclude, [f for f in model._meta.fields if f.name not in exclude and not f.generated])
    errors = {}
    values = obj.__dict__
    for f in checked[1]:
        raw = values[f.attname] if f.attname in values else getattr(obj, f.attname)
        if f.blank and raw in f.empty_values:
            continue
        if isinstance(raw, DatabaseDefault):
            continue
        memo = (f, type(raw), raw) if type(raw) in _MEMO_TYPES else None
        if memo is not None:
            cleaned = _CLEANED.get(memo, _CLEANED)
            if cleaned is not _CLEANED:
                setattr(obj, f.attname, cleaned)
                continue
        try:
            cleaned = f.clean(raw, obj)
        except ValidationError as e:
            errors[f.name] = e.error_list
            continue
        setattr(obj, f.attname, cleaned)
        if memo is not None:
            if len(_CLEANED) >= CLEANED_VALUES:
                _CLEANED.clear()
            _CLEANED[memo] = cleaned
    if errors:
        raise ValidationError(errors)


def _attach_units(rt, objs) -> None:
    """Give each record its unit object from one bulk read: the scope check reads ``record.unit``, which would
    otherwise cost one query per row (a derived unit is only known as ``unit_id`` after fill_derived)."""
    from lvzhi.org.models import Unit

    if rt.unit_field != "unit":
        return
    ids = {o.unit_id for o in objs if o.unit_id is not None and not rt.model.unit.is_cached(o)}
    units = Unit.objects.in_bulk(ids) if ids else {}
    for o in objs:
        if o.unit_id in units and not rt.model.unit.is_cached(o):
            o.unit = units[o.unit_id]
