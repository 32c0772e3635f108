"""Computing metrics: a value for any unit (its whole subtree) and any period, with the records behind it.

``compute_many`` computes the simple counts and sums of one record type in a single grouped query, so a whole
report costs one query per record type plus one per people-based figure, however large the unit tree.
A figure that has nothing to stand on (no record of its type entered for the period, an empty denominator)
is *missing* — reported as such, never shown as 0.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, selectors
from lvzhi.records.keeping import zero_declared
from lvzhi.web.datacache import cached, within_computation

from .catalogue import CATALOGUE, Metric, get


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def previous_year(self) -> "Period":
        return Period(self.start.replace(year=self.start.year - 1), self.end.replace(year=self.end.year - 1))

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.start.day == 1 and self.end == dt.date(self.start.year, 12, 31):
            return f"{self.start.year}年"
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"


@dataclass
class Figure:
    metric: Metric
    unit: Unit
    period: Period
    value: Decimal | int | None
    missing: str = ""  # why there is no value
    records: QuerySet | None = None  # the records behind the value
    detail: dict = field(default_factory=dict)  # e.g. numerator/denominator of a share

    @property
    def is_missing(self) -> bool:
        return self.value is None

    def record_ids(self) -> list[int]:
        return list(self.records.values_list("pk", flat=True)) if self.records is not None else []

    def visible_records(self, scope: Scope) -> QuerySet:
        """The records behind the figure that this user may open (confidential ones are counted, not shown)."""
        rt = registry.get(self.metric.record_type)
        return selectors.restrict(rt, scope, self.records) if self.records is not None else rt.model.objects.none()

    def as_dict(self) -> dict:
        return {"metric": self.metric.id, "label": self.metric.label, "measure": self.metric.measure,
                "unit": self.unit.code, "period": [self.period.start.isoformat(), self.period.end.isoformat()],
                "value": None if self.value is None else str(self.value), "missing": self.missing,
                "detail": {k: str(v) for k, v in self.detail.items()}}


# --- the record set of a metric ------------------------------------------------------------------------

def grouped(m: Metric) -> bool:
    """Counted with the other figures of its record type in one grouped query (``compute_many``)."""
    return not m.person_field and m.aggregate in ("count", "sum")


@functools.cache
def _members(record_type: str, date_field: str) -> tuple[Metric, ...]:
    return tuple(m for m in CATALOGUE if grouped(m) and (m.record_type, _date_field(m)) == (record_type, date_field))


def _date_field(metric: Metric) -> str:
    return metric.date_field or registry.get(metric.record_type).date_field


def _in_unit(metric: Metric, unit: Unit) -> Q:
    rt = registry.get(metric.record_type)
    prefix = f"{rt.unit_field}__" if rt.unit_field else ""
    return unit.subtree_q(prefix)


def _in_period(metric: Metric, period: Period) -> Q:
    f = _date_field(metric)
    return Q(**{f"{f}__gte": period.start, f"{f}__lte": period.end})


def record_set(metric: Metric, unit: Unit, period: Period) -> QuerySet:
    """All records of the metric's type in the unit's subtree and the period, before the metric's own filter."""
    rt = registry.get(metric.record_type)
    return rt.model._default_manager.filter(_in_unit(metric, unit), _in_period(metric, period))


def _round(value: Decimal, precision: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def _people_through(metric: Metric):
    rt = registry.get(metric.record_type)
    f = rt.model_field(metric.field)
    return f.remote_field.through, f.m2m_field_name(), f.m2m_reverse_field_name()


def _share(total: int, part: int, precision: int) -> Decimal | None:
    if not total:
        return None
    return _round(Decimal(part) * 100 / Decimal(total), precision)


# --- people a coverage figure requires -----------------------------------------------------------------

def cadres_and_key_posts(unit: Unit, period: Period) -> QuerySet:
    """班子成员、中层干部和人财物关键岗位人员 on the job at the end of the period."""
    return (Person.objects.filter(unit.subtree_q("unit__"), Q(cadre_level__in=["leadership", "middle"]) | Q(is_key_post=True))
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=period.end))
            .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=period.end)))


REQUIRED_PEOPLE = {"cadres_and_key_posts": ("班子成员、中层干部和人财物关键岗位人员", cadres_and_key_posts)}


# --- computing ----------------------------------------------------------------------------------------

def compute(metric: Metric | str, unit: Unit, period: Period, person: Person | None = None) -> Figure:
    """``person``: the person reporting, for personal figures (``Metric.person_field``); others ignore it."""
    metric = get(metric) if isinstance(metric, str) else metric
    if metric.person_field:
        return _personal(metric, unit, period, person)
    return _COMPUTERS[metric.aggregate](metric, unit, period)


def compute_kept(metric: Metric | str, unit: Unit, period: Period, person: Person | None = None, *,
                 with_records: bool = True) -> Figure:
    """``compute``; inside a page's reused result (a report's preview, its evidence) the figure's value, reason and
    detail are kept on their own while the tables it read are unchanged, so a 支部活动 saved recomputes none of the
    shares, coverages and people counts that do not read 支部活动 (each preview after a write recomputed them all:
    ~80 ms of PostgreSQL at the province). Keyed by every change of those tables, not only the subtree's: a
    declaration of a unit above (``records.keeping``) decides whether a zero stands."""
    metric = get(metric) if isinstance(metric, str) else metric
    if metric.person_field or not within_computation():
        return compute(metric, unit, period, person)
    value, missing, detail = cached("metrics.figure_parts", (metric.id, unit.pk, period.start, period.end),
                                    functools.partial(_parts, metric, unit, period))
    return Figure(metric, unit, period, value, missing, records_of(metric, unit, period) if with_records else None,
                  detail)


def _parts(metric: Metric, unit: Unit, period: Period) -> tuple:
    figure = compute(metric, unit, period)
    return figure.value, figure.missing, figure.detail


def records_of(metric: Metric, unit: Unit, period: Period) -> QuerySet:
    """The records behind a figure not of a person, as ``compute`` gives them (a query, not run)."""
    if metric.aggregate == "pp_change":
        return records_of(get(metric.base), unit, period)
    if metric.aggregate == "share_at_end":
        return _share_set(metric, unit, period).filter(Q(**metric.numerator))
    return record_set(metric, unit, period).filter(**metric.filter)


def _declared(metric: Metric, unit: Unit, period: Period):
    """``zero_declared`` for the figure — inside a page's result kept while the declarations are unchanged (a
    preview asked it of each zero figure, a dozen queries after every write), keyed by every declaration's change:
    one of a unit above counts."""
    if not within_computation():
        return zero_declared(metric.record_type, metric.id, unit, period.start, period.end)
    return cached("records.zero_declared", (metric.record_type, metric.id, unit.pk, period.start, period.end),
                  functools.partial(zero_declared, metric.record_type, metric.id, unit, period.start, period.end))


def _personal(metric: Metric, unit: Unit, period: Period, person: Person | None) -> Figure:
    """A figure of the person reporting: the unit's records of the period in which the person is named."""
    if person is None:
        return Figure(metric, unit, period, None, "未确定述职人，无法计算本人的数字")
    base = record_set(metric, unit, period)
    ids = base.filter(**metric.filter).filter(**{metric.person_field: person}).values("pk")
    records = base.model._default_manager.filter(pk__in=ids)
    if metric.aggregate in ("distinct", "person_times"):
        through, src, dst = _people_through(metric)
        rows = through.objects.filter(**{f"{src}__in": records.values("pk")})
        value = rows.values(dst).distinct().count() if metric.aggregate == "distinct" else rows.count()
    else:
        value = records.count()
    return _finish(metric, unit, period, value, records, lambda: base.exists())


def _simple(metric: Metric, unit: Unit, period: Period) -> Figure:
    base = record_set(metric, unit, period)
    records = base.filter(**metric.filter)
    if metric.aggregate == "sum":
        value = records.aggregate(v=Sum(metric.field))["v"] or 0
    else:
        value = records.count()
    return _finish(metric, unit, period, value, records, lambda: base.exists())


def _finish(metric, unit, period, value, records, anything_entered) -> Figure:
    """A value with records behind it stands; a zero stands only when declared (``records.keeping``)."""
    if value:
        return Figure(metric, unit, period, value, records=records)
    declared = _declared(metric, unit, period)
    if declared is not None:
        return Figure(metric, unit, period, value, records=records, detail={"zero_declared": declared})
    return Figure(metric, unit, period, None, _why_missing(metric, unit, period, anything_entered()), records)


def _why_missing(metric: Metric, unit: Unit, period: Period, anything_entered: bool) -> str:
    rt = registry.get(metric.record_type)
    if not anything_entered:
        return f"{period.label}{unit.name}尚未录入任何{rt.verbose_name}"
    return (f"{period.label}{unit.name}没有符合条件的{rt.verbose_name}，且未声明该类记录已完整录入或该项已核实为零"
            "（可在“记录完整性声明”中声明）")


def _distinct(metric: Metric, unit: Unit, period: Period) -> Figure:
    base = record_set(metric, unit, period)
    records = base.filter(**metric.filter)
    through, src, dst = _people_through(metric)
    rows = through.objects.filter(**{f"{src}__in": records.values("pk")})
    value = rows.values(dst).distinct().count() if metric.aggregate == "distinct" else rows.count()
    return _finish(metric, unit, period, value, records, lambda: base.exists())


def _share_set(metric: Metric, unit: Unit, period: Period) -> QuerySet:
    """The records a share is taken of: for appointments, who holds such a post on the last day of the period."""
    rt = registry.get(metric.record_type)
    qs = rt.model._default_manager.filter(_in_unit(metric, unit), **metric.filter)
    if metric.record_type == "appointment":
        return qs.filter(date__lte=period.end).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=period.end))
    return qs.filter(_in_period(metric, period))


def _share_at_end(metric: Metric, unit: Unit, period: Period) -> Figure:
    rt = registry.get(metric.record_type)
    qs = _share_set(metric, unit, period)
    # Denominator and numerator in one query (scale benchmark: one scan of the set instead of two).
    part_q = Q(**metric.numerator)
    if metric.record_type == "appointment":  # a person with two posts counts once
        counts = qs.aggregate(total=Count("person", distinct=True), part=Count("person", distinct=True, filter=part_q))
    else:
        counts = qs.aggregate(total=Count("pk"), part=Count("pk", filter=part_q))
    total, part = counts["total"], counts["part"]
    part_qs = qs.filter(part_q)
    value = _share(total, part, metric.precision)
    missing = "" if value is not None else f"{period.label}{unit.name}没有可计算占比的{rt.verbose_name}"
    return Figure(metric, unit, period, value, missing, part_qs, {"numerator": part, "denominator": total})


def _pp_change(metric: Metric, unit: Unit, period: Period) -> Figure:
    base = get(metric.base)
    now, before = compute(base, unit, period), compute(base, unit, period.previous_year())
    if now.is_missing or before.is_missing:
        why = now.missing or before.missing
        return Figure(metric, unit, period, None, why, now.records)
    value = _round(Decimal(now.value) - Decimal(before.value), metric.precision)
    return Figure(metric, unit, period, value, records=now.records,
                  detail={"current": now.value, "previous": before.value})


def _coverage(metric: Metric, unit: Unit, period: Period) -> Figure:
    label, people = REQUIRED_PEOPLE[metric.required]
    required = people(unit, period)
    records = record_set(metric, unit, period).filter(**metric.filter)
    through, src, dst = _people_through(metric)
    covered_ids = through.objects.filter(**{f"{src}__in": records.values("pk")}).values(dst)
    # Required and covered in one query (scale benchmark: one scan of the people instead of two).
    counts = required.aggregate(total=Count("pk"), covered=Count("pk", filter=Q(pk__in=covered_ids)))
    total, covered = counts["total"], counts["covered"]
    value = _share(total, covered, metric.precision)
    missing = "" if value is not None else f"{unit.name}没有需要覆盖的{label}"
    if value is not None and not covered and _declared(metric, unit, period) is None:
        # nobody covered and the talks not declared complete: a 0 % would be a guess
        value, missing = None, _why_missing(metric, unit, period, record_set(metric, unit, period).exists())
    return Figure(metric, unit, period, value, missing, records,
                  {"covered": covered, "required": total, "missing_people": total - covered})


def missing_people(metric: Metric | str, unit: Unit, period: Period) -> QuerySet:
    """For a coverage metric: who should have been covered and was not."""
    metric = get(metric) if isinstance(metric, str) else metric
    _, people = REQUIRED_PEOPLE[metric.required]
    records = record_set(metric, unit, period).filter(**metric.filter)
    through, src, dst = _people_through(metric)
    return people(unit, period).exclude(pk__in=through.objects.filter(**{f"{src}__in": records.values("pk")}).values(dst))


_COMPUTERS = {
    "count": _simple, "sum": _simple, "distinct": _distinct, "person_times": _distinct,
    "share_at_end": _share_at_end, "pp_change": _pp_change, "coverage": _coverage,
}


def compute_many(metric_ids: list[str], unit: Unit, period: Period, person: Person | None = None, *,
                 with_records: bool = True) -> dict[str, Figure]:
    """Several figures at once: counts and sums of one record type share one grouped query. Not
    ``with_records``: the figures' values only (no query of the records behind each: ~100 built for nothing when
    the values are all a caller reads)."""
    metrics = [get(i) for i in dict.fromkeys(metric_ids)]
    out: dict[str, Figure] = {}
    groups: dict[tuple[str, str], list[Metric]] = {}
    for m in metrics:
        if m.person_field:
            out[m.id] = compute(m, unit, period, person)
        elif grouped(m):
            groups.setdefault((m.record_type, _date_field(m)), []).append(m)
        else:
            out[m.id] = compute_kept(m, unit, period, with_records=with_records)
    for (record_type, date_field), group in groups.items():
        # every catalogue figure of the type in the one scan (a FILTER each), whichever were asked for: the same
        # entry then serves any report template, and is reused until a record of that type is saved
        members = _members(record_type, date_field)
        members += tuple(m for m in group if m not in members)
        if within_computation():  # a page's result: kept per type, recounted only after a record of the type
            key = (tuple(m.id for m in members), unit.pk, period.start, period.end)
            # the query is built only to count (a kept entry found: ~25 types × 3 asks of a preview after a write)
            values = cached("metrics.group", key, functools.partial(_group_values, key, members, unit, period),
                            under=unit.path)
        else:
            values = _group_values(None, members, unit, period)
        index = {m.id: i for i, m in enumerate(members)}
        base = record_set(members[0], unit, period) if with_records else None
        for m in group:
            value = values[f"m{index[m.id]}"] or 0
            out[m.id] = _finish(m, unit, period, value, base.filter(**m.filter) if base is not None else None,
                                lambda v=values: v["__all"] > 0)
    return {i: out[i] for i in dict.fromkeys(metric_ids)}


def _group_values(key: tuple | None, members: tuple[Metric, ...], unit: Unit, period: Period) -> dict:
    """Every figure of one record type counted in one scan (a FILTER each); ``key``: kept per piece of the
    subtree (inside a page's result), else one aggregate."""
    base = record_set(members[0], unit, period)
    aggregates = {"__all": Count("pk")}
    for i, m in enumerate(members):
        condition = Q(**m.filter)
        aggregates[f"m{i}"] = Sum(m.field, filter=condition) if m.aggregate == "sum" else Count("pk", filter=condition)
    field = registry.get(members[0].record_type).unit_field
    if key is not None and field and unit.numchild:
        return _by_piece(key, base, aggregates, unit, field)
    return base.aggregate(**aggregates)


def _by_piece(key: tuple, base: QuerySet, aggregates: dict, unit: Unit, field: str) -> dict:
    """A type's grouped counts and sums added up over the pieces of the unit's subtree, each piece kept on its own
    (``web.pieces``: a 支部活动 saved in one company recounts that company's, not the province's 81,000)."""
    from lvzhi.web import pieces

    names = {f"lvzhi_{i}": name for i, name in enumerate(aggregates)}  # annotation names of one grouped query
    at = f"{field}__path"

    def grouped(paths: list[str], whole: bool) -> dict[str, dict]:
        out: dict[str, dict] = {path: {} for path in paths}
        rows = (pieces.narrowed(base, field, unit, paths, whole).order_by().values(at)
                .annotate(**{alias: aggregates[name] for alias, name in names.items()}))
        for row in rows:
            _add_into(out[pieces.piece_of(unit, row.pop(at))], {names[alias]: v for alias, v in row.items()})
        return out

    parts = pieces.per_piece("metrics.group.piece", key, unit, grouped)
    if parts is None:
        return base.aggregate(**aggregates)
    total: dict = {}
    for part in parts:
        _add_into(total, part)
    # as one aggregate over no rows: a count is 0, a sum None
    return {name: total.get(name, 0 if isinstance(agg, Count) else None) for name, agg in aggregates.items()}


def _add_into(total: dict, values: dict) -> None:
    for name, value in values.items():
        if value is not None:
            held = total.get(name)
            total[name] = value if held is None else held + value
