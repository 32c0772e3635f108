"""From a late cell to a saved record in one step, on a small company of our own: the 录入 link of 待办 opens the
form with the branch, the activity kind and a date inside the late month filled in, warns about a missing
attendee list, and after saving returns to 待办, where the month is no longer late."""

import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from lvzhi.obligations.engine import evaluate
from lvzhi.org.models import Role, RoleAssignment, User
from lvzhi.partybuilding.models import BranchActivity

pytestmark = pytest.mark.django_db
AS_OF = "2022-04-20"  # March 2022 is late (due 10 April), April not yet due


@pytest.fixture
def secretary_client(tc, settings):
    settings.LVZHI_AS_OF = AS_OF
    user = User.objects.create(username="tc_zhibu", first_name="一车间书记")
    RoleAssignment.objects.create(user=user, unit=tc.workshop, role=Role.BRANCH_SECRETARY)
    client = Client()
    client.force_login(user)
    return client


def _entry_links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'class="btn primary entry" href="([^"]+)"', page)]


def _committee_cell(tc, month: str):
    ev = evaluate(tc.workshop, year=2022, as_of=dt.date.fromisoformat(AS_OF), rule_ids=["branch.committee_meeting"])
    return next(c for c in ev.cells() if c.subject.pk == tc.branch.pk and c.period.key == month)


def test_late_cell_opens_a_prefilled_form_and_saving_returns_with_the_cell_done(tc, secretary_client):
    assert _committee_cell(tc, "2022-03").state == "late"
    todo = secretary_client.get("/obligations/warnings/").content.decode()
    links = [u for u in _entry_links(todo) if parse_qs(urlsplit(u).query).get("for_period") == ["2022年3月"]
             and "支部委员会" in parse_qs(urlsplit(u).query).get("kind", [""])[0]]
    assert len(links) == 1, _entry_links(todo)
    query = parse_qs(urlsplit(links[0]).query)
    assert query["party_org"] == ["一车间党支部（ZB-TC-P1-W1）"]
    assert query["date"] == ["2022-03-31"]  # inside the late month, not "today"
    assert query["next"] == ["/obligations/warnings/"]

    form = secretary_client.get(links[0]).content.decode()
    assert 'value="一车间党支部（ZB-TC-P1-W1）"' in form
    assert '<option value="支部委员会" selected>' in form
    assert 'value="2022-03-31"' in form
    assert "补上<b>支部委员会会议</b>（2022年3月）" in form
    assert "未填写参加人员" in form  # the quorum check's verdict, before saving

    data = {k: v[0] for k, v in query.items() if k not in ("for_rule", "for_period")}
    data.update(title="研究三月份发展党员工作", attendees="、".join(p.code for p in tc.committee_members))
    response = secretary_client.post(links[0], data)
    assert response.status_code == 302 and response["Location"] == "/obligations/warnings/"
    saved = BranchActivity.objects.get(title="研究三月份发展党员工作")
    assert (saved.party_org_id, saved.kind, saved.date, saved.attendees.count()) == (
        tc.branch.pk, "committee_meeting", dt.date(2022, 3, 31), 3)
    assert _committee_cell(tc, "2022-03").state == "done"
    after = secretary_client.get("/obligations/warnings/").content.decode()
    assert not [u for u in _entry_links(after) if "2022年3月" in parse_qs(urlsplit(u).query).get("for_period", [""])[0]
                and "支部委员会" in parse_qs(urlsplit(u).query).get("kind", [""])[0]]


def test_form_warns_about_attendance_below_half_and_late_entry(tc, secretary_client):
    url = ("/records/branch_activity/new/?" "party_org=ZB-TC-P1-W1&kind=支部委员会&date=2022-01-05")
    response = secretary_client.post(url, {"party_org": "ZB-TC-P1-W1", "kind": "支部委员会", "date": "2022-01-05",
                                           "title": "", "attendees": tc.committee_members[0].code})
    page = response.content.decode()
    assert response.status_code == 200  # the title is missing: the form comes back with its warnings
    assert "参加人员 1 人，应到 3 人，未超过半数" in page
    assert "早 105 天" in page and "补录" in page


def test_new_forms_default_to_the_configured_today(tc, secretary_client):
    page = secretary_client.get("/records/branch_activity/new/").content.decode()
    assert f'name="date" value="{AS_OF}"' in page


def test_workbench_leads_with_the_secretarys_own_items(tc, secretary_client):
    page = secretary_client.get("/").content.decode()
    assert page.index('id="my-todo"') < page.index("年已记录")
    links = _entry_links(page)
    assert links and all(parse_qs(urlsplit(u).query)["next"] == ["/"] for u in links)
    assert all("一车间" in parse_qs(urlsplit(u).query).get("party_org", ["一车间"])[0] for u in links)
