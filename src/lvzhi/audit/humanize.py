"""The audit trail in people's words: field names as their Chinese labels, references as names (党组织：一车间党支部,
not 29), choices as their labels (支部委员会, not committee_meeting), people lists as names, yes/no as 是/否, and
the object as its record type and title with a link (支部活动 · …, not partybuilding.branchactivity#6207).
Referenced objects are fetched in one query per model for a whole page of entries."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, reverse

HIDDEN = {"id", "version", "updated_at", "created_at", "created_by_id", "path", "depth", "numchild", "pinyin",
          "pinyin_initials"}
EMPTY = "—"


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:  # noqa: BLE001 — a field removed since the entry was written
        for f in model._meta.concrete_fields:
            if f.attname == key:
                return f
    return None


def model_label(label: str) -> str:
    """'partybuilding.branchactivity' → '支部活动'."""
    model = _model(label)
    return str(model._meta.verbose_name) if model is not None else label


def record_url(label: str, object_id: str) -> str:
    from lvzhi.records import registry

    model = _model(label)
    rt = registry.for_model(model) if model is not None else None
    if rt is None or not str(object_id).isdigit():
        return ""
    try:
        return reverse("records:detail", args=[rt.key, int(object_id)])
    except NoReverseMatch:
        return ""


def _wanted_refs(entries) -> dict:
    """{related model: set of pks} referenced by the entries' before/after values."""
    wanted: dict = {}
    for e in entries:
        model = _model(e.model)
        for values in (e.before or {}, e.after or {}):
            for key, value in values.items():
                f = _field(model, key)
                if f is None or not f.is_relation or value in (None, "", []):
                    continue
                ids = value if isinstance(value, list) else [value]
                # some writers store a code instead of an id (a report's {"unit": "JH01"}): shown as written
                wanted.setdefault(f.related_model, set()).update(i for i in ids if isinstance(i, int))
    return wanted


SECRET = "（保密记录）"


def _names(wanted: dict, scope=None) -> dict:
    """Names of the referenced objects; a confidential record (a 问责, a finding tied to a person) is named only
    for a reader who sees confidential content in its unit."""
    from lvzhi.records import registry

    names = {}
    for model, pks in wanted.items():
        rt = registry.for_model(model)
        secret = set()
        if rt is not None and rt.confidential_rows is not None:
            secret = set(model._default_manager.filter(rt.confidential_rows(), pk__in=list(pks))
                         .values_list("pk", flat=True))
        for obj in model._default_manager.filter(pk__in=list(pks)):
            unit = rt.unit_of(obj) if rt is not None and obj.pk in secret else None
            hidden = obj.pk in secret and (scope is None or unit is None or not scope.sees_confidential(unit))
            names[(model, obj.pk)] = SECRET if hidden else str(obj)
    return names


def _show(f, value, names) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if f is None:
        return str(value)
    if f.is_relation:
        ids = value if isinstance(value, list) else [value]
        return "、".join(names.get((f.related_model, i), f"（已删除的{f.related_model._meta.verbose_name}）")
                        if isinstance(i, int) else str(i) for i in ids)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "是" if value else "否"
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        return value[:16].replace("T", " ")
    return str(value)


def humanize(entries, scope=None) -> None:
    """Set ``changes`` [(label, (before, after))], ``model_label`` and ``record_url`` on each entry."""
    entries = list(entries)
    names = _names(_wanted_refs(entries), scope)
    for e in entries:
        model = _model(e.model)
        e.model_label = model_label(e.model)
        e.record_url = record_url(e.model, e.object_id) if e.action != "delete" else ""
        if getattr(e, "redacted", False):
            e.changes = []
            continue
        before, after = e.before or {}, e.after or {}
        changes = []
        for key in {**before, **after}:
            if key in HIDDEN:
                continue
            f = _field(model, key)
            old, new = _show(f, before.get(key), names), _show(f, after.get(key), names)
            if old == new and e.action == "update":
                continue
            changes.append((str(f.verbose_name) if f is not None else key, (old, new)))
        e.changes = changes
