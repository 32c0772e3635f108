"""Turning a spreadsheet cell (or a form field, which is the same thing) into a model value and back.

Forms, Excel/CSV import and export share these rules, so a value that exports can be imported again and a
form rejects exactly what an import rejects, with the same Chinese message.
References (units, people, Party organisations, other records) are collected first and resolved in bulk
by ``Resolver`` — one query per referenced model per file, never one per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from lvzhi.org.models import PartyOrg, Person, Unit

from . import bulk
from .registry import Column, RecordType

if TYPE_CHECKING:
    from lvzhi.org.scoping import Scope

MAX_TEXT = 5000  # a cell longer than this is refused (TextFields have no max_length of their own)
MANY_SEP = "、"  # how exports and forms join many people or records; MANY_SPLIT reads it back
KEY_SEP = "/"  # between a parent's code and a record's number in a reference key: DW-JH01/2022-05
MANY_SPLIT = re.compile(r"[、,，;；\n]+")
CODE_IN_PARENS = re.compile(r"^(?P<name>.*?)[（(](?P<code>[^（）()]+)[)）]\s*$")
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "无"}


class CellError(ValueError):
    """A bad cell; the message is shown to the user after 第N行「列名」."""


@dataclass(frozen=True)
class Ref:
    """An unresolved reference to a unit, person, Party organisation or record, as the user wrote it."""

    model: type[models.Model]
    text: str


_KINDS: dict[tuple[str, str], str] = {}


def kind_of(rt: RecordType, column: Column) -> str:
    """What a cell of ``column`` holds (text, date, person, …); asked for every cell of an import, so remembered."""
    if column.kind:
        return column.kind
    key = (rt.key, column.field)
    kind = _KINDS.get(key)
    if kind is None:
        kind = _KINDS[key] = _kind_of(rt, column)
    return kind


def _kind_of(rt: RecordType, column: Column) -> str:
    f = rt.model_field(column.field)
    if f.many_to_many:
        return "people" if f.related_model is Person else "records"
    if f.many_to_one or f.one_to_one:
        return {Unit: "unit", Person: "person", PartyOrg: "party_org"}.get(f.related_model, "record")
    if f.choices:
        return "choice"
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, (models.IntegerField,)):
        return "int"
    if isinstance(f, (models.DecimalField, models.FloatField)):
        return "decimal"
    if isinstance(f, models.FileField):
        return "file"
    return "text"


def related_model(rt: RecordType, column: Column) -> type[models.Model]:
    kind = kind_of(rt, column)
    if kind == "unit":
        return Unit
    if kind in ("person", "people"):
        return Person
    if kind == "party_org":
        return PartyOrg
    return rt.model_field(column.field).related_model


# --- parsing -----------------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text)
    if not m:
        raise CellError(f"“{text}”不是日期，请写成 2022-03-15 这样的格式")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise CellError(f"日期“{text}”不存在") from None


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"“{_text(value)}”应为“是”或“否”")


def parse_int(value) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"“{value}”应为整数")
    text = _text(value).replace(",", "").replace("，", "")
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    raise CellError(f"“{_text(value)}”应为整数")


def parse_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = _text(value).replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{_text(value)}”应为数字") from None
    if not number.is_finite():
        raise CellError(f"“{_text(value)}”应为数字")
    return number


def parse_choice(f: models.Field, value) -> str:
    text = _text(value)
    for key, label in f.flatchoices:
        if text == str(label) or text == str(key):
            return key
    allowed = "、".join(str(label) for _, label in f.flatchoices)
    raise CellError(f"“{text}”不是可选值（可选：{allowed}）")


def unquote(text: str) -> str:
    """Our own exports neutralise formulas with a leading quote (imports.exporter.safe): one quote comes off."""
    if text.startswith("'") and text.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return text[1:]
    return text


def parse_cell(rt: RecordType, column: Column, value):
    """A Python value, a Ref (or list of Refs) to resolve later, or None for an empty cell."""
    kind = kind_of(rt, column)
    if isinstance(value, str) and value.startswith("=") and len(value) > 1:
        raise CellError("单元格是公式，请先“粘贴为数值”后再导入")
    if value is None or (isinstance(value, str) and not value.strip()):
        if rt.is_required(column):
            raise CellError("必填")
        if kind in ("people", "records"):
            return []
        if not rt.is_virtual(column) and rt.model_field(column.field).has_default():
            return rt.model_field(column.field).get_default()  # an empty cell keeps the field's default (一般 …)
        if kind == "bool":
            return False
        if kind in ("text", "choice") and not rt.is_virtual(column):
            f = rt.model_field(column.field)
            # text, and a choice stored as text that may be left open (学历): empty, not NULL
            if kind == "text" or (not f.null and isinstance(f, (models.CharField, models.TextField))):
                return ""
        return None
    if kind == "text":
        text = unquote(_text(value))
        f = rt.model_field(column.field)
        limit = f.max_length or MAX_TEXT
        if len(text) > limit:
            raise CellError(f"内容过长（{len(text)} 字，最多 {limit} 字）")
        return text
    if kind == "date":
        return parse_date(value)
    if kind == "datetime":
        return dt.datetime.combine(parse_date(value), dt.time(9, 0))
    if kind == "bool":
        return parse_bool(value)
    if kind == "int":
        return parse_int(value)
    if kind == "decimal":
        return parse_decimal(value)
    if kind == "choice":
        return parse_choice(rt.model_field(column.field), value)
    if kind in ("unit", "person", "party_org", "record"):
        return Ref(related_model(rt, column), _text(value))
    if kind in ("people", "records"):
        parts = [p.strip() for p in MANY_SPLIT.split(_text(value)) if p.strip()]
        return [Ref(related_model(rt, column), p) for p in parts]
    raise CellError("该列不能导入")


# --- formatting --------------------------------------------------------------------------------------

def ref_label(obj: models.Model | None) -> str:
    """How exports and forms write a reference: 名称（编码） for units, organisations and people; a record's
    reference key (JC-2022-0012, or DW-JH01/2022-05 where the number is unique only under its parent)."""
    if obj is None:
        return ""
    if isinstance(obj, (Unit, PartyOrg, Person)):
        return f"{obj}（{obj.code}）"
    from .registry import for_model

    rt = for_model(type(obj))
    if rt is None or not rt.ref_key:
        return str(obj)
    return KEY_SEP.join(_part_text(obj, name, related) for name, related in rt.ref_parts)


def _part_text(obj, name: str, related) -> str:
    value = getattr(obj, name)
    if related is not None:
        return "" if value is None else getattr(value, "code", None) or str(value)
    return str(value)


def raw_value(rt: RecordType, column: Column, obj):
    """The column's value on a record: a model value, a related object, or a list of them (many-to-many)."""
    if column.getter is not None:
        return column.getter(obj)
    if kind_of(rt, column) in ("people", "records"):
        return list(getattr(obj, column.field).all())
    return getattr(obj, column.field)


def format_value(rt: RecordType, column: Column, value):
    """A model value as it appears in an export or a form (``parse_cell`` reads it back to the same value)."""
    kind = kind_of(rt, column)
    if value is None:
        return ""
    if kind in ("people", "records"):
        return MANY_SEP.join(ref_label(o) for o in value)
    if kind in ("unit", "person", "party_org", "record"):
        return ref_label(value)
    if kind == "choice":
        return str(dict(rt.model_field(column.field).flatchoices).get(value, value))
    if kind == "bool":
        return "是" if value else "否"
    if kind == "decimal":
        return float(value) if isinstance(value, Decimal) else value
    if kind == "datetime":
        return value.date()
    if kind == "file":
        return value.name or ""
    return value


def format_cell(rt: RecordType, column: Column, obj):
    """The value of a record's column as it appears in an export or a form's initial value."""
    return format_value(rt, column, raw_value(rt, column, obj))


def display_cell(rt: RecordType, column: Column, obj):
    """As shown on pages: like an export, except that referenced records show their name, not their key
    (a rectification's 问题 reads “交接班记录不完整”, not its number), and dates read 2022-03-15."""
    kind = kind_of(rt, column)
    if kind == "record":
        value = raw_value(rt, column, obj)
        return "" if value is None else str(value)
    if kind == "records":
        return MANY_SEP.join(str(o) for o in raw_value(rt, column, obj))
    value = format_cell(rt, column, obj)
    return value.isoformat() if isinstance(value, dt.date) else value  # 2022-03-15 everywhere, as typed


# --- resolving references ----------------------------------------------------------------------------

def _looked_up(cache: dict, load, ref: Ref):
    """``ref``'s entry of ``cache`` (loaded by ``load`` when the bulk resolve did not), its error raised."""
    result = cache.get((ref.model, ref.text))
    if result is None:
        load(ref.model, {ref.text})
        result = cache[(ref.model, ref.text)]
    if isinstance(result, CellError):
        raise result
    return result


@dataclass
class Resolver:
    """Resolves every Ref of a file in bulk, within what the user may read."""

    scope: Scope
    cache: dict = field(default_factory=dict)
    id_cache: dict = field(default_factory=dict)  # (model, text) → pk or CellError, for lists (``get_id``)

    def resolve_ids(self, refs: list[Ref]) -> None:
        """Resolve ``refs`` to ids only (``get_id``): people and Party organisations without model objects."""
        by_model: dict[type, set[str]] = {}
        for r in refs:
            if (r.model, r.text) not in self.id_cache:
                by_model.setdefault(r.model, set()).add(r.text)
        for model, texts in by_model.items():
            self._load_ids(model, texts)

    def _load_ids(self, model, texts: set[str]) -> None:
        if model in (PartyOrg, Person):
            self._load_named(model, texts, ids=True)
            return
        # units (full paths) and records (reference keys): through their objects, kept as ids
        self._load(model, texts)
        for t in texts:
            found = self.cache.pop((model, t))
            self.id_cache[(model, t)] = found if isinstance(found, CellError) else found.pk

    def get_id(self, ref: Ref) -> int:
        return _looked_up(self.id_cache, self._load_ids, ref)

    def resolve_all(self, refs: list[Ref]) -> None:
        by_model: dict[type, set[str]] = {}
        for r in refs:
            by_model.setdefault(r.model, set()).add(r.text)
        for model, texts in by_model.items():
            self._load(model, texts)

    def _load(self, model, texts: set[str]) -> None:
        if model in (Unit, PartyOrg, Person):
            self._load_named(model, texts)
        else:
            self._load_keyed(model, texts)

    def _load_named(self, model, texts: set[str], *, ids: bool = False) -> None:
        """Units, Party organisations and people: by code, by name, or 名称（编码）; units also by full path.
        ``ids``: the matches as ids in ``id_cache`` (a list of people needs no Person object per name)."""
        from .selectors import readable

        keys: set[str] = set()
        for t in texts:
            m = CODE_IN_PARENS.match(t)
            if m:
                keys.add(m.group("code").strip())
            keys.add(t)
        qs = readable(self.scope, model)
        found: dict = {}  # by pk: an object matched by code and by name is still one object
        key_list, name_list = sorted(keys), sorted(texts)
        for i in range(0, max(len(key_list), len(name_list)), 900):  # stay under SQLite's variable limit
            q = Q()
            if key_list[i:i + 900]:
                q |= Q(code__in=key_list[i:i + 900])
            if name_list[i:i + 900]:
                q |= Q(name__in=name_list[i:i + 900])
            if ids:
                found.update((pk, _Named(pk, code, name)) for pk, code, name in
                             qs.filter(q).values_list("pk", "code", "name"))
            else:
                found.update((o.pk, o) for o in bulk.fetch(qs.filter(q)))
        if ids:
            by_key_ids: dict[str, list] = {}
            by_name_ids: dict[str, list] = {}
            for o in found.values():
                by_key_ids.setdefault(o.code, []).append(o)
                by_name_ids.setdefault(o.name, []).append(o)
            for t in texts:
                picked = self._pick(model, t, by_key_ids, by_name_ids)
                self.id_cache[(model, t)] = picked if isinstance(picked, CellError) else picked.pk
            return
        by_key: dict[str, list] = {}
        by_name: dict[str, list] = {}
        for o in found.values():
            by_key.setdefault(o.code, []).append(o)
            by_name.setdefault(o.name, []).append(o)
        if model is Unit:
            # Full paths such as 集团/公司/一号厂 disambiguate repeated unit names.
            for t in texts:
                if "/" in t:
                    leaf = t.rsplit("/", 1)[-1]
                    for u in qs.filter(name=leaf):
                        if u.full_name.endswith(t):
                            by_key[t] = [u]
        for t in texts:
            self.cache[(model, t)] = self._pick(model, t, by_key, by_name)

    @staticmethod
    def _pick(model, text: str, by_key: dict, by_name: dict):
        label = str(model._meta.verbose_name)
        m = CODE_IN_PARENS.match(text)
        code = m.group("code").strip() if m else None
        for matches, _how in ((by_key.get(code, []) if code else [], "key"), (by_key.get(text, []), "key"),
                              (by_name.get(text, []), "name")):
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                codes = "、".join(o.code for o in matches[:5])
                return CellError(f"{label}“{text}”对应多个（编码 {codes}），请写成“名称（编码）”或直接填写编码")
        return CellError(f"找不到{label}“{text}”，或您无权访问")

    def _load_keyed(self, model, texts: set[str]) -> None:
        """Other records by their reference key: a number (JC-2022-0012) or parent code/number (DW-JH01/2022-05).

        The short form (the number alone) is accepted while it names one record in the user's scope."""
        from .registry import for_model
        from .selectors import readable

        rt = for_model(model)
        label = str(model._meta.verbose_name)
        if rt is None or not rt.ref_key:
            for t in texts:
                self.cache[(model, t)] = CellError(f"{label}不能在表格中引用")
            return
        parts = rt.ref_parts
        own, _ = parts[-1]
        split = {t: tuple(p.strip() for p in t.split(KEY_SEP, len(parts) - 1)) for t in texts}
        owns = sorted({s[-1] for s in split.values()})
        qs = readable(self.scope, model).select_related(*[name for name, rel in parts if rel is not None])
        by_own: dict[str, list] = {}
        for i in range(0, len(owns), 900):
            for o in qs.filter(**{f"{own}__in": owns[i:i + 900]}):
                by_own.setdefault(str(getattr(o, own)), []).append(o)
        full_form = KEY_SEP.join(key_label(model, name) for name, _ in parts)
        for t, given in split.items():
            matches = by_own.get(given[-1], [])
            if len(given) == len(parts) > 1:
                matches = [o for o in matches if all(_part_matches(o, name, rel, given[i])
                                                      for i, (name, rel) in enumerate(parts[:-1]))]
            if len(matches) == 1:
                self.cache[(model, t)] = matches[0]
            elif matches:
                example = ref_label(matches[0])
                self.cache[(model, t)] = CellError(f"{label}“{t}”对应多条记录，请写成“{full_form}”，如 {example}")
            else:
                self.cache[(model, t)] = CellError(f"找不到{key_label(model, own)}为“{t}”的{label}，或您无权访问")

    def get(self, ref: Ref):
        return _looked_up(self.cache, self._load, ref)


@dataclass(frozen=True)
class _Named:
    """What a unit, organisation or person resolved to an id is matched by (``Resolver._pick`` reads these)."""

    pk: int
    code: str
    name: str


def key_label(model, name: str) -> str:
    f = model._meta.get_field(name)
    if f.is_relation:
        return f"{f.verbose_name}编码"
    return str(f.verbose_name)


def _part_matches(obj, name: str, related, text: str) -> bool:
    value = getattr(obj, name)
    if related is None:
        return str(value) == text
    return value is not None and text in (getattr(value, "code", None), getattr(value, "name", None))


def collect_refs(value) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Ref)]
    return []


def resolve_value(resolver: Resolver, value, *, list_ids: bool = False):
    """A parsed cell's references resolved: an object for a reference, a list of objects (``list_ids``: of ids,
    as resolved by ``Resolver.resolve_ids``) for a list of them."""
    if isinstance(value, Ref):
        return resolver.get(value)
    if isinstance(value, list):
        get = resolver.get_id if list_ids else resolver.get
        return [get(v) if isinstance(v, Ref) else v for v in value]
    return value
