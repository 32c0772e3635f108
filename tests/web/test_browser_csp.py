"""Issue 17: the pages work under the Content-Security-Policy — a real browser loads the pages with charts, the
report page, a record's page, the API documentation (Swagger UI) and the anonymous vote page, uses what their
scripts do, and reports no policy violation and no request outside lvzhi."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation the page sees, also those Chromium does not print (the event fires for each blocked thing).
WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture
def watched(login, live_demo):
    page = login("shuji")
    messages, outside = [], []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    host = urlparse(live_demo.url).netloc
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in (host, "") and
            not r.url.startswith(("data:", "blob:")) else None)
    page.add_init_script(WATCH)

    def check(url_path):
        page.goto(f"{live_demo.url}{url_path}")
        page.wait_for_load_state("networkidle")

    def assert_clean():
        violations = page.evaluate("window.__csp")
        csp_messages = [m for m in messages if "Content Security Policy" in m or "pageerror" in m]
        assert not violations and not csp_messages, (violations, csp_messages)
        assert not outside, outside

    page.check, page.assert_clean, page.base = check, assert_clean, live_demo.url
    return page


def test_charts_run_under_the_policy(watched):
    page = watched
    page.check("/metrics/?year=2022")
    expect(page.locator("#trend canvas")).to_be_visible()  # the first figure's trend, drawn by metrics/trend.js
    buttons = page.locator("button[data-metric]")
    label = buttons.nth(1).get_attribute("data-label")
    buttons.nth(1).click()
    page.wait_for_function("(l) => { const c = echarts.getInstanceByDom(document.getElementById('trend'));"
                           " return c && c.getOption().title[0].text === l; }", arg=label)  # a function: no eval
    page.assert_clean()
    page.check("/obligations/dashboard/?year=2022&as_of=2023-06-30")
    expect(page.locator(".heatmap canvas").first).to_be_visible()
    page.assert_clean()


def test_report_record_and_confirm_dialogs_run_under_the_policy(watched):
    from lvzhi.org.models import Unit
    from lvzhi.reports.demo import ensure_demo_report
    from lvzhi.reports.models import DutyReport

    page = watched
    report = ensure_demo_report(Unit.objects.get(code="JH01"))  # the draft `lvzhi demo` shows
    page.check(f"/reports/{report.pk}/")
    area = page.locator("#writer-form textarea").first
    before = area.input_value()
    button = page.locator("[data-insert-evidence]").first
    text = button.get_attribute("data-insert-evidence")
    button.click()  # reports/writer.js appends the evidence to the first section
    assert area.input_value() == before.rstrip() + "\n" + text
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_role("button", name="定稿").click()  # data-confirm, asked by app.js; dismissed: nothing happens
    assert asked and "定稿" in asked[0]
    assert DutyReport.objects.get(pk=report.pk).is_final is False
    page.check("/records/honour/new/")
    page.locator("input[data-lookup=person]").first.fill("wzh")  # 拼音首字母 → suggestions fetched by app.js
    expect(page.locator("#datalist-person option").first).to_be_attached()
    page.assert_clean()


def test_swagger_ui_runs_under_the_policy_without_outside_calls(watched):
    page = watched
    page.check("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30000)  # Swagger UI started
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("履职")
    assert page.locator(".swagger-ui img[src*='validator']").count() == 0
    page.assert_clean()


def test_the_vote_page_runs_under_the_policy(watched):
    page = watched
    page.check("/appraisal/vote/#ABCDE-FGHJK")
    expect(page.locator("#code")).to_have_value("ABCDE-FGHJK")  # appraisal/vote.js
    assert page.evaluate("location.hash") == ""
    page.assert_clean()
