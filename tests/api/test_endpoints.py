"""The integrator endpoints: check results, duty reports (with a finalised version's files), import jobs and
attachments — each read through the same services as the pages, within the caller's units."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lvzhi.obligations.engine import LATE, evaluate
from lvzhi.org.models import Unit
from lvzhi.org.scoping import scope_for
from lvzhi.records import registry
from lvzhi.reports import services as reports

pytestmark = pytest.mark.django_db
AS_OF = "2023-01-10"


def _all(client, url):
    rows, page = [], client.get(url)
    while True:
        assert page.status_code == 200, page.content
        rows += page.json()["results"]
        if not page.json()["next"]:
            return rows
        page = client.get(page.json()["next"])


def test_check_results_match_the_engine(bearer, users, company):
    c = bearer("dangban")
    late = _all(c, f"/api/checks/?unit={company.pk}&year=2022&as_of={AS_OF}&state=late&limit=7")
    ev = evaluate(company, year=2022, as_of=dt.date(2023, 1, 10), scope=scope_for(users["dangban"]))
    assert len(late) == len(ev.late) > 0
    assert {(r["rule_id"], r["subject_ref"], r["period"]) for r in late} == \
        {(x.rule.rule_id, x.subject.ref, x.period.key) for x in ev.late}
    assert all(r["state"] == LATE and r["state_label"] == "逾期" for r in late)
    one = late[0]
    narrowed = c.get(f"/api/checks/?unit={company.pk}&year=2022&as_of={AS_OF}&rule={one['rule_id']}"
                     f"&period={one['period']}&limit=1000").json()["results"]
    assert narrowed and {r["rule_id"] for r in narrowed} == {one["rule_id"]}
    assert {r["period"] for r in narrowed} == {one["period"]} and one["subject_ref"] in {r["subject_ref"] for r in narrowed}
    done = c.get(f"/api/checks/?unit={company.pk}&year=2022&as_of={AS_OF}&state=done&limit=1").json()["results"][0]
    assert done["record_ids"] and done["count"] >= done["required"]


def test_check_results_stay_inside_the_callers_units(bearer, company):
    c = bearer("zhibu")
    assert c.get(f"/api/checks/?unit={company.pk}&year=2022").status_code == 404
    mine = c.get(f"/api/checks/?year=2022&as_of={AS_OF}&limit=1000").json()["results"]
    home = Unit.objects.get(code="JH01-P03-W01")
    assert mine and all(Unit.objects.get(pk=r["unit_id"]).path.startswith(home.path) for r in mine)
    assert c.get("/api/checks/?state=overdue").status_code == 400


@pytest.fixture
def finalised(users, company):
    scope = scope_for(users["shuji"])
    draft = reports.create_report(unit=company, year=2022, template=reports.builtin_template(), actor=users["shuji"],
                                  scope=scope)
    return reports.finalise(draft, actor=users["shuji"], scope=scope, require_pdf=False)


@pytest.mark.slow
def test_a_finalised_report_is_listed_and_downloaded(bearer, finalised, company):
    c = bearer("chakan")  # read-only role: reading reports is all it needs
    listed = c.get(f"/api/reports/?unit={company.pk}&year=2022&status=final").json()["results"]
    assert finalised.pk in {r["id"] for r in listed}
    meta = c.get(f"/api/reports/{finalised.pk}/").json()
    assert meta["status"] == "final" and meta["intact"] is True and meta["content_hash"] == finalised.content_hash
    assert meta["unit_name"] == company.name and meta["year"] == 2022 and meta["number"] == finalised.number
    r = c.get(f"/api/reports/{finalised.pk}/docx/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r.content == reports.report_file(finalised, "docx")
    assert "attachment" in r["Content-Disposition"]
    if finalised.pdf:
        pdf = c.get(f"/api/reports/{finalised.pk}/pdf/")
        assert pdf.status_code == 200 and pdf.content == reports.report_file(finalised, "pdf")
        assert pdf.content.startswith(b"%PDF")
    else:
        assert meta["has_pdf"] is False
    assert bearer("zhibu").get(f"/api/reports/{finalised.pk}/docx/").status_code == 404


def test_a_draft_report_renders_its_docx_now(bearer, users, company):
    draft = reports.create_report(unit=company, year=2022, template=reports.builtin_template(), actor=users["shuji"],
                                  scope=scope_for(users["shuji"]))
    c = bearer("dangban")
    meta = c.get(f"/api/reports/{draft.pk}/").json()
    assert meta["status"] == "draft" and meta["intact"] is None
    r = c.get(f"/api/reports/{draft.pk}/docx/")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def _csv(rt, rows) -> SimpleUploadedFile:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([rt.header(c) for c in rt.columns])
    for row in rows:
        writer.writerow([row.get(c.field, "") for c in rt.columns])
    return SimpleUploadedFile("学习.csv", ("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv")


def test_an_import_through_the_api(bearer, company):
    rt = registry.get("study_session")
    before = rt.model.objects.count()
    c = bearer("dangban")
    good = {"unit": company.name, "kind": "中心组专题研讨", "date": "2022-03-16", "title": "接口导入的专题学习"}
    r = c.post("/api/imports/", {"record_type": "study_session", "file": _csv(rt, [good])}, format="multipart")
    assert r.status_code == 202, r.content
    job = c.get(f"/api/imports/{r.json()['id']}/").json()
    assert job["status"] == "done" and job["created"] == 1 and job["errors"] == []
    assert rt.model.objects.count() == before + 1

    bad = {**good, "title": "日期错误", "date": "2022-02-30"}
    fine = {**good, "title": "同一文件中无误的一行"}
    r = c.post("/api/imports/", {"record_type": "study_session", "file": _csv(rt, [fine, bad])}, format="multipart")
    job = c.get(f"/api/imports/{r.json()['id']}/").json()
    assert job["status"] == "failed" and job["created"] == 0 and rt.model.objects.count() == before + 1
    error = job["errors"][0]
    assert error["row"] == 3 and error["column"] and "第3行" in error["text"], job["errors"]
    assert {j["id"] for j in c.get("/api/imports/").json()["results"]} >= {r.json()["id"]}
    assert bearer("chakan").get(f"/api/imports/{r.json()['id']}/").status_code == 404  # someone else's job


def test_an_import_needs_the_right_to_write_that_type(bearer, company):
    rt = registry.get("study_session")
    r = bearer("xuanchuan").post("/api/imports/", {"record_type": "study_session", "file": _csv(rt, [])},
                                 format="multipart")
    assert r.status_code == 403
    r = bearer("dangban").post("/api/imports/", {"record_type": "study_session"}, format="json")
    assert r.status_code == 415  # the upload takes multipart only


def test_attachments_through_the_api(bearer, company):
    rt = registry.get("study_session")
    record = rt.model.objects.filter(unit=company).order_by("pk").first()
    c = bearer("dangban")
    r = c.post("/api/attachments/", {"record_type": "study_session", "record": record.pk,
                                     "file": SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes")}, format="multipart")
    assert r.status_code == 201, r.content
    att = r.json()
    assert att["name"] == "会议纪要.pdf" and att["size"] == 16 and att["record"] == record.pk
    listed = c.get(f"/api/attachments/?record_type=study_session&record={record.pk}").json()["results"]
    assert att["id"] in {a["id"] for a in listed}
    got = c.get(f"/api/attachments/{att['id']}/download/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 minutes"
    refused = c.post("/api/attachments/", {"record_type": "study_session", "record": record.pk,
                                           "file": SimpleUploadedFile("x.exe", b"MZ")}, format="multipart")
    assert refused.status_code == 400 and "不支持的附件类型" in str(refused.json())
    outsider = bearer("zhibu")
    assert outsider.get(f"/api/attachments/{att['id']}/").status_code == 404
    assert outsider.get(f"/api/attachments/{att['id']}/download/").status_code == 404
    assert outsider.get(f"/api/attachments/?record_type=study_session&record={record.pk}").status_code == 404
    assert bearer("xuanchuan").post("/api/attachments/", {
        "record_type": "study_session", "record": record.pk, "file": SimpleUploadedFile("a.pdf", b"%PDF")},
        format="multipart").status_code == 403
    assert c.get("/api/attachments/").status_code == 400  # which record's?
