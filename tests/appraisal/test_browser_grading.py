"""The 党支部分类定级 overview in a browser at 1280 wide and on a phone (390×844): the chart is drawn (ECharts from
the page's JSON, no inline script), the table scrolls inside its box rather than the page, no serious
accessibility violations; screenshots to LVZHI_SCREENSHOT_DIR."""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parents[1] / "web" / "vendor" / "axe.min.js"


def test_overview_on_desk_and_phone(browser, live_demo, demo_password, tmp_path):
    shots = Path(os.environ.get("LVZHI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    for role in ("dangban", "jiwei"):
        for name, viewport in (("desk", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
            context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)  # axe is injected
            page = context.new_page()
            page.goto(f"{live_demo.url}/login/")
            page.fill("#id_username", role)
            page.fill("#id_password", demo_password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_demo.url}/")
            for label, path in (("overview", "/appraisal/grading/?year=2022&as_of=2023-01-31"),
                                ("scheme", "/appraisal/grading/scheme/?year=2022")):
                assert page.goto(f"{live_demo.url}{path}").status == 200
                page.wait_for_load_state("networkidle")
                if label == "overview" and not page.locator("#grading-chart canvas").count():
                    problems.append(f"{role} {name}: chart not drawn")
                width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                if width[0] > width[1]:
                    problems.append(f"{role} {name} {label}: page {width[0]} wider than {width[1]}")
                page.add_script_tag(path=str(AXE))
                found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                    .violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)""")
                problems += [f"{role} {name} {label}: axe {v}" for v in found]
                page.screenshot(path=str(shots / f"grading-{role}-{name}-{label}.png"), full_page=False)
            if role == "dangban":  # the clerk makes the company's own scheme: the edit form and manual scores
                if page.locator("button[value=create]").count():
                    page.click("button[value=create]")
                    page.wait_for_load_state("networkidle")
                page.locator("#edit").scroll_into_view_if_needed()
                width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                if width[0] > width[1]:
                    problems.append(f"{role} {name} scheme form: page {width[0]} wider than {width[1]}")
                page.screenshot(path=str(shots / f"grading-{role}-{name}-scheme-edit.png"), full_page=False)
            context.close()
    assert not problems, "\n".join(problems)
