"""The writer page in a browser (under the CSP): a suggested paragraph is accepted into its section, the model's
draft is asked by htmx and accepted; the page at 1280 and at 390×844 is written to PNG for a look."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("LVZHI_SCREENSHOTS", "/tmp/lvzhi-screenshots"))


def test_suggestions_are_accepted_into_their_section_and_a_draft_comes_by_htmx(login, live_demo, fake_model):
    from lvzhi.org.models import Unit
    from lvzhi.reports.demo import ensure_demo_report

    report = ensure_demo_report(Unit.objects.get(code="JH01"))
    page = login("shuji")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_demo.url}/reports/{report.pk}/")
    plans = page.locator("#writer_plans")
    before = plans.input_value()
    accept = page.locator('#suggestions [data-accept-section="plans"]').first
    text = accept.get_attribute("data-text")
    assert text.startswith("一是")
    accept.click()
    assert plans.input_value() == before.rstrip() + "\n" + text
    expect(accept).to_have_text("已采纳")
    fake_model.reply = "一是制度执行还有差距，检查发现的逾期事项要逐项补齐。"
    page.get_by_role("button", name="请语言模型起草“存在的问题和不足”").click()
    draft = page.locator("#draft-problems [data-accept-section]")
    expect(draft).to_be_visible()
    problems = page.locator("#writer_problems")
    before = problems.input_value()
    draft.click()
    assert problems.input_value() == before.rstrip() + "\n" + fake_model.reply
    assert not [e for e in errors if "Content Security Policy" in e], errors
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#suggestions").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "writer-1280.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#suggestions").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "writer-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
