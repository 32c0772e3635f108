"""History and audit pages speak people's words: names and Chinese labels, before → after — never ids, code names
or model labels (“党组织：—→29”, “committee_meeting”, “partybuilding.branchactivity#6207”). On a small company of
our own (tests/obligations/builders.py)."""

import datetime as dt

import pytest
from django.test import Client

from lvzhi.org.models import Role, RoleAssignment, User
from lvzhi.org.scoping import scope_for
from lvzhi.records import registry, services

from . import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    tc = builders.company()
    user = User.objects.create(username="tc_dangban", first_name="测试党务")
    RoleAssignment.objects.create(user=user, unit=tc.company, role=Role.ORGANIZER)
    scope = scope_for(user)
    rt = registry.get("branch_activity")
    activity = services.create_record(rt, {"party_org": tc.branch, "kind": "committee_meeting",
                                           "date": dt.date(2022, 5, 9), "title": "五月支委会",
                                           "attendees": tc.committee_members[:2]}, actor=user, scope=scope)
    services.update_record(rt, activity, {"kind": "heart_talk", "attendees": tc.committee_members,
                                          "lecturer": tc.members[0]}, actor=user, scope=scope,
                           expected_version=activity.version)
    client = Client()
    client.force_login(user)
    return tc, activity, client


def test_record_history_names_people_and_labels(setup):
    tc, activity, client = setup
    page = client.get(f"/records/branch_activity/{activity.pk}/").content.decode()
    history = page[page.index("修改记录"):]
    assert "<b>党组织</b>：<del>—</del> → <ins>一车间党支部</ins>" in history
    assert "<b>活动类别</b>：<del>支部委员会</del> → <ins>谈心谈话</ins>" in history
    names = "、".join(p.name for p in tc.committee_members)
    assert f"<ins>{names}</ins>" in history
    assert f"<b>授课人/谈话人</b>：<del>—</del> → <ins>{tc.members[0].name}</ins>" in history
    for code in ("committee_meeting", "heart_talk", f"→ <ins>{tc.branch.pk}</ins>", "party_org_id"):
        assert code not in history


def test_audit_page_names_record_types_and_links_records(setup):
    tc, activity, client = setup
    page = client.get("/audit/?model=partybuilding.branchactivity").content.decode()
    assert "partybuilding.branchactivity#" not in page
    assert f'<a href="/records/branch_activity/{activity.pk}/">' in page
    assert "支部活动</span> · " in page
    assert '<option value="partybuilding.branchactivity" selected>支部活动</option>' in page
    assert "<ins>谈心谈话</ins>" in page and "heart_talk" not in page


def test_values_written_as_codes_and_confidential_references(setup):
    """A writer that stored a code (a report's {"unit": "JH01"}) is shown as written, not looked up as an id."""
    from lvzhi.audit.humanize import humanize
    from lvzhi.audit.models import AuditEntry

    tc, activity, client = setup
    entry = AuditEntry(model="reports.dutyreport", object_id="1", action="create", before={},
                       after={"unit": tc.company.code, "year": 2022})
    humanize([entry])
    assert ("单位", ("—", "TC")) in entry.changes
