"""The warnings page, the compliance dashboard with its drill-down and export, and the rules pages."""

import datetime as dt
import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest

from lvzhi.obligations.models import ObligationRule
from lvzhi.org.models import PartyOrg

pytestmark = pytest.mark.django_db
AS_OF = "2023-06-30"


def cell_url(company, rule, subject, period):
    query = urlencode({"unit": company.pk, "year": 2022, "as_of": AS_OF, "rule": rule, "subject": subject,
                       "period": period})
    return f"/obligations/cell/?{query}"


def with_panels(client, url: str) -> tuple[str, str]:
    """The dashboard's first screen, and the first page of every rule's panel it loads when opened."""
    body = client.get(url).content.decode()
    urls = [u.replace("&amp;", "&") for u in re.findall(r'class="panel" hx-get="([^"]+)"', body)]
    panels = [client.get(u, HTTP_HX_REQUEST="true") for u in urls]
    assert all(r.status_code == 200 for r in panels) and urls
    return body, "".join(r.content.decode() for r in panels)


def test_dashboard_shows_the_planted_gaps(client_as):
    c = client_as("dangban")
    r = c.get(f"/obligations/dashboard/?year=2022&as_of={AS_OF}")
    board, panels = with_panels(c, f"/obligations/dashboard/?year=2022&as_of={AS_OF}")
    assert r.status_code == 200
    assert "合规看板 · 江海化工股份有限公司" in board
    assert re.search(r'<div class="stat late"><div class="n">6</div>', board)
    assert "数据为实时计算结果" in board  # another day than today: the engine, not the stored rows
    assert "<html" not in panels
    body = board + panels
    # the monthly committee meetings of 60 branches are a heatmap; its data names the late branch
    assert 'id="heat-branch-committee_meeting"' in body and "合成氨厂合成车间党支部" in body
    # quarterly rules of the same branches are a plain table of cells
    assert 'data-p="2022-Q1"' in body
    assert "属于前置研究讨论事项清单" in body and "晚于任职日期" in body
    assert "echarts.min.js" in body and "cdn" not in body.lower()


def test_drill_down_of_a_late_cell_names_what_is_missing(client_as, company):
    branch = PartyOrg.objects.get(code="ZB-JH01-P01-W02")
    url = cell_url(company, "branch.committee_meeting", f"party_org:{branch.pk}", "2022-05")
    body = client_as("dangban").get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "逾期" in body and "合成氨厂合成车间党支部" in body
    assert "缺少：合成氨厂合成车间党支部 2022年5月的支部委员会会议记录" in body
    assert "<html" not in body  # a fragment for the side panel
    full = client_as("dangban").get(url).content.decode()
    assert "<html" in full and "返回合规看板" in full


def test_drill_down_of_a_done_cell_lists_its_records(client_as, company):
    branch = PartyOrg.objects.get(code="ZB-JH01-P01-W02")
    body = client_as("dangban").get(cell_url(company, "branch.committee_meeting", f"party_org:{branch.pk}",
                                             "2022-06")).content.decode()
    assert "已完成" in body and "满足要求的记录" in body
    assert re.search(r'href="/records/branch_activity/\d+/"', body)


def test_dashboard_is_scoped_to_the_users_units(client_as, company):
    c = client_as("zhibu")
    assert c.get(f"/obligations/dashboard/?unit={company.pk}&year=2022").status_code == 404
    assert c.get(f"/obligations/dashboard/rule/?unit={company.pk}&year=2022&rule=branch.committee_meeting"
                 ).status_code == 404
    body = "".join(with_panels(c, f"/obligations/dashboard/?year=2022&as_of={AS_OF}"))
    assert "有机硅厂单体车间党支部" in body and "合成氨厂" not in body
    branch = PartyOrg.objects.get(code="ZB-JH01-P01-W02")
    url = cell_url(company, "branch.committee_meeting", f"party_org:{branch.pk}", "2022-05")
    assert c.get(url).status_code == 404


def test_export_to_excel(client_as):
    r = client_as("dangban").get(f"/obligations/dashboard/export.xlsx?year=2022&as_of={AS_OF}")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    summary = list(wb["汇总"].iter_rows(values_only=True))
    header = summary[1]
    row = next(r for r in summary if r[1] == "branch.committee_meeting")
    assert row[header.index("逾期")] == 3


def test_warnings_page_newest_risk_first(client_as):
    body = client_as("dangban").get(f"/obligations/warnings/?year=2022&as_of={AS_OF}").content.decode()
    assert '<div class="n" id="late-count">6</div>' in body
    table = body.split('id="warnings"', 1)[1]
    order = [table.index(s) for s in ("安全环保部党支部", "聚氨酯厂聚醚车间党支部", "合成氨厂合成车间党支部")]
    assert order == sorted(order)  # due 2022-12-10, then 2022-09-10, then 2022-06-10


def test_warnings_page_for_a_branch_secretary_is_empty_in_2022(client_as):
    body = client_as("zhibu").get(f"/obligations/warnings/?year=2022&as_of={AS_OF}").content.decode()
    assert "没有逾期或即将到期的事项" in body


def test_rules_page_lists_rules_in_force_with_sources(client_as):
    body = client_as("chakan").get("/obligations/rules/").content.decode()
    assert body.count("<tr>") >= 26
    assert "支部委员会会议" in body and "第十二条" in body and "设支部委员会的党支部" in body
    assert "修订</a>" not in body  # read-only users see no revise button
    assert "修订</a>" in client_as("dangban").get("/obligations/rules/").content.decode()


def test_revise_page_creates_the_committees_own_version(client_as, company):
    rule = ObligationRule.objects.get(rule_id="branch.party_lecture", unit__isnull=True)
    c = client_as("dangban")
    page = c.get(f"/obligations/rules/{rule.pk}/revise/?unit={company.pk}")
    assert page.status_code == 200 and "江海化工股份有限公司" in page.content.decode()
    form = {f: getattr(rule, f) for f in ("name", "responsibility", "subject_filter", "record_type", "record_filter",
                                          "link", "min_count", "grace_days", "warning_days", "params", "source",
                                          "article", "document_number", "notes")}
    form.update(cadence="half_year", effective_from="2023-01-01", version=rule.version)
    r = c.post(f"/obligations/rules/{rule.pk}/revise/?unit={company.pk}", {k: v for k, v in form.items() if v is not None})
    assert r.status_code == 302
    copy = ObligationRule.objects.get(rule_id="branch.party_lecture", unit=company)
    assert copy.cadence == "half_year" and copy.effective_from == dt.date(2023, 1, 1)
    rule.refresh_from_db()
    assert rule.effective_to is None  # the default stays for everyone else
    versions = c.get(f"/obligations/rules/branch.party_lecture/versions/?unit={company.pk}").content.decode()
    assert "江海化工股份有限公司修订版" in versions and "默认规则" in versions


def test_readonly_user_cannot_revise(client_as, company):
    rule = ObligationRule.objects.get(rule_id="branch.party_lecture", unit__isnull=True)
    assert client_as("chakan").get(f"/obligations/rules/{rule.pk}/revise/").status_code == 403


def test_api_lists_default_rules_and_revises_into_a_new_version(api_as, company):
    api = api_as("dangban")
    listed = api.get("/api/obligation-rules/?limit=100").json()
    assert listed["count"] >= 26
    rule = ObligationRule.objects.get(rule_id="study.follow_up", unit__isnull=True)
    r = api.post(f"/api/obligation-rules/{rule.pk}/revise/", {"effective_from": "2023-01-01", "min_count": 2},
                 format="json")
    assert r.status_code == 403  # the default itself belongs to the administrators
    r = api.post(f"/api/obligation-rules/{rule.pk}/revise/",
                 {"effective_from": "2023-01-01", "min_count": 2, "unit": company.pk}, format="json")
    assert r.status_code == 201, r.content
    new = ObligationRule.objects.get(pk=r.json()["id"])
    assert (new.unit, new.min_count, new.rule_id) == (company, 2, "study.follow_up")
    r = api.post(f"/api/obligation-rules/{new.pk}/revise/", {"effective_from": "2022-06-01"}, format="json")
    assert r.status_code == 400 and "effective_from" in r.json()
