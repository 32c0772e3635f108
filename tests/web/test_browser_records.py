"""Records through a real browser: an Excel import by the organiser, and a rectification walked to its close by
the discipline secretary (inspection → finding → rectification → 已销号)."""

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = ["浏览器导入：学习二十大报告", "浏览器导入：学习党章", "浏览器导入：学习条例"]


def test_organiser_imports_study_sessions_and_sees_them_listed(login, live_demo, tmp_path):
    path = tmp_path / "学习.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["所属单位", "学习类别", "日期", "学习主题", "参加人员"])
    for day, title in enumerate(TITLES, start=10):
        wb.active.append(["JH01", "中心组集体学习", f"2023-01-{day}", title, ""])
    wb.save(path)

    page = login("dangban")
    page.goto(f"{live_demo.url}/records/study_session/")
    page.get_by_role("link", name="Excel 导入").click()
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator(".job-status")).to_have_text("已导入")
    expect(page.locator("#job")).to_contain_text("新增 3 条学习")
    page.get_by_role("link", name="查看列表").click()
    page.fill("input[name=q]", "浏览器导入")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("#records tbody tr")
    expect(rows).to_have_count(3)
    for title in TITLES:
        expect(page.locator("#records")).to_contain_text(title)


def test_discipline_secretary_walks_a_rectification_to_its_close(login, live_demo):
    from lvzhi.org.models import Person

    owner, verifier = Person.objects.filter(unit__code__startswith="JH01-P03", left_on__isnull=True).order_by("code")[:2]
    page = login("jiwei")

    page.goto(f"{live_demo.url}/records/inspection/new/")
    page.fill("#id_unit", "有机硅厂（JH01-P03）")
    page.select_option("#id_kind", label="安全生产")
    page.select_option("#id_method", label="四不两直")
    page.fill("#id_date", "2023-03-21")
    page.fill("#id_title", "夜间安全生产突击检查")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("监督检查：夜间安全生产突击检查")

    page.get_by_role("link", name="新增检查发现问题").click()
    page.fill("#id_description", "交接班记录不完整")
    page.select_option("#id_rule_broken", label="安全生产规定")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("检查发现问题：交接班记录不完整")
    expect(page.locator("dl.detail")).to_contain_text("2023-03-21")  # the finding takes the inspection's date

    page.get_by_role("link", name="新增整改").click()
    page.fill("#id_owner", owner.code)
    page.fill("#id_measures", "完善交接班制度，逐班签字确认")
    page.fill("#id_deadline", "2023-04-30")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("整改：交接班记录不完整")
    expect(page.locator("dl.detail")).to_contain_text("整改中")

    page.get_by_role("link", name="编辑").click()
    page.select_option("#id_status", label="已销号")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".errorlist")).to_contain_text("已完成或已销号的整改须填写完成日期。")
    page.fill("#id_completed_on", "2023-04-25")
    page.fill("#id_evidence", "交接班记录抽查 30 份，全部签字")
    page.fill("#id_verified_by", f"{verifier.name}（{verifier.code}）")
    page.get_by_role("button", name="保存").click()
    detail = page.locator("dl.detail")
    expect(detail).to_contain_text("已销号")
    expect(detail).to_contain_text("2023-04-25")
    expect(detail).to_contain_text(verifier.name)

    from lvzhi.integrity.models import Rectification

    rect = Rectification.objects.get(finding__description="交接班记录不完整")
    assert (rect.status, str(rect.completed_on), rect.verified_by_id, rect.owner_id, rect.version) == (
        "verified", "2023-04-25", verifier.pk, owner.pk, 2)
    page.goto(f"{live_demo.url}/records/rectification/?unit={rect.unit_id}")
    expect(page.locator(f'#records tr:has(a[href="/records/rectification/{rect.pk}/"])')).to_contain_text("按期完成")
