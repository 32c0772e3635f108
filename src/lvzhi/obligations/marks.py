"""What a write touches, recomputed right after it commits: the stored results follow the data, cell by cell.

The write paths call ``touch`` inside their transaction (``records.services`` create/update/delete — which is also
how rosters, people, units and rules are edited one at a time —, ``imports.writing`` for bulk rows,
``obligations.services.revise_rule``); on update and delete they call it with the record as it was, too. A touch
works out, while the rows are still there, per rule and stored year (``Mark``):

- a count rule of the record's type: only the subjects its link names (the 支部 of a 支部活动, the people of a
  谈心谈话, the units' organisations of a report …) in the periods its dates fall in (``_years``: the date's year
  and its week's);
- an event rule whose event the record is (``OWN_EVENTS``: the meeting itself for 过半数到会, the 整改 itself):
  only that event;
- a roster change (``ROSTERS``: posts, Party-group places, Party-life events): every rule, but only for the
  organisations concerned, their members and post holders, their meetings and those people's development records,
  all periods (quorum and branch structure read the roster of the day);
- anything else — evidence of an event elsewhere (a 学习 for a 党委会's 第一议题, a 谈话 before an appointment),
  units, organisations, people — the whole rule for the subtrees of the units concerned (``stored.replace``).

After commit (``transaction.on_commit``, in the process that wrote) the rules marked in part are recomputed in one
evaluation per covering subtree, narrowed by an ``engine.Focus`` to those subjects, events and periods, and just
those rows replaced (``stored.replace_part``): a fixed number of queries whatever the size of the tree. A failed
recomputation marks the year incomplete, so readers go back to the engine until the next ``lvzhi recompute``.

A revised rule (``touch_rule``) makes its rows in the owner's subtree stale from today in the revision's own
transaction — a reader recomputes that rule for its subtree before reading (``stored_reads.refresh``) — and is
recomputed on the task queue after commit (``lvzhi.tasks``; progress in ``lvzhi recompute --status``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.partybuilding.models import ContactPoint

from .engine import SUBJECT_FIELDS, Focus
from .models import Check, ObligationRule, StoredCount, StoredResult, StoredYear

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


# More subjects and events than this in one transaction (an import): the marked rules are recomputed whole for the
# units' subtrees instead (as many cells, and no list of ids longer than SQLite takes).
MAX_FOCUS = 500

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
    if rt.key == "obligation_rule":  # a version edited as a record: as a revision
        for o in objs:
            touch_rule(o.rule_id, o.unit_id)
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
    Party-life event moves the person's stints), the person and those holding posts there, those organisations'
    meetings (quorum by the roster of the day) and the people's development records — all periods."""
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
    # Its members and who holds a post there: an organisation's first dated post replaces the secretary and
    # committee named on it (membership.training, Rosters) — already cleared when the post is saved —, which
    # changes the former secretary's own cells.
    from lvzhi.membership.models import OrgPost

    people |= set(OrgPost.objects.filter(party_org_id__in=orgs).values_list("person_id", flat=True))
    people |= set(Person.objects.filter(party_org_id__in=orgs).values_list("pk", flat=True))
    people |= {p for p in PartyOrg.objects.filter(pk__in=orgs).values_list("secretary_id", flat=True) if p}
    people |= set(PartyOrg.committee_members.through.objects.filter(partyorg_id__in=orgs)
                  .values_list("person_id", flat=True))
    first, last = dt.date(min(stored), 1, 1), dt.date(max(stored), 12, 31)
    # The meetings with their own units: a meeting keeps its unit when moved to another organisation (derived
    # once), and its stored cell is found and recomputed under that unit only (not the organisation's).
    meetings = dict(BranchActivity.objects.filter(party_org_id__in=orgs, date__gte=first, date__lte=last)
                    .values_list("pk", "unit_id"))
    from lvzhi.membership.models import Development

    developing = set(Development.objects.filter(person_id__in=people).values_list("pk", flat=True))
    units = set(PartyOrg.objects.filter(pk__in=orgs).values_list("unit_id", flat=True))
    units |= set(Person.objects.filter(pk__in=people).values_list("unit_id", flat=True))
    units |= {u for u in meetings.values() if u is not None}
    units |= set(Development.objects.filter(pk__in=developing).values_list("unit_id", flat=True))
    for rule_id in {r.rule_id for r in ObligationRule.objects.all() if _may_judge(r, {"party_org", "person"},
                                                                               {"branch_activity", "development"})}:
        for year in stored:
            mark = _mark(marks, year, rule_id)
            mark.units |= units
            mark.subjects.setdefault("party_org", set()).update(orgs)
            mark.subjects.setdefault("person", set()).update(people)
            mark.events.setdefault("branch_activity", set()).update(meetings)
            mark.events.setdefault("development", set()).update(developing)
            mark.days = None


def _may_judge(rule: ObligationRule, kinds: set[str], event_types: set[str]) -> bool:
    """Whether the rule can have a cell for subjects of ``kinds`` or events of ``event_types`` (a focus): its
    subject is one of them, or its events are (an event check judges its own record type). The other rules would
    compute nothing in that focus — the 整改, 第一议题, 前置研究 and 任前谈话 checks and the units' and contact
    points' counts read their own records and were a third of a roster change's queries (and the masked second
    evaluation of the 整改 rules)."""
    if rule.subject == "event":
        own = OWN_EVENTS.get(rule.check_type)
        return own is None or own in event_types
    return rule.subject in kinds


def touch_rule(rule_id: str, unit_id: int | None) -> None:
    """A rule revised (call inside the revision's transaction): its stored rows in the owner's subtree (the whole
    tree for a default) are stale from today, in this transaction — a reader recomputes that rule for its own
    subtree before reading (``stored_reads.refresh``), never reads the old version's rows —, and after commit the rule
    is recomputed on the task queue, with progress (``stored.progress``)."""
    from lvzhi.web import clock

    years = _stored_years()
    if not years:
        return
    path = Unit.objects.get(pk=unit_id).path if unit_id else ""
    for model in (StoredResult, StoredCount):  # the counts say stale as the rows do (stored_counts)
        rows = model.objects.filter(year__in=years, rule_id=rule_id)
        if path:
            rows = rows.filter(unit__path__startswith=path)
        rows.update(stale_from=clock.today())
    for year in years:
        transaction.on_commit(functools.partial(_queue, year, unit_id, rule_id))


def _queue(year: int, unit_id: int | None, rule_id: str) -> None:
    from django.conf import settings

    from lvzhi import tasks

    from . import stored

    stored.queued(year, unit_id, [rule_id])
    tasks.submit("recompute", year, unit_id, [rule_id], inline=getattr(settings, "RULE_RECOMPUTE_INLINE", False))


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
        focus = _focus(part.values())
        if sum(map(len, (*focus.subjects.values(), *focus.events.values()))) > MAX_FOCUS:
            for m in part.values():  # a large import: whole rules, bounded SQL
                m.whole = True
            part = {}
        try:
            if part:
                units = set().union(*(m.units for m in part.values()))
                for root in _roots(units):
                    stored.replace_part(root, year, sorted(part), focus, units)
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
