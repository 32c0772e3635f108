"""Facts a report quotes from records: names, titles, dates — each keeps the records it came from.

Metrics are numbers defined in the catalogue; facts are the words around them (the contact plant's name, the
media channel's name, a campaign's title). Each function returns a ``Fact`` (or a list of them); a fact with
no record behind it is missing and shows as 【待补充】 in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from lvzhi.metrics.compute import Period
from lvzhi.org.models import Person, Unit, UnitFact

from .phrasing import cn as cn_number

UNIT_FACT_LABELS = {"strategy": "发展战略", "party_brand": "党建品牌", "committee_brand": "党委品牌",
                    "media_centre": "融媒体中心"}


@dataclass
class Fact:
    label: str
    value: object = None  # the text (or number) to print; None = missing
    records: list = field(default_factory=list)  # model instances behind it
    attrs: dict = field(default_factory=dict)

    @property
    def missing(self) -> bool:
        return self.value is None or self.value == ""

    def __getattr__(self, name):
        attrs = self.__dict__.get("attrs", {})
        if name in attrs:
            return attrs[name]
        raise AttributeError(name)


def _plants_of(units: list[Unit]) -> dict[int, Unit]:
    """The plant, department or company each unit belongs to (the name people use for a branch's unit): the
    nearest of the unit and its ancestors, read for all units in one query (not one per honour)."""
    steplen = Unit.steplen
    paths = {u.path[:i] for u in units for i in range(steplen, len(u.path) + 1, steplen)}
    by_path = {u.path: u for u in Unit.objects.filter(path__in=paths)} if paths else {}
    out = {}
    for unit in units:
        chain = [by_path.get(unit.path[:i], unit) for i in range(len(unit.path), 0, -steplen)]
        out[unit.pk] = next((u for u in chain if u.kind in ("plant", "department", "company")), unit)
    return out


class Facts:
    """Fact lookups for one unit (subtree) and period, as the template sees them."""

    def __init__(self, unit: Unit, period: Period, secretary: Person | None):
        self.unit, self.period, self.secretary = unit, period, secretary

    def _in(self, model, **filters) -> QuerySet:
        return model.objects.filter(self.unit.subtree_q("unit__"), date__gte=self.period.start,
                                    date__lte=self.period.end, **filters)

    # --- org
    def unit_fact(self, key: str) -> Fact:
        row = (UnitFact.objects.filter(key=key, unit__path__in=_ancestor_paths(self.unit), date__lte=self.period.end)
               .order_by("-unit__depth", "-date").first())
        if row is not None:
            return Fact(row.label, row.value, [row])
        # missing: named as people name it elsewhere (another unit's fact with this key), never by its key
        label = (UnitFact.objects.filter(key=key).exclude(label="").values_list("label", flat=True).first()
                 or UNIT_FACT_LABELS.get(key, "单位基本情况"))
        return Fact(label, None)

    # --- party building
    def contact_point(self) -> Fact:
        from lvzhi.partybuilding.models import ContactPoint

        qs = ContactPoint.objects.filter(self.unit.subtree_q("unit__"), date__lte=self.period.end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=self.period.start))
        if self.secretary is not None:
            qs = qs.filter(leader=self.secretary)
        cp = qs.select_related("unit").order_by("date").first()
        if cp is None:
            return Fact("书记联系点", None)
        start = cp.unit.established_on.year if cp.unit.established_on else None
        return Fact("书记联系点", cp.unit.name, [cp], {"unit_obj": cp.unit, "title": cp.title,
                                                      "years_since_start": (self.period.end.year - start) if start else None})

    def business_peak(self, unit: Unit | None, indicator: str = "loss_reduction") -> Fact:
        """The month with the highest value of an indicator (the seed: 该厂10月份减亏增效近300万元)."""
        from lvzhi.partybuilding.models import BusinessResult

        if unit is None:
            return Fact("经营成果", None)
        row = (BusinessResult.objects.filter(unit=unit, indicator=indicator, date__gte=self.period.start,
                                             date__lte=self.period.end).order_by("-value", "date").first())
        if row is None:
            return Fact("经营成果峰值月份", None)
        return Fact("经营成果峰值月份", row.date.month, [row], {"amount": row.value, "measure": row.measure})

    def profit_total(self, unit: Unit | None) -> Fact:
        from django.db.models import Sum

        from lvzhi.partybuilding.models import BusinessResult

        if unit is None:
            return Fact("年度利润", None)
        rows = BusinessResult.objects.filter(unit=unit, indicator="profit", date__gte=self.period.start,
                                             date__lte=self.period.end)
        total = rows.aggregate(v=Sum("value"))["v"]
        return Fact("年度利润", total, list(rows))

    def innovations(self, kind: str = "product", fills_gap: bool | None = None) -> list[Fact]:
        from lvzhi.partybuilding.models import Innovation

        qs = self._in(Innovation, kind=kind)
        if fills_gap is not None:
            qs = qs.filter(fills_gap=fills_gap)
        return [Fact("科技创新", i.title, [i], {"platform": i.platform}) for i in qs.order_by("date", "pk")]

    def lab(self) -> Fact:
        from lvzhi.partybuilding.models import Innovation

        products = [f for f in self.innovations("product") if f.platform]
        if products:
            return Fact("依托平台", products[0].platform, products[0].records)
        lab = Innovation.objects.filter(self.unit.subtree_q("unit__"), kind="lab", date__lte=self.period.end
                                        ).order_by("-date").first()
        return Fact("依托平台", lab.title if lab else None, [lab] if lab else [])

    def external_speech(self) -> Fact:
        from lvzhi.partybuilding.models import StudySession

        qs = self._in(StudySession, kind="external_speech")
        if self.secretary is not None:
            qs = qs.filter(speaker=self.secretary)
        row = qs.order_by("date").first()
        return Fact("外部交流发言", row.host if row else None, [row] if row else [])

    def honours(self, kind: str | None = None, level: str | None = None) -> list[Fact]:
        from lvzhi.partybuilding.models import Honour

        filters = {k: v for k, v in (("kind", kind), ("level", level)) if v}
        rows = list(self._in(Honour, **filters).select_related("party_org__unit", "unit")
                    .order_by("date", "pk"))
        plants = _plants_of([h.party_org.unit for h in rows if h.party_org_id])
        out = []
        for h in rows:
            owner = plants[h.party_org.unit_id].name if h.party_org_id else h.unit.name
            label = f"{owner}“{h.brand}”" if h.brand else (h.party_org.name if h.party_org_id else h.title)
            out.append(Fact("荣誉", label, [h], {"owner": owner, "brand": h.brand, "title": h.title,
                                                 "level": h.get_level_display()}))
        return out

    def org_life_theme(self) -> Fact:
        from lvzhi.partybuilding.models import BranchActivity

        row = (self._in(BranchActivity, kind="org_life_meeting").exclude(theme="").values("theme")
               .annotate(n=Count("pk")).order_by("-n", "theme").first())
        if row is None:
            return Fact("组织生活会专题", None)
        records = list(self._in(BranchActivity, kind="org_life_meeting", theme=row["theme"])[:50])
        return Fact("组织生活会专题", row["theme"], records)

    # --- governance
    def pre_review_threshold(self, matter_type: str) -> Fact:
        from lvzhi.governance.models import PreReviewRule

        rule = (PreReviewRule.objects.filter(unit__path__in=_ancestor_paths(self.unit), matter_type=matter_type,
                                             date__lte=self.period.end)
                .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.period.start))
                .order_by("-unit__depth", "-date").first())
        if rule is None or rule.threshold is None:
            return Fact(f"“{matter_type}”前置研究金额门槛", None, [rule] if rule else [])
        return Fact(f"“{matter_type}”前置研究金额门槛", Decimal(rule.threshold), [rule])

    # --- ideology
    def media_channel(self) -> Fact:
        from lvzhi.ideology.models import MediaChannel

        ch = (MediaChannel.objects.filter(self.unit.subtree_q("unit__"), date__lte=self.period.end)
              .annotate(n=Count("posts", filter=Q(posts__date__gte=self.period.start, posts__date__lte=self.period.end)))
              .order_by("-n", "date").first())
        return Fact("新媒体账号", ch.name if ch else None, [ch] if ch else [])

    def media_ranking(self) -> Fact:
        from lvzhi.ideology.models import MediaRanking

        rows = list(self._in(MediaRanking).order_by("date"))
        if not rows:
            return Fact("新媒体排行", None)
        best = min(r.position for r in rows)
        return Fact("新媒体排行", rows[-1].title, rows, {
            "best": best, "latest": rows[-1].position, "always_first": all(r.position == 1 for r in rows),
            "best_cn": cn_number(best), "periods": len(rows)})

    def campaign(self, quarter: int) -> Fact:
        from lvzhi.ideology.models import Campaign

        row = self._in(Campaign, quarter=quarter).order_by("date").first()
        if row is None:
            return Fact(f"{cn_number(quarter)}季度主题活动", None)
        return Fact(f"{cn_number(quarter)}季度主题活动", row.title, [row], {"form": row.get_form_display()})


class Narrative:
    """The words of a generic report: measures, visits, campaigns, study topics — each a record's own title and
    description, never template text. Confidential record types are not read here."""

    def __init__(self, facts: Facts):
        self.f = facts

    def initiatives(self) -> list[Fact]:
        from lvzhi.partybuilding.models import Initiative

        return [Fact("帮扶举措", i.title, [i], {"description": i.description, "kind": i.get_kind_display()})
                for i in self.f._in(Initiative).order_by("date", "pk")[:20]]

    def visits(self) -> list[Fact]:
        """联系点调研督导 of the period, the reporter's own when the report has one."""
        from lvzhi.partybuilding.models import ContactVisit

        qs = self.f._in(ContactVisit).select_related("contact_point__unit")
        if self.f.secretary is not None:
            qs = qs.filter(contact_point__leader=self.f.secretary)
        return [Fact("联系点调研督导", v.title, [v], {"findings": v.findings, "follow_ups": v.follow_ups,
                                                   "place": v.contact_point.unit.name, "kind": v.get_kind_display()})
                for v in qs.exclude(findings="").order_by("date", "pk")[:3]]

    def campaigns(self) -> list[Fact]:
        from lvzhi.ideology.models import Campaign

        return [Fact("主题宣传教育活动", c.title, [c], {"form": c.get_form_display(), "description": c.description,
                                                    "audience": c.audience})
                for c in self.f._in(Campaign).order_by("date", "pk")[:20]]

    def honour_groups(self) -> list[Fact]:
        """Honours of the period by title: “A、B获评‘五强’党支部”, or a count where no organisation is named."""
        groups: dict[str, list[Fact]] = {}
        for h in self.f.honours():
            groups.setdefault(h.attrs["title"], []).append(h)
        out = []
        for title, items in groups.items():
            named = [str(h.value) for h in items if h.records[0].party_org_id]
            owners = "、".join(dict.fromkeys(named)) if len(named) == len(items) and len(items) <= 6 else ""
            out.append(Fact("荣誉", title, [r for h in items for r in h.records], {"owners": owners, "count": len(items)}))
        return out

    def study_topics(self, kind: str | None = None, n: int = 3) -> list[Fact]:
        from lvzhi.partybuilding.models import StudySession

        qs = self.f._in(StudySession).exclude(kind="external_speech")
        if kind:
            qs = qs.filter(kind=kind)
        seen, out = set(), []
        for s in qs.order_by("date", "pk")[:200]:
            if s.title not in seen:
                seen.add(s.title)
                out.append(Fact("学习主题", s.title.split("：", 1)[-1], [s], {"kind": s.get_kind_display()}))
        return out[:n]

    def activities(self, kind: str | None = None, n: int = 3) -> list[Fact]:
        from lvzhi.partybuilding.models import BranchActivity

        qs = self.f._in(BranchActivity)
        if kind:
            qs = qs.filter(kind=kind)
        seen, out = set(), []
        for a in qs.order_by("date", "pk")[:500]:
            title = a.title.split("：", 1)[-1]
            if title not in seen:
                seen.add(title)
                out.append(Fact("支部活动", title, [a], {"kind": a.get_kind_display(), "theme": a.theme}))
        return out[:n]

    def warning_educations(self) -> list[Fact]:
        from lvzhi.integrity.models import WarningEducation

        return [Fact("警示教育", w.title, [w], {"form": w.get_form_display(), "audience": w.audience})
                for w in self.f._in(WarningEducation).order_by("date", "pk")[:8]]

    def inspections(self) -> list[Fact]:
        from lvzhi.integrity.models import Inspection

        return [Fact("监督检查", i.title, [i], {"kind": i.get_kind_display()})
                for i in self.f._in(Inspection).order_by("date", "pk")[:8]]


def _ancestor_paths(unit: Unit) -> list[str]:
    return [unit.path[:i] for i in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
