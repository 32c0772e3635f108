"""What a write touches, recomputed right after it commits: the stored results follow the data.

The write paths call ``touch`` inside their transaction (``records.services`` create/update/delete — which is also
how rosters, people, units and rules are edited one at a time —, ``imports.writing`` for bulk rows,
``obligations.services.revise_rule``); on update and delete they call it with the record as it was, too. A touch
works out, while the rows are still there:

- the rules: those the record type satisfies (``record_type``), the event rules whose events or evidence it is
  (``EVENT_TYPES``), and every rule for the records that decide who owes what (``MASTER``: units, Party
  organisations, people, posts, rosters, appointments, contact points) or a rule itself;
- the units: the record's unit, and the units of the subjects its link names (a 讲党课 given by a secretary counts
  for that secretary's organisation, a 谈话 for the people talked to, wherever they are);
- the years: those stored (``StoredYear``) that the record's dates fall in — for a count rule the year of the date
  (and of its week); for the other rules every stored year, as their events reach across years.

After commit (``transaction.on_commit``, in the process that wrote) each rule is recomputed for the smallest set
of subtrees that holds the marked units (``stored.replace``). A failed recomputation marks the year incomplete, so
readers go back to the engine until the next ``lvzhi recompute``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.partybuilding.models import ContactPoint

from .engine import SUBJECT_FIELDS, Focus
from .models import Check, ObligationRule, StoredYear

log = logging.getLogger(__name__)

EVENT_TYPES: dict[str, set[str]] = {
    Check.FIRST_AGENDA: {"committee_meeting", "study_session"},
    Check.PRE_REVIEW: {"major_matter", "pre_review", "pre_review_rule"},
    Check.PRE_APPOINTMENT_TALK: {"appointment", "integrity_talk"},
    Check.RECTIFICATION: {"rectification", "finding"},
    Check.QUORUM: {"branch_activity", "attendance"},
    Check.DEVELOPMENT: {"development"},
    Check.DUES: {"dues_payment"},
    Check.TRAINING_HOURS: {"training_record"},
}
ROSTERS = {"org_post", "group_membership", "membership_event"}  # who belongs to a Party organisation, and when
MASTER = {"unit", "party_org", "person", "appointment", "contact_point", "membership_event", "org_post",
          "group_membership"}
SUBJECT_MODELS: dict[str, tuple[Any, str]] = {"party_org": (PartyOrg, "unit_id"), "unit": (Unit, "pk"), "person": (Person, "unit_id"),
                  "contact_point": (ContactPoint, "unit_id")}

# Event rules whose subject is the record itself: a write of one recomputes that event's cells only.
OWN_EVENTS: dict[str, str] = {
    Check.FIRST_AGENDA: "committee_meeting",
    Check.PRE_REVIEW: "major_matter",
    Check.PRE_APPOINTMENT_TALK: "appointment",
    Check.RECTIFICATION: "rectification",
    Check.QUORUM: "branch_activity",
    Check.DEVELOPMENT: "development",
}


@dataclass
class Mark:
    """What of one rule and year to recompute: the subtrees of ``units`` — the whole rule there (``whole``),
    or only the cells of some subjects and events, in the periods holding ``days`` (None: every period)."""

    units: set[int] = field(default_factory=set)
    whole: bool = False
    subjects: dict[str, set[int]] = field(default_factory=dict)
    events: dict[str, set[int]] = field(default_factory=dict)
    days: set[dt.date] | None = field(default_factory=set)


_state = threading.local()


def _pending() -> dict[tuple[int, str], Mark]:
    """The marks of the current transaction: {(year, rule_id): Mark}. Fresh when our flush is no longer
    waiting for the commit (it ran, or the transaction that registered it was rolled back)."""
    callback = getattr(_state, "callback", None)
    if callback is None or not any(entry[1] is callback for entry in connection.run_on_commit):
        marks: dict[tuple[int, str], Mark] = {}
        _state.marks = marks

        def flush() -> None:
            if getattr(_state, "callback", None) is flush:
                _state.callback = None
            _flush(marks)

        _state.callback = flush
        transaction.on_commit(flush)  # at once when not in a transaction
    return _state.marks


def _mark(marks: dict[tuple[int, str], Mark], year: int, rule_id: str) -> Mark:
    return marks.setdefault((year, rule_id), Mark())


def _stored_years() -> list[int]:
    return list(StoredYear.objects.filter(complete=True).values_list("year", flat=True))


def _rules(key: str) -> list[ObligationRule]:
    if key in MASTER:
        return list(ObligationRule.objects.all())
    return [v for v in ObligationRule.objects.all()
            if (v.record_type == key or key in EVENT_TYPES.get(v.check_type, ()))
            and not (v.check_type == Check.RECTIFICATION and v.parameters.get("source") == "appraisal")]


def _linked_subjects(rule: ObligationRule, model, pks: list[int], seen: dict) -> tuple[set[int], set[int]] | None:
    """(subject pks, their units) that these records count for under a count rule's link; None when the link
    cannot be followed (a revised rule naming a field the model lacks). ``seen``: the answers of this touch
    (most rules of a record type share their link)."""
    if not rule.link_pairs or rule.subject not in SUBJECT_MODELS:
        return None
    path, attr = rule.link_pairs[0]
    key = (rule.subject, path, attr)
    if key not in seen:
        seen[key] = _follow(rule.subject, path, attr, model, pks)
    return seen[key]


def _follow(subject: str, path: str, attr: str, model, pks: list[int]) -> tuple[set[int], set[int]] | None:
    try:
        values = [v for v in model._default_manager.filter(pk__in=pks).values_list(path, flat=True) if v is not None]
    except Exception:  # noqa: BLE001
        return None
    subject_model, unit_field = SUBJECT_MODELS[subject]
    field_ = SUBJECT_FIELDS[subject].get(attr, "pk")
    rows = subject_model.objects.filter(**{f"{field_}__in": values}).values_list("pk", unit_field) if values else []
    found = set(rows)
    return {pk for pk, _ in found}, {u for _, u in found if u is not None}


def _linked_units(rule: ObligationRule, model, pks: list[int]) -> set[int]:
    """Units of the subjects (or events) that the records link to through the rule's link."""
    if not rule.link_pairs or not pks:
        return set()
    path, attr = rule.link_pairs[0]
    try:
        values = [v for v in model._default_manager.filter(pk__in=pks).values_list(path, flat=True) if v is not None]
    except Exception:  # noqa: BLE001 — a revised rule naming a field the model lacks judges nothing
        return set()
    if not values:
        return set()
    if rule.check_type == Check.COUNT and rule.subject in SUBJECT_MODELS:
        subject_model, unit_field = SUBJECT_MODELS[rule.subject]
        field = SUBJECT_FIELDS[rule.subject].get(attr, "pk")
        return set(subject_model.objects.filter(**{f"{field}__in": values}).values_list(unit_field, flat=True))
    related: Any = model._meta.get_field(path.split("__")[0]).related_model
    units: set[int] = set()
    if related is not None and any(f.name == "unit" for f in related._meta.fields):
        units |= set(related._default_manager.filter(pk__in=values).values_list("unit_id", flat=True))
    if related is Person:  # an appointment may be in another unit than the person
        from lvzhi.cadres.models import Appointment

        units |= set(Appointment.objects.filter(person_id__in=values).values_list("unit_id", flat=True))
    return units


def _own_units(rt, model, pks: list[int]) -> set[int]:
    if rt.key == "unit":
        return set(pks)
    names = {f.name for f in model._meta.fields}
    units: set[int] = set()
    for name, through in (("unit", "unit_id"), ("party_org", "party_org__unit_id"), ("person", "person__unit_id")):
        if name in names:
            units |= set(model._default_manager.filter(pk__in=pks).values_list(through, flat=True))
    return {u for u in units if u is not None}


def _years(rule: ObligationRule, rt, dates: set[dt.date], stored: list[int]) -> set[int]:
    if rule.check_type != Check.COUNT or rt.key != rule.record_type or not dates:
        return set(stored)
    years = {d.year for d in dates} | {(d - dt.timedelta(days=6)).year for d in dates}  # a week of the year before
    return years & set(stored)


def touch(rt, objs: Iterable) -> None:
    """Mark what these records (as they are in the database now) take part in; call inside the write's
    transaction, before a delete and both before and after an update."""
    objs = [o for o in objs if o.pk is not None]
    if not objs:
        return
    stored = _stored_years()
    if not stored:
        return
    model = rt.model
    pks = [o.pk for o in objs]
    marks = _pending()
    if rt.key == "obligation_rule":
        roots = list(Unit.objects.get_root_nodes().values_list("pk", flat=True))
        for o in objs:
            owner = [o.unit_id] if o.unit_id else roots
            for year in stored:
                mark = _mark(marks, year, o.rule_id)
                mark.whole = True
                mark.units.update(owner)
        _now_if_no_transaction(marks)
        return
    if rt.key in ROSTERS:
        _touch_roster(marks, model, pks, stored)
        _now_if_no_transaction(marks)
        return
    own = _own_units(rt, model, pks)
    dates = set()
    if rt.date_field:
        dates = {d for d in model._default_manager.filter(pk__in=pks).values_list(rt.date_field, flat=True) if d}
        dates = {d.date() if isinstance(d, dt.datetime) else d for d in dates}
    seen: dict = {}
    for rule in _rules(rt.key):
        years = _years(rule, rt, dates, stored)
        if not years:
            continue
        linked = None
        if rule.check_type == Check.COUNT and rule.record_type == rt.key and rt.key not in MASTER:
            linked = _linked_subjects(rule, model, pks, seen)  # the subjects it counts for, in its periods
        own_event = OWN_EVENTS.get(rule.check_type) == rt.key
        for year in years:
            mark = _mark(marks, year, rule.rule_id)
            if linked is not None:
                subjects, units = linked
                mark.units |= units
                mark.subjects.setdefault(rule.subject, set()).update(subjects)
                if mark.days is not None:
                    mark.days |= dates if dates else set()
                    if not dates:
                        mark.days = None
            elif own_event:
                mark.units |= own
                mark.events.setdefault(rt.key, set()).update(pks)
            else:  # evidence of events elsewhere, or who owes what: the rule for the subtrees concerned
                mark.whole = True
                mark.units |= own | (_linked_units(rule, model, pks) if rule.record_type == rt.key else set())
    _now_if_no_transaction(marks)


def _touch_roster(marks: dict[tuple[int, str], Mark], model, pks: list[int], stored: list[int]) -> None:
    """A roster changed: every rule, for the organisations whose roster it is (and the person's other ones: a
    Party-life event moves the person's stints), the person, those organisations' meetings (quorum by the roster
    of the day) and the person's development records — all periods."""
    from lvzhi.membership.models import GroupMembership, MembershipEvent
    from lvzhi.partybuilding.models import BranchActivity

    names = {f.name for f in model._meta.fields}
    orgs: set[int] = set()
    people: set[int] = set()
    for name in ("party_org", "from_org", "group", "person"):
        if name in names:
            ids = {v for v in model._default_manager.filter(pk__in=pks).values_list(name, flat=True) if v}
            (people if name == "person" else orgs).update(ids)
    for a, b in MembershipEvent.objects.filter(person_id__in=people).values_list("party_org_id", "from_org_id"):
        orgs.update(x for x in (a, b) if x)
    orgs |= set(GroupMembership.objects.filter(person_id__in=people).values_list("group_id", flat=True))
    orgs |= {o for o in Person.objects.filter(pk__in=people).values_list("party_org_id", flat=True) if o}
    first, last = dt.date(min(stored), 1, 1), dt.date(max(stored), 12, 31)
    meetings = set(BranchActivity.objects.filter(party_org_id__in=orgs, date__gte=first, date__lte=last)
                   .values_list("pk", flat=True))
    from lvzhi.membership.models import Development

    developing = set(Development.objects.filter(person_id__in=people).values_list("pk", flat=True))
    units = set(PartyOrg.objects.filter(pk__in=orgs).values_list("unit_id", flat=True))
    units |= set(Person.objects.filter(pk__in=people).values_list("unit_id", flat=True))
    units |= set(Development.objects.filter(pk__in=developing).values_list("unit_id", flat=True))
    for rule_id in {r.rule_id for r in ObligationRule.objects.all()}:
        for year in stored:
            mark = _mark(marks, year, rule_id)
            mark.units |= units
            mark.subjects.setdefault("party_org", set()).update(orgs)
            mark.subjects.setdefault("person", set()).update(people)
            mark.events.setdefault("branch_activity", set()).update(meetings)
            mark.events.setdefault("development", set()).update(developing)
            mark.days = None


def touch_rule(rule_id: str, unit_id: int | None) -> None:
    """A rule revised: every stored year of it, for the owner's subtree (the whole tree for a default)."""
    stored = _stored_years()
    if not stored:
        return
    units = [unit_id] if unit_id else list(Unit.objects.get_root_nodes().values_list("pk", flat=True))
    marks = _pending()
    for year in stored:
        mark = _mark(marks, year, rule_id)
        mark.whole = True
        mark.units.update(units)
    _now_if_no_transaction(marks)


def _now_if_no_transaction(marks: dict[tuple[int, str], Mark]) -> None:
    if not connection.in_atomic_block:  # autocommit: the write is already committed
        _flush(dict(marks))
        marks.clear()


def _roots(unit_ids: set[int]) -> list[Unit]:
    """The smallest set of subtrees covering these units (a unit under another marked one is inside it)."""
    units = sorted(Unit.objects.filter(pk__in=unit_ids), key=lambda u: u.path)
    out: list[Unit] = []
    for u in units:
        if not any(u.path.startswith(r.path) for r in out):
            out.append(u)
    return out


def _flush(marks: dict[tuple[int, str], Mark]) -> None:
    """Per year: the rules marked in part at once, narrowed to their subjects, events and periods (one
    evaluation and one transaction per covering subtree); the rules marked whole, each for its subtrees."""
    from . import stored

    years = sorted({year for year, _ in marks})
    for year in years:
        mine = {rule_id: m for (y, rule_id), m in marks.items() if y == year}
        part = {rule_id: m for rule_id, m in mine.items() if not m.whole}
        try:
            if part:
                focus = _focus(part.values())
                for root in _roots(set().union(*(m.units for m in part.values()))):
                    stored.replace_part(root, year, sorted(part), focus)
            for rule_id, m in sorted(mine.items()):
                if m.whole:
                    for root in _roots(m.units):
                        stored.replace(root, year, rule_id)
        except Exception:
            log.exception("recomputing %s failed; the year's stored results are set aside", year)
            StoredYear.objects.filter(year=year).update(complete=False)


def _focus(parts: Iterable[Mark]) -> Focus:
    """One focus for the rules marked in part (their union: a rule recomputing a few more cells is harmless)."""
    subjects: dict[str, set[int]] = {}
    events: dict[str, set[int]] = {}
    days: set[dt.date] | None = set()
    for m in parts:
        for kind, pks in m.subjects.items():
            subjects.setdefault(kind, set()).update(pks)
        for record_type, pks in m.events.items():
            events.setdefault(record_type, set()).update(pks)
        if m.subjects:
            days = None if (days is None or m.days is None) else days | m.days
    return Focus({k: frozenset(v) for k, v in subjects.items()}, {k: frozenset(v) for k, v in events.items()},
                 None if days is None else frozenset(days))
