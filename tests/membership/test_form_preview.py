"""The meeting form tells, before saving, what the quorum check will conclude — and saves nothing doing so."""

from __future__ import annotations

import datetime as dt

import pytest

from lvzhi.membership.selectors import committee_roster
from lvzhi.org.models import PartyOrg
from lvzhi.partybuilding.models import BranchActivity

pytestmark = pytest.mark.django_db


def test_the_form_says_what_the_check_will_conclude(client_as, company):
    org = (PartyOrg.objects.filter(kind="branch", unit__path__startswith=company.path, posts__role="member")
           .distinct().order_by("code").first())
    day = dt.date(2022, 3, 10)
    committee = committee_roster(org, day)
    assert len(committee) >= 3
    before = BranchActivity.objects.count()
    c = client_as("dangban")
    form = {"party_org": org.code, "kind": "支部委员会", "date": day.isoformat(), "title": "研究发展党员工作",
            "attendees": "、".join(p.code for p in committee[:1]), "preview": "1"}
    page = c.post("/records/branch_activity/new/", form).content.decode()
    need = len(committee) // 2 + 1
    assert f"保存前检查：应到{len(committee)}人（当日支部委员），实到1人，未超过半数（至少需{need}人）" in page
    form["attendees"] = "、".join(p.code for p in committee[:need])
    page = c.post("/records/branch_activity/new/", form).content.decode()
    assert f"实到{need}人，超过半数，检查将判为符合" in page
    assert BranchActivity.objects.count() == before
