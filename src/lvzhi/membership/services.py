"""Keeping what follows from the events in step, and turning today's membership into events once.

``sync_people``: a person's current organisation and status are the state after their last event (and their
入党日期 the day they were admitted, when that event is recorded). ``sync_committees``: an organisation's
secretary and committee members are the posts held today. Both run after every write of an event or a post
(signals for single writes, the import's after-write hook for bulk ones), so nobody types them twice.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from lvzhi.org.models import PartyOrg, Person

from .models import COMMITTEE_ROLES, EventKind, PostRole
from .selectors import events_by_person, stints_from_events


def sync_people(person_ids, person_model=Person, event_model=None) -> int:
    """Set party_org / party_status / member_since of these people from their events. Returns how many changed."""
    person_ids = set(person_ids)
    if not person_ids:
        return 0
    if event_model is None:
        events = events_by_person(Q(person_id__in=person_ids))
    else:
        events = {}
        for ev in event_model.objects.filter(person_id__in=person_ids).values("pk", "person_id", "kind", "date",
                                                                                "party_org_id", "status"):
            events.setdefault(ev["person_id"], []).append(ev)
    changed = []
    for p in person_model.objects.filter(pk__in=person_ids):
        evs = events.get(p.pk)
        if not evs:
            continue
        _, state = stints_from_events(evs)
        admitted = min((e["date"] for e in evs if e["kind"] == EventKind.ADMITTED and e["date"]), default=None)
        new = (state.party_org_id, state.status or "none", admitted or p.member_since)
        if (p.party_org_id, p.party_status, p.member_since) != new:
            p.party_org_id, p.party_status, p.member_since = new
            changed.append(p)
    if changed:
        person_model.objects.bulk_update(changed, ["party_org", "party_status", "member_since"])
    return len(changed)


def sync_committees(org_ids, today: dt.date | None = None) -> None:
    """Secretary and committee members of these organisations = the posts held today (orgs with posts only)."""
    from lvzhi.web.clock import today as clock_today

    from .models import OrgPost

    day = today or clock_today()
    posts: dict[int, list[OrgPost]] = {}
    for post in OrgPost.objects.filter(party_org_id__in=set(org_ids)).order_by("start_on", "pk"):
        posts.setdefault(post.party_org_id, []).append(post)
    for org in PartyOrg.objects.filter(pk__in=list(posts)):
        held = [p for p in posts[org.pk] if p.held_on(day)]
        committee = sorted({p.person_id for p in held if p.role in COMMITTEE_ROLES})
        secretaries = [p.person_id for p in held if p.role == PostRole.SECRETARY]
        if sorted(org.committee_members.values_list("pk", flat=True)) != committee:
            org.committee_members.set(committee)
        secretary = secretaries[-1] if secretaries else None
        if org.secretary_id != secretary:
            PartyOrg.objects.filter(pk=org.pk).update(secretary_id=secretary)


def backfill(person_model, party_org_model, event_model, post_model) -> tuple[int, int]:
    """Today's membership as events (期初登记) and today's committees as posts, for every person and organisation
    without any yet. ``*_model``: the historical models of a migration, or the live ones. Idempotent."""
    has_events = set(event_model.objects.values_list("person_id", flat=True))
    events = []
    for p in (person_model.objects.filter(party_status__in=["member", "probationary"], party_org__isnull=False)
              .exclude(pk__in=has_events).select_related("party_org")):
        if p.party_status == "probationary" and p.member_since:
            events.append(event_model(person_id=p.pk, kind=EventKind.ADMITTED, date=p.member_since,
                                      party_org_id=p.party_org_id, unit_id=p.party_org.unit_id))
        else:
            events.append(event_model(person_id=p.pk, kind=EventKind.ENROLLED, date=p.member_since,
                                      party_org_id=p.party_org_id, status=p.party_status,
                                      unit_id=p.party_org.unit_id,
                                      notes="由原有党员名册转换：入党日期起在册" if p.member_since else "由原有党员名册转换"))
    event_model.objects.bulk_create(events, batch_size=2000)
    has_posts = set(post_model.objects.values_list("party_org_id", flat=True))
    posts = []
    through = party_org_model.committee_members.through
    committee: dict[int, list[int]] = {}
    for org_id, person_id in through.objects.values_list("partyorg_id", "person_id"):
        committee.setdefault(org_id, []).append(person_id)
    for org in party_org_model.objects.exclude(pk__in=has_posts):
        seated = set()
        if org.secretary_id:
            posts.append(post_model(party_org_id=org.pk, person_id=org.secretary_id, role=PostRole.SECRETARY,
                                    unit_id=org.unit_id))
            seated.add(org.secretary_id)
        for person_id in sorted(committee.get(org.pk, ())):
            if person_id not in seated:
                posts.append(post_model(party_org_id=org.pk, person_id=person_id, role=PostRole.MEMBER,
                                        unit_id=org.unit_id))
    post_model.objects.bulk_create(posts, batch_size=2000)
    return len(events), len(posts)


def backfill_live() -> tuple[int, int]:
    from .models import MembershipEvent, OrgPost

    return backfill(Person, PartyOrg, MembershipEvent, OrgPost)
