"""Who owes a rule: the subjects a rule selects, each with the stretches of time it belongs to the set.

Every selector is set-based: one or two queries for the whole subtree, whatever its size. A subject owes a
period only if it belongs to the set for the *whole* period (a branch set up on 10 March owes nothing for
March; a cadre appointed mid-year is first due the next year) — see ``Subject.covers``. Units add the same
condition through ``UnitIndex`` (tracked since, established, dissolved; inherited from ancestors).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from lvzhi.cadres.models import Appointment
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.partybuilding.models import ContactPoint

from . import conditions
from .periods import Period

ONE_DAY = dt.timedelta(days=1)
Interval = tuple[dt.date | None, dt.date | None]  # inclusive; None = open-ended


@dataclass(slots=True)
class Subject:
    kind: str
    pk: int
    label: str
    unit_id: int
    unit_path: str
    attrs: dict = field(default_factory=dict)  # values records link to: pk, unit, secretary …
    intervals: list[Interval] = field(default_factory=lambda: [(None, None)])
    record_type: str = ""  # for events: the record type of the subject itself

    def covers(self, period: Period) -> bool:
        if len(self.intervals) == 1:  # the usual case, without a generator (scale benchmark: 150,000 calls)
            a, b = self.intervals[0]
            return (a is None or a <= period.start) and (b is None or b >= period.end)
        return any((a is None or a <= period.start) and (b is None or b >= period.end) for a, b in self.intervals)

    @property
    def ref(self) -> str:
        """A stable reference used in URLs and exports: party_org:12, person:345, event:committee_meeting:7."""
        return f"{self.kind}:{self.record_type}:{self.pk}" if self.record_type else f"{self.kind}:{self.pk}"


def merge(intervals: list[Interval]) -> list[Interval]:
    """Join overlapping or adjacent intervals (a post ending 30 June and the next starting 1 July are one)."""
    lo = dt.date.min
    items = sorted(intervals, key=lambda iv: iv[0] or lo)
    out: list[list] = []
    for a, b in items:
        if out:
            pa, pb = out[-1]
            if pb is None or (a or lo) <= pb + ONE_DAY:
                out[-1][1] = None if (pb is None or b is None) else max(pb, b)
                continue
        out.append([a, b])
    return [(a, b) for a, b in out]


def _clip(iv: Interval, bound: Interval) -> Interval | None:
    a0, b0 = iv
    a1, b1 = bound
    a = a1 if a0 is None else a0 if a1 is None else max(a0, a1)
    b = b1 if b0 is None else b0 if b1 is None else min(b0, b1)
    if a is not None and b is not None and a > b:
        return None
    return (a, b)


# --- units -------------------------------------------------------------------------------------------

@dataclass(slots=True)
class UnitInfo:
    pk: int
    path: str
    name: str
    tracked_since: dt.date | None
    established_on: dt.date | None
    dissolved_on: dt.date | None


class UnitIndex:
    """The units of a subtree with what they inherit from their ancestors: one query."""

    def __init__(self, root: Unit):
        self.root = root
        steplen = Unit.steplen
        ancestor_paths = [root.path[:i] for i in range(steplen, len(root.path), steplen)]
        rows = (Unit.objects.filter(Q(path__startswith=root.path) | Q(path__in=ancestor_paths))
                .order_by("path").values("pk", "path", "name", "tracked_since", "established_on", "dissolved_on"))
        by_path: dict[str, UnitInfo] = {}
        self.by_id: dict[int, UnitInfo] = {}
        self._covers: dict[tuple, bool] = {}
        for r in rows:
            parent = by_path.get(r["path"][:-steplen])
            tracked, est, dis = r["tracked_since"], r["established_on"], r["dissolved_on"]
            if parent is not None:
                tracked = tracked or parent.tracked_since  # the nearest ancestor that sets it
                est = max([d for d in (est, parent.established_on) if d], default=None)
                dis = min([d for d in (dis, parent.dissolved_on) if d], default=None)  # no unit outlives its parent
            info = UnitInfo(r["pk"], r["path"], r["name"], tracked, est, dis)
            by_path[r["path"]] = info
            self.by_id[r["pk"]] = info

    def covers(self, unit_id: int, period: Period) -> bool:
        """Tracked from the period's start, established by then and not dissolved before its end."""
        key = (unit_id, period.start, period.end)
        known = self._covers.get(key)
        if known is None:  # asked once per subject and period: remembered per unit (scale benchmark)
            known = self._covers[key] = self._compute_covers(unit_id, period)
        return known

    def _compute_covers(self, unit_id: int, period: Period) -> bool:
        u = self.by_id.get(unit_id)
        if u is None or u.tracked_since is None or u.tracked_since > period.start:
            return False
        if u.established_on and u.established_on > period.start:
            return False
        return not (u.dissolved_on and u.dissolved_on < period.end)  # 撤销日期 = the last day it exists

    def days(self, unit_id: int) -> tuple[dt.date, dt.date] | None:
        """The first and last day the unit is tracked and alive (``covers`` of a one-day period, for events: a
        unit's meetings are on many days), None when never."""
        u = self.by_id.get(unit_id)
        if u is None or u.tracked_since is None:
            return None
        return max(u.tracked_since, u.established_on or dt.date.min), u.dissolved_on or dt.date.max

    def name(self, unit_id: int) -> str:
        u = self.by_id.get(unit_id)
        return u.name if u else ""


# --- selectors per subject kind --------------------------------------------------------------------

def _path_filter(prefix: str, path: str) -> Q:
    return Q(**{f"{prefix}path__startswith": path})


def _only(qs: QuerySet, pks) -> QuerySet:
    """Some subjects only (``pks``; None: all) — the stored results' upkeep recomputes one subject's cells; a Q:
    those it selects (a chunk of ``engine.stream(chunk=…)``)."""
    if pks is None:
        return qs
    return qs.filter(pks) if isinstance(pks, Q) else qs.filter(pk__in=list(pks))


def party_orgs(path: str, cond: dict, pks=None) -> tuple[QuerySet, list[Subject]]:
    qs = _only(PartyOrg.objects.filter(_path_filter("unit__", path)), pks)
    kinds = conditions.as_list(cond.get("kinds"))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if cond.get("with_committee") is True:
        qs = qs.filter(pk__in=PartyOrg.committee_members.through.objects.values("partyorg_id"))
    elif cond.get("with_committee") is False:
        qs = qs.exclude(pk__in=PartyOrg.committee_members.through.objects.values("partyorg_id"))
    if cond.get("with_secretary") is True:
        qs = qs.filter(secretary__isnull=False)
    subjects = [
        Subject("party_org", r["pk"], r["name"], r["unit_id"], r["unit__path"],
                {"pk": r["pk"], "unit": r["unit_id"], "secretary": r["secretary_id"]},
                [(r["established_on"], r["dissolved_on"])])  # 撤销日期 = the last day it exists
        for r in qs.order_by("code").values("pk", "name", "unit_id", "unit__path", "secretary_id", "established_on",
                                            "dissolved_on")
    ]
    return qs, subjects


def units(path: str, cond: dict, pks=None) -> tuple[QuerySet, list[Subject]]:
    qs = _only(Unit.objects.filter(_path_filter("", path)), pks)
    if conditions.as_list(cond.get("kinds")):
        qs = qs.filter(kind__in=conditions.as_list(cond["kinds"]))
    if conditions.as_list(cond.get("categories")):
        qs = qs.filter(category__in=conditions.as_list(cond["categories"]))
    subjects = [Subject("unit", r["pk"], r["name"], r["pk"], r["path"], {"pk": r["pk"], "unit": r["pk"]})
                for r in qs.order_by("path").values("pk", "name", "path")]
    return qs, subjects  # established/dissolved come through UnitIndex


def contact_points(path: str, cond: dict, pks=None) -> tuple[QuerySet, list[Subject]]:
    qs = _only(ContactPoint.objects.filter(_path_filter("unit__", path)), pks)
    subjects = [
        Subject("contact_point", r["pk"], f"{r['leader__name']}联系{r['unit__name']}", r["unit_id"], r["unit__path"],
                {"pk": r["pk"], "unit": r["unit_id"], "leader": r["leader_id"]}, [(r["date"], r["end_date"])])
        for r in qs.order_by("date", "pk").values("pk", "leader_id", "leader__name", "unit_id", "unit__name",
                                                  "unit__path", "date", "end_date")
    ]
    return qs, subjects


def people(path: str, cond: dict, pks=None) -> tuple[QuerySet, list[Subject]]:
    """People in any of the listed sets (their union):

    levels=leadership,middle   holding a post at these levels (from Appointment history; the person's current level
                               when no appointment at these levels is recorded)
    key_post=是                in a 人财物 key post (current flag) while employed
    party_member=是            a Party member (full or probationary) of a Party organisation, from joining the Party
    exclude_secretary_of=…     minus the secretaries of Party organisations of these kinds (they are talked to from above)
    """
    levels = conditions.as_list(cond.get("levels"))
    key_post = cond.get("key_post") is True
    party_member = cond.get("party_member") is True
    any_set = Q(pk__in=[])
    if levels:
        any_set |= Q(cadre_level__in=levels) | Q(pk__in=Appointment.objects.filter(level__in=levels).values("person_id"))
    if key_post:
        any_set |= Q(is_key_post=True)
    if party_member:
        from lvzhi.membership.models import MembershipEvent

        any_set |= (Q(party_status__in=["member", "probationary"], party_org__isnull=False)
                    | Q(pk__in=MembershipEvent.objects.values("person_id")))
    qs = _only(Person.objects.filter(_path_filter("unit__", path)), pks).filter(any_set)
    excluded = conditions.as_list(cond.get("exclude_secretary_of"))
    if excluded:
        qs = qs.exclude(pk__in=PartyOrg.objects.filter(kind__in=excluded, secretary__isnull=False).values("secretary_id"))
    # The posts and Party-life events of the selected people: when all of the subtree's are selected, those of the
    # subtree's people by a join — the selection's subquery again cost twice as much in the database (its conditions
    # over every person of the subtree, 52,099 in the province).
    among = qs.values("pk") if pks is not None else None
    posts: dict[int, list[Interval]] = {}
    if levels:
        mine = Q(person__in=among) if among is not None else Q(person__unit__path__startswith=path)
        for person_id, start, end in (Appointment.objects.filter(mine, level__in=levels)
                                      .values_list("person_id", "date", "ended_on")):
            posts.setdefault(person_id, []).append((start, end))
    member_spans: dict[int, list[Interval]] = {}
    if party_member:
        from lvzhi.membership.selectors import member_intervals

        member_spans = member_intervals(among if among is not None else Q(person__unit__path__startswith=path))
    subjects: list[Subject] = []
    append = subjects.append
    member_statuses = ("member", "probationary")
    # Tuples, and one span clipped inline: 400,000 members at the central scale, nearly all with one span.
    for (pk, code, name, unit_id, unit_path, unit_name, cadre_level, is_key_post, party_status, party_org_id,
         member_since, joined_on, left_on) in qs.order_by("code").values_list(
            "pk", "code", "name", "unit_id", "unit__path", "unit__name", "cadre_level", "is_key_post", "party_status",
            "party_org_id", "member_since", "joined_on", "left_on").iterator(chunk_size=5000):  # rows not all kept
        last = left_on - ONE_DAY if left_on else None
        spans: list[Interval] = []
        if levels:
            if pk in posts:
                spans += posts[pk]
            elif cadre_level in levels:
                spans.append((None, None))
        if key_post and is_key_post:
            spans.append((None, None))
        if party_member:
            if pk in member_spans:  # from the person's Party-life events (membership.selectors)
                spans += member_spans[pk]
            elif party_status in member_statuses and party_org_id:
                spans.append((member_since, None))
        if len(spans) == 1:  # _clip(spans[0], employed), inline
            a, b = spans[0]
            if joined_on is not None and (a is None or a < joined_on):
                a = joined_on
            if last is not None and (b is None or b > last):
                b = last
            if a is not None and b is not None and a > b:
                continue
            intervals = [(a, b)]
        else:
            employed: Interval = (joined_on, last)
            clipped = [c for c in (_clip(s, employed) for s in spans) if c is not None]
            if not clipped:
                continue
            intervals = merge(clipped)
        append(Subject("person", pk, f"{name}（{code}）", unit_id, unit_path,
                       {"pk": pk, "unit": unit_id, "unit_name": unit_name}, intervals))
    return qs, subjects


SELECTORS = {
    "party_org": party_orgs,
    "unit": units,
    "contact_point": contact_points,
    "person": people,
}


def select(kind: str, path: str, cond: dict, pks=None) -> tuple[QuerySet, list[Subject]]:
    return SELECTORS[kind](path, cond, pks)
