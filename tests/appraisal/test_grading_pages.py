"""党支部分类定级 pages: the overview (chart from a JSON block, no inline script; Excel), the veto's grounds per
role, 404 outside the reader's units, and the scheme page and manual scores for the committee's clerk."""

import io
import re

import pytest
from openpyxl import load_workbook

from lvzhi.appraisal import grading
from lvzhi.appraisal.grading_models import GradingScheme, ManualScore
from lvzhi.integrity.models import Accountability
from lvzhi.org import access
from lvzhi.org.models import PartyOrg, Unit, User

from . import grading_world as gw

pytestmark = pytest.mark.django_db
Q = "year=2022&as_of=2023-01-31"


def test_overview_shows_levels_chart_and_the_cap_without_grounds(client_as, company):
    case = Accountability.objects.filter(date__year=2022, unit__path__startswith=company.path).first()
    page = client_as("dangban").get(f"/appraisal/grading/?{Q}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="grading-chart-data" type="application/json"' in html and "appraisal/grading.js" in html
    assert not re.search(r"<script>(?!\s*$)", html.replace('type="application/json"', ""))  # no inline code
    assert "否决项封顶" in html and "适用否决项" in html
    assert "权重45</span>" in html and "45.00" not in html
    assert "受到问责" not in html and case.reason[:10] not in html
    n = PartyOrg.objects.filter(unit__path__startswith=company.path, kind="branch").count()
    assert html.count('<tr id="b') == n
    for role in ("jiwei", "shuji"):
        assert "受到问责" in client_as(role).get(f"/appraisal/grading/?{Q}").content.decode()
    for role in ("chakan", "xuanchuan"):
        assert "受到问责" not in client_as(role).get(f"/appraisal/grading/?{Q}").content.decode()


def test_a_branch_secretary_sees_only_their_branch_and_404_outside(client_as, company):
    c = client_as("zhibu")
    html = c.get(f"/appraisal/grading/?{Q}").content.decode()
    home = Unit.objects.get(code="JH01-P03-W01")
    mine = PartyOrg.objects.filter(unit__path__startswith=home.path, kind="branch")
    assert html.count('<tr id="b') == mine.count() > 0
    assert c.get(f"/appraisal/grading/?unit={company.pk}&{Q}").status_code == 404
    assert c.get(f"/appraisal/grading/export.xlsx?unit={company.pk}&{Q}").status_code == 404
    assert c.get(f"/appraisal/grading/scheme/?unit={company.pk}&year=2022").status_code == 404


def test_excel_download(client_as, company):
    r = client_as("dangban").get(f"/appraisal/grading/export.xlsx?{Q}")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A3" and ws["A2"].value == "党组织"
    text = "".join(str(c.value) for row in ws.iter_rows() for c in row)
    assert "否决项" in text and "受到问责" not in text


def test_clerk_sets_up_a_scheme_and_scores(client_as, company):
    c = client_as("dangban")
    url = f"/appraisal/grading/scheme/?unit={company.pk}&year=2022"
    first = c.get(url).content.decode()
    assert "默认方案" in first and "每年目标24条" in first
    assert c.post(url, {"action": "create", "year": 2022}).status_code == 302
    s = GradingScheme.objects.get(unit=company, year=2022)
    data = {"action": "save", "year": 2022, "version": s.version, "name": "江海化工2022定级", "source": "本公司办法",
            "level_name": ["先进", "较好", "一般", "后进", ""], "level_min": ["90", "80", "60", "0", ""]}
    for n, i in enumerate(s.indicators.all(), start=1):
        data.update({f"name-{n}": i.name, f"kind-{n}": i.kind, f"weight-{n}": str(i.weight), f"rules-{n}": i.rule_ids,
                     f"source-{n}": f"{i.record_type}:{i.record_kind}" if i.record_type else "",
                     f"target-{n}": str(i.target or ""), f"cap-{n}": i.cap})
    data.update({"name-9": "党建品牌", "kind-9": "manual", "weight-9": "10"})
    r = c.post(url, data)
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.name == "江海化工2022定级" and s.ordered_levels()[0] == ("先进", 90) and s.version == 2
    manual = s.indicators.get(name="党建品牌")
    org = PartyOrg.objects.filter(unit__path__startswith=company.path, kind="branch").first()
    page = c.get(url).content.decode()
    assert f'id="manual-{manual.pk}"' in page and org.name in page
    assert c.post(f"/appraisal/grading/scheme/manual/{manual.pk}/", {f"score-{org.pk}": "88", f"note-{org.pk}": "好"}
                  ).status_code == 302
    assert ManualScore.objects.get(indicator=manual, party_org=org).score == 88
    html = c.get(f"/appraisal/grading/?{Q}").content.decode()
    assert "江海化工2022定级" in html and "党建品牌" in html and "缺数据" in html  # the others have no score yet
    data["version"] = 1  # a stale form is refused
    data["name"] = "旧表单"
    c.post(url, data)
    s.refresh_from_db()
    assert s.name == "江海化工2022定级"


def test_readers_without_the_reports_system_cannot_change_schemes(client_as, company):
    url = f"/appraisal/grading/scheme/?unit={company.pk}&year=2022"
    for role in ("chakan", "jiwei", "zhibu"):
        r = client_as(role).post(url if role != "zhibu" else url.replace(str(company.pk), str(
            Unit.objects.get(code="JH01-P03-W01").pk)), {"action": "create", "year": 2022})
        assert r.status_code == 403, role
    assert not GradingScheme.objects.filter(year=2022).exists()


def test_second_organisation_page_marks_missing_data(client):
    w = gw.port()
    gw.scheme(w)
    gw.accountability(w.member)
    user = User.objects.create_user("bjg_clerk", password="x")
    access.grant_seed_role(user, w.root, "organizer")
    client.force_login(user)
    html = client.get(f"/appraisal/grading/?unit={w.root.pk}&{Q}").content.decode()
    assert "港务集团定级方案" in html and html.count('<tr id="b') == 4
    assert "无法评定" in html and html.count('badge na">缺数据') >= 6
    assert "否决项封顶" in html and "滨江甲受到问责" not in html
    g = grading.grade(w.root, 2022, scope=gw.EVERYTHING, as_of=gw.AS_OF)
    assert g.distribution["无法评定"] == 1
