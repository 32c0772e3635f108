"""A count rule works out which periods a subject owes once per (unit, the subject's own spans) and shares it
with the subjects of the same shape (``engine.evaluate_count``): subjects of one unit whose spans differ must
still be judged each on its own — and a record linking to one subject must not count for another."""

import datetime as dt

import pytest
from django.db import connection  # read by the skipif conditions

from lvzhi.obligations.engine import DONE, LATE, NA
from lvzhi.org.models import PartyOrg

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


def _branch(tc, code: str, name: str, **dates) -> PartyOrg:
    return PartyOrg.objects.create(code=code, name=name, kind="branch", unit=tc.workshop, parent=tc.committee, **dates)


def test_branches_of_one_unit_owe_their_own_months(tc, check):
    # Codes sort before the workshop's own branch (ZB-TC-P1-W1): the late-founded one is judged first.
    late = _branch(tc, "ZB-TC-P1-A", "新设党支部", established_on=D(2022, 3, 10))
    gone = _branch(tc, "ZB-TC-P1-B", "撤销党支部", dissolved_on=D(2022, 8, 20))
    b.activity(late, "themed_day", D(2022, 4, 15))
    b.activity(gone, "themed_day", D(2022, 2, 15))
    b.monthly(tc.branch, "themed_day", 2022, months=[1, 2, 3, 4])
    b.activity(tc.branch, "themed_day", D(2022, 4, 20))
    cells = check(tc.company, "branch.themed_day")
    state = {(label, key): c.state for (label, key), c in cells.items()}
    assert [state[("新设党支部", f"2022-{m:02d}")] for m in (1, 2, 3, 4, 5)] == [NA, NA, NA, DONE, LATE]
    assert [state[("撤销党支部", f"2022-{m:02d}")] for m in (1, 2, 7, 8, 12)] == [LATE, DONE, LATE, NA, NA]
    assert [state[("一车间党支部", f"2022-{m:02d}")] for m in (1, 3, 4, 5, 12)] == [DONE, DONE, DONE, LATE, LATE]
    assert cells[("一车间党支部", "2022-04")].count == 2 and cells[("新设党支部", "2022-04")].count == 1
    assert cells[("撤销党支部", "2022-04")].record_ids == ()


def test_members_of_one_unit_owe_from_their_own_joining(tc, check):
    newcomer = b.person(tc.workshop, "新党员", party_org=tc.branch, member_since=D(2022, 5, 1))
    old = tc.members[1]
    b.activity(tc.branch, "heart_talk", D(2022, 6, 1), attendees=[newcomer])
    cells = check(tc.company, "branch.heart_talk")
    by_pk = {c.subject.pk: c for c in cells.values()}
    assert by_pk[newcomer.pk].state == NA  # a member since May owes nothing for the whole year 2022
    assert by_pk[old.pk].state == LATE and by_pk[old.pk].count == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's own settings and cursors")
def test_postgresql_cursors_are_planned_for_all_their_rows(db):
    """``iterator()`` reads every row of its server-side cursor; planned for the first 10 % (PostgreSQL's default
    ``cursor_tuple_fraction``) the check's grouped counts chose slower plans (heart talks, province: 344 → 155 ms)."""


    with connection.cursor() as cur:
        cur.execute("SHOW cursor_tuple_fraction")
        assert float(cur.fetchone()[0]) == 1.0
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"
        cur.execute("SHOW random_page_cost")  # an index lookup in memory is not 4 sequential pages
        assert float(cur.fetchone()[0]) == 2


def _rule(rule_id: str, **fields):
    from lvzhi.obligations.models import ObligationRule

    rule = ObligationRule(rule_id=rule_id, name="测试", responsibility="party_building", source="测试",
                          record_type="branch_activity", cadence="month", effective_from=D(2022, 1, 1), **fields)
    rule.full_clean()
    rule.save()
    return rule


def test_a_record_joined_several_times_into_a_group_counts_once(tc, check):
    """Without DISTINCT only when no record can come twice into a group (``engine._one_row_per_record``): a
    condition through the attendees joins a meeting once per attendee."""
    _rule("x.attended", subject="party_org", subject_filter="kinds=branch",
          record_filter="kind=themed_day; attendees__party_status=member", link="party_org")
    day = b.activity(tc.branch, "themed_day", D(2022, 5, 10), attendees=tc.members[:4])
    cell = check(tc.company, "x.attended")[("一车间党支部", "2022-05")]
    assert (cell.count, cell.record_ids, cell.state) == (1, (day.pk,), DONE)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="server-side cursors: PostgreSQL only")
def test_a_writes_upkeep_reads_the_counts_without_server_side_cursors(tc):
    """``stored._client_cursors`` (one round trip a query for a write's narrowed evaluation) holds for the count
    rules' raw grouped rows too."""

    from django.test.utils import CaptureQueriesContext

    from lvzhi.obligations.engine import evaluate
    from lvzhi.obligations.stored import _client_cursors

    rules = ["branch.themed_day", "branch.heart_talk"]
    with CaptureQueriesContext(connection) as plain:
        evaluate(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=rules)
    assert [q for q in plain.captured_queries if q["sql"].startswith("DECLARE")]
    with _client_cursors(), CaptureQueriesContext(connection) as upkeep:
        evaluate(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=rules)
    assert not [q for q in upkeep.captured_queries if q["sql"].startswith("DECLARE")]
