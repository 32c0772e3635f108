"""A branch secretary on a phone (390×844): from 待办, one tap opens the 支委会 form filled in for the late month;
they add the attendees and save, land back on 待办, and the month's cell on 合规看板 has turned done."""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BRANCH = "ZB-JH01-P03-W01"  # 单体车间党支部, the demo branch secretary's (zhibu)


@pytest.fixture
def browser_context_args():
    return {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 390, "height": 844},
            "is_mobile": True, "has_touch": True}


def test_branch_secretary_fills_a_late_committee_meeting_from_todo_on_a_phone(login, live_demo, settings, tmp_path):
    from lvzhi.org.models import PartyOrg
    from lvzhi.partybuilding.models import BranchActivity

    settings.LVZHI_AS_OF = "2023-01-10"
    branch = PartyOrg.objects.get(code=BRANCH)
    # The branch missed October's 支委会 (its one meeting that month is taken out of the demo data).
    BranchActivity.objects.filter(party_org=branch, kind="committee_meeting", date__year=2022,
                                  date__month=10).delete()
    committee = list(branch.committee_members.order_by("code"))

    page = login("zhibu")
    page.click(".nav-toggle")
    page.locator("#side-nav").get_by_role("link", name="待办", exact=True).click()
    row = page.locator("#warnings tbody tr", has_text="支部委员会会议").filter(has_text="2022-11-10")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("逾期")
    page.screenshot(path=str(tmp_path / "phone-todo.png"))
    row.get_by_role("link", name="录入").click()

    expect(page.locator("#from-cell")).to_contain_text("支部委员会会议（2022年10月）")
    expect(page.locator("#id_party_org")).to_have_value(f"{branch.name}（{BRANCH}）")
    expect(page.locator("#id_kind")).to_have_value("支部委员会")
    expect(page.locator("#id_date")).to_have_value("2022-10-31")
    expect(page.locator("#advice")).to_contain_text("未填写参加人员")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.fill("#id_title", "研究第四季度发展党员工作")
    page.fill("#id_attendees", "、".join(p.code for p in committee))
    page.screenshot(path=str(tmp_path / "phone-form.png"), full_page=True)
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(f"{live_demo.url}/obligations/warnings/")
    expect(page.locator(".messages")).to_contain_text("已新增支部活动")
    expect(page.locator("#warnings tbody tr", has_text="支部委员会会议").filter(has_text="2022-11-10")).to_have_count(0)
    saved = BranchActivity.objects.get(title="研究第四季度发展党员工作")
    assert (saved.party_org_id, saved.kind, saved.date) == (branch.pk, "committee_meeting", dt.date(2022, 10, 31))
    assert saved.attendees.count() == len(committee)

    page.goto(f"{live_demo.url}/obligations/dashboard/")
    rule = page.locator("#rule-branch-committee_meeting")
    rule.locator("summary").click()  # a rule with nothing late starts closed; its cells load when it is opened
    rule.scroll_into_view_if_needed()
    cell = page.locator(f'#rule-branch-committee_meeting a.st[data-s="party_org:{branch.pk}"][data-p="2022-10"]')
    expect(cell).to_have_class("st done")
