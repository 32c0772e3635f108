"""The roster of any Party organisation on any day, derived from members' events and posts.

A person's events become *stints*: stretches of days in one organisation with one status (正式/预备) and a
流动 flag. People without any event yet (data entered before histories were kept, or by a form that only knows
today's state) count from their ``Person`` row: from ``member_since`` until the day before ``left_on``.

Set-based: ``Rosters(org_ids)`` reads the events, fallback people and posts of all those organisations in three
queries and answers any number of (organisation, day) questions in memory.
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, DateField, F, Q, When

from lvzhi.org.models import PartyOrg, Person

from .models import COMMITTEE_ROLES, LEAVING, EventKind, MembershipEvent, OrgPost

ONE_DAY = dt.timedelta(days=1)
LO = dt.date.min


@dataclass(frozen=True, slots=True)
class Stint:
    person_id: int
    party_org_id: int
    status: str  # member / probationary
    flowing: bool
    start: dt.date | None  # first day; None = before records began
    end: dt.date | None  # last day; None = still

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)

    @property
    def voting(self) -> bool:
        """预备党员 have no vote (党章 第七条)."""
        return self.status == "member"


@dataclass(frozen=True, slots=True)
class State:
    party_org_id: int | None
    status: str | None
    flowing: bool


def _step(state: State, ev, last_org: int | None) -> State:
    kind = ev["kind"]
    if kind == EventKind.ENROLLED:
        return State(ev["party_org_id"], ev["status"] or "member", False)
    if kind == EventKind.ADMITTED:
        return State(ev["party_org_id"], "probationary", False)
    if kind == EventKind.FULL:
        return State(ev["party_org_id"] or state.party_org_id, "member", state.flowing)
    if kind == EventKind.TRANSFER:
        if ev["party_org_id"] is None:
            return State(None, None, False)
        return State(ev["party_org_id"], state.status or ev["status"] or "member", state.flowing)
    if kind == EventKind.FLOWING_OUT:
        return State(state.party_org_id, state.status, True)
    if kind == EventKind.FLOWING_BACK:
        return State(state.party_org_id, state.status, False)
    if kind in LEAVING:
        return State(None, None, False)
    if kind == EventKind.RESTORED:
        return State(ev["party_org_id"] or last_org, ev["status"] or "member", False)
    return state


EVENT_FIELDS = ("pk", "person_id", "kind", "date", "party_org_id", "status")


def stints_from_events(events: list[dict]) -> tuple[list[Stint], State]:
    """One person's events (dicts with EVENT_FIELDS) → their stints, and the state after the last event."""
    state, last_org = State(None, None, False), None
    out: list[Stint] = []
    start: dt.date | None = None
    for ev in sorted(events, key=lambda e: (e["date"] or LO, e["pk"] or 0)):
        new = _step(state, ev, last_org)
        if new == state:
            continue
        if state.party_org_id is not None and state.status:
            end = ev["date"] - ONE_DAY if ev["date"] else None
            if end is None or start is None or end >= start:
                out.append(Stint(ev["person_id"], state.party_org_id, state.status, state.flowing, start, end))
        state, start = new, ev["date"]
        if new.party_org_id is not None:
            last_org = new.party_org_id
    if state.party_org_id is not None and state.status and events:
        out.append(Stint(events[0]["person_id"], state.party_org_id, state.status, state.flowing, start, None))
    return out, state


def fallback_stint(p: Mapping[str, Any]) -> Stint:
    """A person without events: today's organisation and status, from member_since to the day before left_on."""
    end = p["left_on"] - ONE_DAY if p["left_on"] else None
    return Stint(p["pk"], p["party_org_id"], p["party_status"], False, p["member_since"], end)


def events_by_person(person_filter: Q) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for ev in MembershipEvent.objects.filter(person_filter).order_by().values(*EVENT_FIELDS):
        out.setdefault(ev["person_id"], []).append(ev)
    return out


class Rosters:
    """Members and committees of a set of organisations on any day (three queries, whatever the number of days).

    ``counts_only``: only ``count`` and ``committee`` are asked (the quorum and branch-structure checks) — no Stint
    is kept, only each organisation's sorted first and last days as arrays of day numbers (the 400,000 stints of
    the central scale were ~100 MB, held through the quorum check's chunks and the branch-structure check).
    ``selecting``: the organisations as a queryset of their pks (a subquery, not a list of 20,000 ids in SQL)."""

    def __init__(self, org_ids=None, *, counts_only: bool = False, selecting=None,
                 within: tuple[dt.date, dt.date] | None = None):
        if selecting is not None:
            org_ids = set(selecting.values_list("pk", flat=True))
            wanted = selecting.values("pk")
        else:
            org_ids = org_ids if isinstance(org_ids, (list, tuple, set, frozenset)) else list(org_ids)
            wanted = org_ids
        self.org_ids = set(org_ids)
        self.counts_only = counts_only
        # counts_only: the days that will be asked (first, last). The members without events are then read as one
        # row per organisation, status and day of joining or leaving inside them (those on the roll from before the
        # first day to after the last grouped in one), not one row each (35,000 in the province).
        self.within = within if counts_only else None
        # counts_only: {org: (starts, ends, voting starts, voting ends)} as day numbers (toordinal; 0 = no start)
        self._days: dict[int, tuple[array, array, array, array]] = {}
        touching = MembershipEvent.objects.filter(Q(party_org_id__in=wanted) | Q(from_org_id__in=wanted))
        self.stints: dict[int, list[Stint]] = {}
        for events in events_by_person(Q(person_id__in=touching.values("person_id"))).values():
            for s in stints_from_events(events)[0]:
                if s.party_org_id in self.org_ids:
                    self._put(s)
        plain = (Person.objects.filter(party_org_id__in=wanted, party_status__in=["member", "probationary"])
                 .exclude(pk__in=MembershipEvent.objects.values("person_id")))
        # Tuples through ``iterator()``, not a list of dicts: most members have no events (340,000 of 400,000 at
        # the central scale), and their rows held at once set the peak of ``lvzhi check --all`` there.
        # The organisation id and the status are the same few values for all of them: one object each is kept
        # (every row brings its own copies; ~35 MB at the central scale).
        stints, days = self.stints, self._days
        same: dict = {}
        if self.within is not None:
            self._add_plain_counts(plain, *self.within)
            plain = plain.none()
        rows = plain.order_by().values_list("pk", "party_org_id", "party_status", "member_since", "left_on")
        for pk, org_id, status, since, left_on in rows.iterator(chunk_size=5000):
            if counts_only:  # fallback_stint's days, without the Stint
                found = days.get(org_id)
                if found is None:
                    found = days[org_id] = (array("i"), array("i"), array("i"), array("i"))
                first = since.toordinal() if since else 0
                found[0].append(first)
                if left_on:
                    found[1].append(left_on.toordinal() - 1)
                if status == "member":
                    found[2].append(first)
                    if left_on:
                        found[3].append(left_on.toordinal() - 1)
                continue
            org_id, status = same.setdefault(org_id, org_id), same.setdefault(status, status)
            stints.setdefault(org_id, []).append(Stint(pk, org_id, status, False, since,
                                                       left_on - ONE_DAY if left_on else None))  # fallback_stint
        self._add_groups(wanted)
        for key, (starts, ends, vstarts, vends) in days.items():
            days[key] = tuple(array("i", sorted(a)) for a in (starts, ends, vstarts, vends))  # type: ignore[assignment]
        self.posts: dict[int, list[tuple]] = {}
        for org_id, person_id, role, start, end in (OrgPost.objects.filter(party_org_id__in=wanted)
                                                    .order_by().values_list("party_org_id", "person_id", "role",
                                                                            "start_on", "end_on")):
            self.posts.setdefault(org_id, []).append((person_id, role, start, end))
        without_posts = [o for o in self.org_ids if o not in self.posts]
        self.legacy_committee: dict[int, set[int]] = {}
        if without_posts:  # organisations whose committee has no dated posts yet: today's committee members
            for org_id, person_id in (PartyOrg.committee_members.through.objects.filter(partyorg_id__in=without_posts)
                                      .values_list("partyorg_id", "person_id")):
                self.legacy_committee.setdefault(org_id, set()).add(person_id)
        self._counts: dict[tuple[int, bool], tuple[list, list]] = {}
        self._seats: dict[int, tuple[list, list]] = {}

    def _add_plain_counts(self, plain, first: dt.date, last: dt.date) -> None:
        """The members without events on the roll some day of [first, last], grouped: a day of joining on or before
        ``first`` is read as none (on the roll from before), a day of leaving after ``last`` as none (still on it)
        — the same counts on every day of [first, last]; those who left by ``first`` or join after ``last`` go."""
        days = self._days
        grouped = (plain.exclude(left_on__lte=first).exclude(member_since__gt=last)
                   .annotate(since=Case(When(member_since__gt=first, then=F("member_since")), default=None,
                                        output_field=DateField()),
                             gone=Case(When(left_on__lte=last, then=F("left_on")), default=None,
                                       output_field=DateField()))
                   .order_by().values_list("party_org_id", "party_status", "since", "gone").annotate(n=Count("pk")))
        for org_id, status, since, left_on, n in grouped:
            found = days.get(org_id)
            if found is None:
                found = days[org_id] = (array("i"), array("i"), array("i"), array("i"))
            starts = [since.toordinal() if since else 0] * n
            found[0].extend(starts)
            if status == "member":
                found[2].extend(starts)
            if left_on:
                ends = [left_on.toordinal() - 1] * n
                found[1].extend(ends)
                if status == "member":
                    found[3].extend(ends)

    def _add_groups(self, org_ids) -> None:
        """党小组 among the organisations: their members on a day are those placed in the group that day
        (``GroupMembership``) who are on a Party roll that day, with that day's status. One query when none are."""
        from .models import GroupMembership

        placed = list(GroupMembership.objects.filter(group_id__in=org_ids).order_by()
                      .values_list("group_id", "person_id", "start_on", "end_on"))
        if not placed:
            return
        people = {pid for _, pid, _, _ in placed}
        life: dict[int, list[Stint]] = {}
        for pid, events in events_by_person(Q(person_id__in=people)).items():
            life[pid] = stints_from_events(events)[0]
        for p in (Person.objects.filter(pk__in=people - set(life), party_status__in=["member", "probationary"])
                  .order_by().values("pk", "party_org_id", "party_status", "member_since", "left_on")):
            life[p["pk"]] = [fallback_stint(p)]
        for group_id, pid, start, end in placed:
            for s in life.get(pid, ()):
                lo = max(start or LO, s.start or LO)
                hi = min(end or dt.date.max, s.end or dt.date.max)
                if lo <= hi:
                    self._put(Stint(pid, group_id, s.status, s.flowing, None if lo == LO else lo,
                                    None if hi == dt.date.max else hi))

    def _put(self, s: Stint) -> None:
        if not self.counts_only:
            self.stints.setdefault(s.party_org_id, []).append(s)
            return
        found = self._days.get(s.party_org_id)
        if found is None:
            found = self._days[s.party_org_id] = (array("i"), array("i"), array("i"), array("i"))
        first = s.start.toordinal() if s.start else 0
        for starts, ends in ((found[0], found[1]), *(((found[2], found[3]),) if s.voting else ())):
            starts.append(first)
            if s.end is not None:
                ends.append(s.end.toordinal())

    def members(self, org_id: int, day: dt.date) -> list[Stint]:
        if self.counts_only:
            raise TypeError("Rosters(counts_only=True) keeps no members, only their counts")
        return sorted((s for s in self.stints.get(org_id, ()) if s.covers(day)), key=lambda s: s.person_id)

    def count(self, org_id: int, day: dt.date, *, voting: bool = False) -> int:
        """Members on the day (voting: 正式党员 only) — by bisection over the organisation's change days."""
        if self.counts_only:
            if self.within is not None and not self.within[0] <= day <= self.within[1]:
                raise ValueError(f"Rosters(within={self.within}) asked about {day}")
            found = self._days.get(org_id)
            if found is None:
                return 0
            first, last = (found[2], found[3]) if voting else (found[0], found[1])
            n = day.toordinal()
            return bisect_right(first, n) - bisect_right(last, n - 1)
        key = (org_id, voting)
        if key not in self._counts:
            stints = [s for s in self.stints.get(org_id, ()) if s.voting or not voting]
            starts = sorted(s.start or LO for s in stints)
            ends = sorted(s.end for s in stints if s.end is not None)
            self._counts[key] = (starts, ends)
        starts, ends = self._counts[key]
        return bisect_right(starts, day) - bisect_right(ends, day - ONE_DAY)

    def committee_count(self, org_id: int, day: dt.date) -> int:
        """``len(committee(org_id, day))`` by bisection: each member's committee posts in the organisation joined
        into disjoint stretches (a person holding two posts that day counts once), their first and last days sorted
        once per organisation — the quorum check asks this for every 支委会 of the year."""
        posts = self.posts.get(org_id)
        if posts is None:
            return len(self.legacy_committee.get(org_id, ()))
        found = self._seats.get(org_id)
        if found is None:
            by_person: dict[int, list] = {}
            for person_id, role, start, end in posts:
                if role in COMMITTEE_ROLES and (start is None or end is None or start <= end):  # else no day
                    by_person.setdefault(person_id, []).append((start or LO, end or dt.date.max))
            starts, ends = [], []
            for spans in by_person.values():
                spans.sort()
                lo, hi = spans[0]
                for a, b in spans[1:]:
                    if a <= hi:  # overlapping: one stretch (adjacent ones may stay two: no day is in both)
                        hi = max(hi, b)
                        continue
                    starts.append(lo)
                    ends.append(hi)
                    lo, hi = a, b
                starts.append(lo)
                ends.append(hi)
            found = self._seats[org_id] = (sorted(starts), sorted(ends))
        starts, ends = found
        return bisect_right(starts, day) - bisect_left(ends, day)

    def committee(self, org_id: int, day: dt.date) -> set[int]:
        if org_id in self.posts:
            return {person_id for person_id, role, start, end in self.posts[org_id] if role in COMMITTEE_ROLES
                    and (start is None or start <= day) and (end is None or end >= day)}
        return set(self.legacy_committee.get(org_id, ()))


def roster(party_org: PartyOrg, on: dt.date) -> list[Stint]:
    """Who belongs to ``party_org`` on the day ``on`` (full and probationary members, 流动党员 included)."""
    return Rosters([party_org.pk]).members(party_org.pk, on)


def committee_roster(party_org: PartyOrg, on: dt.date) -> list[Person]:
    ids = Rosters([party_org.pk]).committee(party_org.pk, on)
    return list(Person.objects.filter(pk__in=ids).order_by("code"))


def member_intervals(person_ids) -> dict[int, list[tuple[dt.date | None, dt.date | None]]]:
    """For each person (ids, a subquery of them, or a Q on their events), the stretches of days they were on some
    organisation's roster (for coverage rules)."""
    out: dict[int, list] = {}
    with_events = events_by_person(person_ids if isinstance(person_ids, Q) else Q(person_id__in=person_ids))
    for pid, events in with_events.items():
        out[pid] = [(s.start, s.end) for s in stints_from_events(events)[0]]
    return out
