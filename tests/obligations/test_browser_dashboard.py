"""In a real browser: the dashboard's heatmap cell of a missed month opens the drill-down naming the branch."""

import pytest
from playwright.sync_api import expect

from lvzhi.obligations.defaults import ensure_default_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIND_CELL = """([subject, period]) => {
  const el = document.querySelector('#rule-branch-committee_meeting .heatmap');
  const spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
  return el._chart.convertToPixel({seriesIndex: 0}, [spec.xkeys.indexOf(period), spec.y.indexOf(subject)]);
}"""


def test_clicking_a_late_heatmap_cell_shows_the_missing_meeting(login, live_demo):
    ensure_default_rules()  # an earlier transactional test may have emptied the table the migration filled
    page = login("dangban")
    page.goto(f"{live_demo.url}/obligations/dashboard/?year=2022&as_of=2023-06-30")
    heat = page.locator("#rule-branch-committee_meeting .heatmap")
    expect(heat.locator("canvas")).to_be_visible()
    x, y = page.evaluate(FIND_CELL, ["合成氨厂合成车间党支部", "2022-05"])
    box = heat.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    drill = page.locator("#drill")
    expect(drill).to_contain_text("缺少：合成氨厂合成车间党支部 2022年5月的支部委员会会议记录")
    expect(drill.locator(".badge")).to_have_text("逾期")
    # a neighbouring, green cell lists the meeting that satisfied it
    x, y = page.evaluate(FIND_CELL, ["合成氨厂合成车间党支部", "2022-06"])
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(drill).to_contain_text("满足要求的记录")
    expect(drill.locator("a[href^='/records/branch_activity/']")).to_have_count(1)


def test_clicking_a_late_event_shows_the_overdue_rectification(login, live_demo):
    ensure_default_rules()
    page = login("jiwei")
    page.goto(f"{live_demo.url}/obligations/dashboard/?year=2022&as_of=2023-06-30")
    rule = page.locator("#rule-integrity-rectification")
    rule.scroll_into_view_if_needed()  # a rule's items load when it comes into view
    rule.locator("ul.plain a").nth(1).click()
    drill = page.locator("#drill")
    expect(drill).to_contain_text("整改时限2022-11-30，尚未完成")
    expect(drill.locator("a[href^='/records/rectification/']")).to_have_count(1)
