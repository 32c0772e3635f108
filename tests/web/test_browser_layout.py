"""Every demo role's everyday pages on a phone (390×844) and on a desk (1400×1000): no horizontal scrolling, a
header whose parts do not overlap, the navigation a tap away on the phone, and no serious or critical accessibility
violations (axe-core, tests/web/vendor). Screenshots go to LVZHI_SCREENSHOT_DIR (or the test's tmp dir)."""

import os
from pathlib import Path

import pytest

import per_database

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ROLES = os.environ.get("LVZHI_LAYOUT_ROLES", "admin_demo,shuji,dangban,jiwei,xuanchuan,zhibu,chakan").split(",")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1400, "height": 1000}}
# What each role records most: its record list and form (a read-only user has no form and no import: they get
# the refusal page, which must lay out as well as any other).
OWN_TYPE = {"admin_demo": "committee_meeting", "shuji": "committee_meeting", "dangban": "study_session",
            "jiwei": "inspection", "xuanchuan": "publication", "zhibu": "branch_activity",
            "chakan": "branch_activity"}

GEOMETRY = """() => {
  const doc = document.documentElement;
  const header = document.querySelector('header.top').getBoundingClientRect();
  const parts = [...document.querySelectorAll('header.top > *')].filter(e => e.offsetParent !== null)
                  .map(e => ({name: e.className || e.id || e.tagName, r: e.getBoundingClientRect()}));
  const overlaps = [];
  for (let i = 0; i < parts.length; i++) {
    const a = parts[i].r;
    if (a.top < header.top - 1 || a.bottom > header.bottom + 1 || a.right > doc.clientWidth + 1)
      overlaps.push(parts[i].name + ' outside the header');
    for (let j = i + 1; j < parts.length; j++) {
      const b = parts[j].r;
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
        overlaps.push(parts[i].name + ' × ' + parts[j].name);
    }
  }
  const main = document.querySelector('main').getBoundingClientRect();
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > doc.clientWidth + 1
                  && ![...e.children].some(c => c.getBoundingClientRect().right > doc.clientWidth + 1))
                  .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scroll: doc.scrollWidth, width: doc.clientWidth, header: header.height, overlaps, wide,
          mainBelow: main.top >= header.bottom - 1};
}"""


def _pages(role, report_pk, record_pk):
    key = OWN_TYPE[role]
    return [("工作台", "/"), ("待办", "/obligations/warnings/"), ("记录列表", f"/records/{key}/"),
            ("记录表单", f"/records/{key}/new/"), ("记录详情", f"/records/{key}/{record_pk[key]}/"),
            ("合规看板", "/obligations/dashboard/"), ("述职报告", "/reports/"), ("报告预览", f"/reports/{report_pk}/"),
            ("导入", f"/imports/{key}/upload/")]


def _reports() -> dict:
    """A draft 2022 report of the company (everyone but the branch secretary reads it) and of the branch
    secretary's workshop."""
    from lvzhi.org.models import Unit, User
    from lvzhi.org.scoping import Scope
    from lvzhi.reports import services
    from lvzhi.reports.models import DutyReport

    actor = User.objects.get(username="admin_demo")
    made = {}
    for code in ("JH01", "JH01-P03-W01"):
        existing = DutyReport.objects.filter(unit__code=code, year=2022).order_by("pk").first()
        made[code] = existing.pk if existing else services.create_report(unit=Unit.objects.get(code=code), year=2022, actor=actor,
                                            template=services.builtin_template(), scope=Scope.everything()).pk
    return made


# One test per role, so that the test workers share the walk. Layout does not depend on the database: every role
# on SQLite, two on PostgreSQL (tests/per_database.py).
@pytest.mark.parametrize("role", per_database.cases(ROLES, on_postgresql=["zhibu", "jiwei"]))
def test_every_role_every_page_fits_phone_and_desk(role, browser, live_demo, demo_password, tmp_path, settings):
    from lvzhi.records import registry

    settings.LVZHI_AS_OF = "2023-01-10"  # the demo company's "today", as `lvzhi demo` pins it
    shots = Path(os.environ.get("LVZHI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    reports = _reports()
    record_pk = {}
    for key in set(OWN_TYPE.values()):
        rt = registry.get(key)
        record_pk[key] = rt.model.objects.filter(**({f"{rt.unit_field}__code__startswith": "JH01-P03-W01"}
                                                  if key == "branch_activity" else {})).order_by("-pk").first().pk
    problems = []
    for vp_name, viewport in VIEWPORTS.items():
        # axe-core is injected as an inline script, which the pages' Content-Security-Policy blocks: the checker
        # bypasses it (test_browser_csp.py runs the pages with the policy on)
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                      bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_demo.url}/login/")
        page.fill("#id_username", role)
        page.fill("#id_password", demo_password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_demo.url}/")
        report = reports["JH01-P03-W01" if role == "zhibu" else "JH01"]
        for label, path in _pages(role, report, record_pk):
            response = page.goto(f"{live_demo.url}{path}")
            where = f"{role} {vp_name} {label} {path}"
            allowed = (200, 403) if role == "chakan" and label in ("记录表单", "导入") else (200,)
            if response.status not in allowed:
                problems.append(f"{where}: HTTP {response.status}")
                continue
            page.wait_for_load_state("networkidle")
            g = page.evaluate(GEOMETRY)
            if g["scroll"] > g["width"]:
                problems.append(f"{where}: 页面宽 {g['scroll']} > 视口 {g['width']}（{g['wide']}）")
            if g["overlaps"] or not g["mainBelow"] or g["header"] > 60:
                problems.append(f"{where}: 页头重叠 {g}")
            if label == "报告预览":  # the title's lines centred, not pushed right by the body's first-line indent
                indents = page.evaluate("() => [...document.querySelectorAll('.gw .title, .gw .author')]"
                                        ".map(e => getComputedStyle(e).textIndent)")
                if not indents or set(indents) != {"0px"}:
                    problems.append(f"{where}: 标题首行缩进 {indents}")
            if vp_name == "phone":
                nav = page.locator("nav.side")
                if nav.count() and nav.is_visible():
                    problems.append(f"{where}: 手机上导航未收起")
            page.add_script_tag(path=str(AXE))
            found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))""")
            problems += [f"{where}: axe {v}" for v in found]
            page.screenshot(path=str(shots / f"{role}-{vp_name}-{label}.png"), full_page=False)
        if vp_name == "phone":  # the drawer opens and closes with a tap
            page.goto(f"{live_demo.url}/")
            page.click(".nav-toggle")
            if not page.locator("nav.side").is_visible():
                problems.append(f"{role}: 菜单按钮打不开导航")
            page.screenshot(path=str(shots / f"{role}-phone-菜单.png"))
            page.click(".nav-toggle")
            if page.locator("nav.side").is_visible():
                problems.append(f"{role}: 菜单按钮关不上导航")
        context.close()
    assert not problems, "\n".join(problems)
