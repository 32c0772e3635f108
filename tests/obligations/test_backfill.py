"""补录 made visible, on a small company of our own: a record entered more than BACKFILL_DAYS after its date is
marked in the list and counted per unit; one entered on time, or with an entry date after the configured today,
is not."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from lvzhi.org.models import Role, RoleAssignment, User
from lvzhi.partybuilding.models import BranchActivity

from . import builders

pytestmark = pytest.mark.django_db


def _entered(activity, day: dt.date):
    stamp = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    BranchActivity.objects.filter(pk=activity.pk).update(created_at=stamp)


@pytest.fixture
def page(settings):
    settings.LVZHI_AS_OF = "2022-06-30"
    settings.BACKFILL_DAYS = 30
    tc = builders.company()
    late_workshop = builders.activity(tc.branch, "committee_meeting", dt.date(2022, 1, 10))
    _entered(late_workshop, dt.date(2022, 3, 20))  # 69 days later
    on_time = builders.activity(tc.branch, "committee_meeting", dt.date(2022, 3, 1))
    _entered(on_time, dt.date(2022, 3, 3))
    edge = builders.activity(tc.branch, "committee_meeting", dt.date(2022, 4, 1))
    _entered(edge, dt.date(2022, 5, 1))  # exactly 30 days: not yet 补录
    late_dept = builders.activity(tc.dept_branch, "general_meeting", dt.date(2022, 2, 1))
    _entered(late_dept, dt.date(2022, 5, 1))
    future = builders.activity(tc.dept_branch, "general_meeting", dt.date(2022, 3, 1))
    _entered(future, dt.date(2023, 9, 1))  # entered after "today": no verdict
    user = User.objects.create(username="tc_dangban")
    RoleAssignment.objects.create(user=user, unit=tc.company, role=Role.ORGANIZER)
    client = Client()
    client.force_login(user)
    return client.get(f"/records/branch_activity/?unit={tc.company.pk}").content.decode(), (late_workshop, late_dept)


def test_backfilled_records_are_marked_and_counted_per_unit(page):
    html, late = page
    assert html.count('class="badge backfill"') == 2
    for activity in late:
        row = re.search(rf'<tr[^>]*><td[^>]*><a href="/records/branch_activity/{activity.pk}/">.*?</tr>', html, re.S)
        assert row and "补录" in row.group(0)
    summary = html[html.index('id="backfill"'):]
    assert "其中 <b>2</b> 条为补录" in summary
    assert "<td>一车间</td><td class=\"num\">1</td>" in summary
    assert "<td>财务部</td><td class=\"num\">1</td>" in summary


def test_threshold_is_a_setting(settings, page):
    from lvzhi.records import backfill, registry

    settings.BACKFILL_DAYS = 80  # now only the department's (89 days) counts
    rt = registry.get("branch_activity")
    counts = backfill.list_counts(rt, BranchActivity.objects.all(), dt.date(2022, 6, 30))
    assert counts["backfilled"] == [{"unit": "财务部", "n": 1}]
    assert counts["total"] == BranchActivity.objects.count()
