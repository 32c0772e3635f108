"""A participant casts a ballot on a phone (390×844): the code from the printed QR link fills itself in, the
ratings are big enough to tap, the page does not scroll sideways, and the ballot lands with no link to anyone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from lvzhi.appraisal import services
from lvzhi.appraisal.models import Ballot, BallotCode
from lvzhi.org.scoping import Scope

from . import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cast_a_ballot_on_a_phone(browser, live_server):
    inst = builders.institute()
    ev = Scope.everything()
    a = services.create_appraisal(unit=inst.root, year=2022, meeting_date=dt.date(2023, 1, 15), actor="测试", scope=ev,
                                  groups=[("党员代表", 1, 5)], indicators=["抓基层党建成效"])
    services.set_status(a, "open", actor="测试", scope=ev)
    code = services.issue_codes(a, a.groups.get(), 1, actor="测试", scope=ev)[0]
    reps = list(a.reportees.select_related("person"))
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server.url}/appraisal/vote/#{code}")
    expect(page.locator("#code")).to_have_value(code)  # filled from the link; the code never reaches the server log
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("h1")).to_contain_text(a.title)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    choices = ["好", "较好", "一般", "差"]
    for i, r in enumerate(reps):
        group = page.get_by_role("radiogroup", name=f"{r.person.name}总体评价")
        option = group.locator("label", has_text=choices[i % 4]).first
        box = option.bounding_box()
        assert box["height"] >= 40 and box["width"] >= 70  # a thumb can hit it
        option.tap()
    page.get_by_role("radiogroup", name=f"{reps[0].person.name}抓基层党建成效").locator("label", has_text="较好").tap()
    page.screenshot(path="/tmp/lvzhi-vote-390.png", full_page=False)
    page.get_by_role("button", name="提交测评").tap()
    expect(page.locator("h1")).to_have_text("测评已提交")
    context.close()
    (ballot,) = Ballot.objects.filter(appraisal=a)
    assert ballot.marks[str(reps[0].pk)] == {"总体": "好", str(a.indicators.get().pk): "较好"}
    assert ballot.marks[str(reps[1].pk)] == {"总体": "较好"}
    assert not BallotCode.objects.filter(appraisal=a).exists()
