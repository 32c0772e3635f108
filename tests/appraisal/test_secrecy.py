"""Ballot secrecy: after casting, nothing stored — any table, the audit log — links a ballot to a participant."""

import json

import pytest
from django.apps import apps
from django.db import connection

from lvzhi.appraisal import services
from lvzhi.appraisal.models import Ballot, BallotCode
from lvzhi.audit.models import AuditEntry

from .conftest import EVERYTHING, close

pytestmark = pytest.mark.django_db

NAMES = ["甲参会人", "乙参会人", "丙参会人", "丁参会人", "戊参会人"]


def every_row_text() -> dict[str, list[str]]:
    """Every row of every table in the database, as text (raw SQL: nothing the ORM might leave out)."""
    out = {}
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f'SELECT * FROM "{table}"')
            out[table] = [" | ".join("" if v is None else str(v) for v in row) for row in cur.fetchall()]
    return out


def test_nothing_links_a_ballot_to_a_participant(make):
    a = make(groups=(("党员代表", 1, 5),))
    group = a.groups.get()
    # The organiser prints the list: names beside codes. The pairing exists only on that paper.
    codes = services.issue_codes(a, group, len(NAMES), actor="测试", scope=EVERYTHING)
    printed = dict(zip(NAMES, codes, strict=False))
    before_audit = AuditEntry.objects.count()
    reps = list(a.reportees.all())
    choices = ["好", "较好", "一般", "差", "好"]
    for name, rating in zip(NAMES, choices, strict=False):
        services.cast_ballot(a, printed[name], {str(reps[0].pk): {"总体": rating}})
    # Casting wrote no audit entry at all (an entry's time beside an access log would point at the voter).
    assert AuditEntry.objects.count() == before_audit
    ballots = list(Ballot.objects.filter(appraisal=a))
    assert len(ballots) == 5
    rows = every_row_text()
    everything = "\n".join(line for lines in rows.values() for line in lines)
    for name, code in printed.items():
        assert name not in everything  # the names on the printed list were never stored
        assert code not in everything and code.replace("-", "") not in everything
        assert services.hash_code(code) not in everything  # the used code's hash is gone too
    assert not BallotCode.objects.filter(appraisal=a).exists()
    # A ballot row carries its random id, the appraisal, the group, the source and the marks — nothing else:
    # no time, no user, no code, no sequence number.
    columns = {f.column for f in Ballot._meta.concrete_fields}
    assert columns == {"id", "appraisal_id", "group_id", "source", "paper_number", "marks"}
    # No other table refers to a ballot.
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            assert getattr(f, "related_model", None) is not Ballot, f"{model.__name__}.{f.name}"
    # Ballot ids appear in the ballot table only (not in the audit log or anywhere else).
    for b in ballots:
        holders = [t for t, lines in rows.items() if any(str(b.id) in line or b.id.hex in line for line in lines)]
        assert holders == [Ballot._meta.db_table]
    # The audit log, read whole, names no ballot, no code, no participant.
    audit_text = json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)
    for name, code in printed.items():
        assert name not in audit_text and code not in audit_text
    close(a)
    closing = AuditEntry.objects.filter(model="appraisal.appraisal").order_by("-seq").first()
    assert "收回选票" in json.dumps(closing.after, ensure_ascii=False)  # the count, audited at closing


def test_results_stay_closed_until_the_end_and_small_groups_are_not_broken_down(make, vote, client_as):
    from lvzhi.appraisal import tally

    a = make(groups=(("党委委员", 50, 3), ("职工代表", 50, 6)))
    n = a.reportees.count()
    for _ in range(3):
        vote(a, "党委委员", ["差"] * n)
    for _ in range(5):
        vote(a, "职工代表", ["好"] * n)
    with pytest.raises(tally.ResultsNotAvailable):
        tally.results(a)
    close(a)
    res = tally.results(a)
    assert not res.groups_shown
    assert res.people[0].tallies == {"好": 5, "较好": 0, "一般": 0, "差": 3}
