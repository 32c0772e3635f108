"""`lvzhi appraisal` on the demo company's 2022 述职评议, and the carry-over into the 2023 report."""

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from lvzhi.org.models import PartyOrg
from lvzhi.reports import services as reports
from lvzhi.reports import templating

from .conftest import close

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("appraisal", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_secretary_and_every_branch_secretary(company, settings):
    settings.LVZHI_AS_OF = "2023-01-10"
    data = json.loads(run("--year", "2022", "--unit", "JH01", "--format", "json"))
    (a,) = data["appraisals"]
    people = a["people"]
    branches = PartyOrg.objects.filter(unit__path__startswith=company.path, kind__in=["branch", "general_branch"],
                                       secretary__isnull=False, dissolved_on__isnull=True)
    assert len(people) == 1 + branches.count()
    assert people[0]["role"] == "党委书记" and people[0]["name"] == PartyOrg.objects.get(
        unit=company, kind="committee").secretary.name
    assert {p["name"] for p in people[1:]} == {o.secretary.name for o in branches}
    assert a["turnout_valid"] and a["ballots"] == 58
    for p in people:
        assert set(p["tallies"]) == {"好", "较好", "一般", "差"}
        assert sum(p["tallies"].values()) == p["valid"] > 0
        assert p["grade"] in ("好", "较好", "一般", "差")
        assert p["explanation"][-1].endswith(f"评定为“{p['grade']}”。")
    assert len(people[0]["problems"]) == 2
    assert all(set(x) >= {"problem", "category", "owner", "deadline", "measures", "status"} for x in people[0]["problems"])
    with_problems = [p for p in people[1:] if p["problems"]]
    assert len(with_problems) == 3  # the branches that skipped a 支委会 in 2022
    # The branches that skipped a meeting rate lower than the rest, on average.
    avg = lambda ps: sum(p["score"] for p in ps) / len(ps)  # noqa: E731
    assert avg(with_problems) < avg([p for p in people[1:] if not p["problems"]])


def test_table_and_xlsx(tmp_path, settings):
    settings.LVZHI_AS_OF = "2023-01-10"
    text = run("--year", "2022", "--unit", "JH01")
    assert "测评有效" in text and "王振华" in text
    out = tmp_path / "评议.xlsx"
    run("--year", "2022", "--unit", "JH01", "--format", "xlsx", "--out", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == ["测评汇总表", "整改清单"]
    assert wb["整改清单"].max_row == 2 + 5  # title, header, 2 + 3 problems


def test_an_open_appraisal_shows_no_results_in_the_cli(make, vote, inst):
    a = make()
    vote(a, "党委委员", ["好"] * a.reportees.count())
    text = run("--year", "2022", "--unit", "YJY")
    assert "测评尚未结束" in text and "好" not in text.split("\n", 1)[1]
    close(a)
    data = json.loads(run("--year", "2022", "--unit", "YJY", "--format", "json"))
    assert data["appraisals"][0]["people"][0]["valid"] == 0  # 1 of 12 expected: invalid turnout


def test_carry_over_in_next_years_report(company, settings):
    body = reports.builtin_template().body
    settings.LVZHI_AS_OF = "2023-12-31"
    doc = templating.render(body, unit=company, year=2023)
    text = "\n".join(doc.plain_lines())
    assert "上年度述职评议指出问题整改情况" in text
    assert "2022年度述职评议中，上级党委点评指出本人2个问题，已完成整改1个，正在整改1个" in text
    assert "佐证：2023年“党建+”项目清单" in text
    assert "目前尚未完成" in text  # the second problem's deadline (30 September) has passed
    assert "各党支部（党总支）书记述职评议指出问题3个，已完成整改3个，其中逾期或逾期完成1个" in text
    last = "\n".join(templating.render(body, unit=company, year=2022).plain_lines())
    assert "上年度述职评议" not in last  # no 2021 appraisal: the section is not there at all


def test_result_notice_docx(company, client_as, settings):
    import zipfile

    from lvzhi.appraisal.models import Appraisal

    settings.LVZHI_AS_OF = "2023-01-10"
    a = Appraisal.objects.get(unit=company, year=2022)
    response = client_as("dangban").get(f"/appraisal/{a.pk}/notice.docx")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        xml = z.read("word/document.xml").decode()
    assert "述职评议结果的通报" in xml and "仿宋_GB2312" in z_styles(response.content)
    assert "评定为“好”的" in xml and "整改时限：2023年6月30日" in xml
    assert "中共江海化工股份有限公司委员会" in xml


def z_styles(content) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("word/styles.xml").decode()
