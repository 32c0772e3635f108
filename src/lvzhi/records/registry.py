"""Record types: one declaration per model drives its services, API, pages, Excel import and export.

A domain app declares ``RecordType(...)`` in its ``records.py``; nothing else about the type is written
twice. Columns name the model fields in the order users see them, with their Chinese headers.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from lvzhi.org.scoping import Scope

_REGISTRY: dict[str, "RecordType"] = {}


@dataclass
class Column:
    """One spreadsheet column / form field / list column, bound to a model field."""

    field: str
    header: str = ""  # defaults to the field's verbose_name
    required: bool | None = None  # defaults to the model field's blank=False
    example: str = ""
    help: str = ""
    kind: str = ""  # value kind (see imports.columns); inferred from the model field when empty
    getter: Callable[[Any], Any] | None = None  # for virtual columns that are not model fields (e.g. a unit's parent)
    creatable_only: bool = False  # virtual columns used on creation only (changing them is a separate action)


@dataclass
class ListState:
    """A state worked out in the database for every row (e.g. 逾期 for a rectification past its deadline).

    Lists and exports put rows in the order of ``row_rank`` before the type's own ordering, the list page
    shows the state as a badge column and the API returns it as ``row_state``.
    """

    header: str
    annotate: Callable[[models.QuerySet, dt.date], models.QuerySet]  # adds ``row_state`` and ``row_rank``
    labels: dict[str, tuple[str, str]]  # row_state → (Chinese label, badge class: late / pending / ok …)


@dataclass
class Hooks:
    """What a record type does beyond its columns, each hook named and typed (None: the type has none).

    Declared once with the type (``RecordType(..., hooks=Hooks(preview=...))``); the doors call them by name.
    What follows from a record's own fields (its unit from its Party organisation …) is the model's
    ``fill_derived`` (``records.models.DerivedFields``), not a hook: every path that builds a record runs it.
    """

    # 保存前检查: what the checks will conclude about the record on the form, without saving it (a dict for the form)
    preview: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # More for the detail page: {"template": an included template, ...its context}
    detail_context: Callable[[Any, "Scope"], dict[str, Any]] | None = None
    # What follows from rows written in bulk by an import (e.g. a member's current status from the events)
    after_bulk_create: Callable[[list[Any]], None] | None = None
    # The API viewset's base class when the type needs more than ``records.api.RecordViewSet`` (extra actions)
    viewset_base: type | None = None
    # A hand-written API serializer in place of the generated one
    serializer: type | None = None


@dataclass
class Generated:
    """The classes generated from a declaration, built once and kept under the type: ``rt.generated.serializer``
    (``records.api.serializer_for``), ``.filterset``, ``.viewset`` and ``.form_create`` / ``.form_edit``
    (``records.forms.form_class``). Each is named after the model (``BranchActivitySerializer`` …)."""

    serializer: type | None = None
    filterset: type | None = None
    viewset: type | None = None
    form_create: type | None = None
    form_edit: type | None = None


def plural(word: str) -> str:
    """English plural of an API path's last word: activity → activities, entry → entries, finding → findings."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


@dataclass
class RecordType:
    key: str  # snake_case, used by the CLI and page URLs: study_session
    model: type[models.Model]
    system: str  # see org.scoping.SYSTEMS
    columns: list[Column]
    slug: str = ""  # API path: study-sessions
    unit_field: str = "unit"  # path from the record to its Unit ('' for Unit itself)
    date_field: str | None = "date"
    kind_field: str | None = ""  # "" = "kind" when the model has it
    search_fields: tuple[str, ...] = ("title",)
    list_columns: tuple[str, ...] = ()  # field names shown in the list page (default: first five columns)
    # What a record *is* (its content identity): a row repeating an existing record's natural key is refused as a
    # duplicate, and update-by-key imports find the record by it when the sheet carries no reference key.
    natural_key: tuple[str, ...] = ()
    # How a person (and another sheet) names one record: its code, its number, or a parent's code and its number
    # written "DW-JH01/2022-05". Default: ("code",) or ("number",) when the model has that field.
    ref_key: tuple[str, ...] = ()
    confidential_rows: Callable[[], Q] | None = None  # which rows are confidential (None: none are)
    ordering: tuple[str, ...] = ()
    create_func: Callable[..., Any] | None = None  # custom creation (e.g. tree nodes)
    list_state: ListState | None = None  # a computed state shown and sorted first in lists (e.g. the 整改台账)
    icon: str = ""
    description: str = ""
    in_navigation: bool = True  # listed in the side navigation (rules have a page of their own)
    hooks: Hooks = field(default_factory=Hooks)
    generated: Generated = field(default_factory=Generated, repr=False, compare=False)

    def __post_init__(self):
        if self.kind_field == "":
            names = {f.name for f in self.model._meta.get_fields()}
            self.kind_field = "kind" if "kind" in names else None
        if not self.slug:
            self.slug = plural(self.key.replace("_", "-"))
        if not self.list_columns:
            self.list_columns = tuple(c.field for c in self.columns[:5])
        if not self.ordering:
            self.ordering = (f"-{self.date_field}", "-pk") if self.date_field else ("pk",)
        if not self.ref_key:
            names = {f.name for f in self.model._meta.get_fields()}
            self.ref_key = ("code",) if "code" in names else ("number",) if "number" in names else ()

    @property
    def number_prefix(self) -> str:
        """Records without a code of their own get a visible number at creation (``records.models.Numbered``)."""
        return getattr(self.model, "NUMBER_PREFIX", "")

    @property
    def ref_parts(self) -> list[tuple[str, type[models.Model] | None]]:
        """The reference key's fields, each with the model it points at (None for plain values)."""
        parts: list[tuple[str, Any]] = []
        for name in self.ref_key:
            f = self.model_field(name)
            parts.append((name, f.related_model if f.is_relation else None))
        return parts

    @property
    def export_ordering(self) -> tuple[str, ...]:
        """Oldest first with the id as the tie-break, so an export re-imported (ids follow file order) and
        exported again lists the same rows in the same order."""
        if self.date_field:
            return (self.date_field, "pk")
        return ("path",) if not self.unit_field and "path" in {f.name for f in self.model._meta.fields} else ("pk",)

    # --- derived facts --------------------------------------------------------------------------
    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        """The list's title (整改 → 整改台账)."""
        return str(self.model._meta.verbose_name_plural)

    @property
    def former_slug(self) -> str | None:
        """The API path of releases before plurals were right (branch-activitys): redirected for one release."""
        naive = self.key.replace("_", "-") + "s"
        return naive if naive != self.slug else None

    def model_field(self, name: str) -> Any:
        """The model field (a column is always a forward field: a value, a foreign key or a many-to-many)."""
        return self.model._meta.get_field(name)

    def header(self, column: Column) -> str:
        return column.header or str(self.model_field(column.field).verbose_name)

    def is_virtual(self, column: Column) -> bool:
        return column.getter is not None

    def is_required(self, column: Column) -> bool:
        if column.required is not None:
            return column.required
        if self.is_virtual(column):
            return False
        f = self.model_field(column.field)
        if f.many_to_many:
            return not f.blank
        return not (f.blank or f.null or f.has_default())

    @functools.cached_property
    def m2m_fields(self) -> list[str]:
        # asked for every imported row: worked out once (a type's columns are fixed when it is registered)
        return [c.field for c in self.columns if not self.is_virtual(c) and self.model_field(c.field).many_to_many]

    def is_confidential(self, obj: models.Model) -> bool:
        if self.confidential_rows is None:
            return False
        return self.model._default_manager.filter(self.confidential_rows(), pk=obj.pk).exists()

    def unit_of(self, obj: models.Model):
        if not self.unit_field:
            return obj
        target = obj
        for part in self.unit_field.split("__"):
            target = getattr(target, part)
            if target is None:
                return None
        return target


def register(rt: RecordType) -> RecordType:
    if rt.key in _REGISTRY and _REGISTRY[rt.key].model is not rt.model:
        raise ValueError(f"record type {rt.key} registered twice")
    _REGISTRY[rt.key] = rt
    return rt


def get(key: str) -> RecordType:
    try:
        return _REGISTRY[key]
    except KeyError:
        known = "、".join(sorted(_REGISTRY))
        raise LookupError(f"未知的记录类型“{key}”。可用类型：{known}") from None


def for_model(model: type[models.Model]) -> RecordType | None:
    for rt in _REGISTRY.values():
        if rt.model is model:
            return rt
    return None


def all_types() -> list[RecordType]:
    return list(_REGISTRY.values())


def by_system() -> dict[str, list[RecordType]]:
    out: dict[str, list[RecordType]] = {}
    for rt in _REGISTRY.values():
        out.setdefault(rt.system, []).append(rt)
    return out
