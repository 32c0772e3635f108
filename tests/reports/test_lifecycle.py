"""A finalised report is frozen: byte-identical after records change; a new version reflects the change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lvzhi.org.scoping import Scope, scope_for
from lvzhi.records import registry
from lvzhi.records.services import create_record
from lvzhi.reports import pdf_render, services
from lvzhi.reports.models import DutyReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(users, company):
    scope = scope_for(users["shuji"])
    return services.create_report(unit=company, year=2022, template=services.builtin_template(),
                                  actor=users["shuji"], scope=scope)


def _add_inspection(company):
    create_record(registry.get("inspection"), {"unit": company, "kind": "bidding", "date": dt.date(2022, 12, 30),
                                               "title": "定稿后补录"}, actor="测试", scope=Scope.everything())


def test_writer_text_is_kept_between_sessions(draft, users):
    scope = scope_for(users["shuji"])
    services.save_writer_texts(draft, {"problems": "一是问题甲。"}, actor=users["shuji"], scope=scope,
                               expected_version=draft.version)
    draft.refresh_from_db()
    doc = services.render_document(draft)
    assert "一是问题甲。" in doc.plain_lines()


def test_stale_writer_save_is_refused(draft, users):
    from lvzhi.records.services import ConcurrentEditError

    scope = scope_for(users["shuji"])
    services.save_writer_texts(draft, {"plans": "甲"}, actor=users["shuji"], scope=scope, expected_version=draft.version)
    with pytest.raises(ConcurrentEditError):
        services.save_writer_texts(draft, {"plans": "乙"}, actor=users["shuji"], scope=scope,
                                   expected_version=draft.version)


@pytest.mark.slow
@pytest.mark.skipif(not pdf_render.soffice(), reason="需要 LibreOffice")
def test_finalised_report_is_frozen_and_a_new_version_moves(draft, users, company):
    scope = scope_for(users["shuji"])
    final = services.finalise(draft, actor=users["shuji"], scope=scope)
    docx1, pdf1 = services.report_file(final, "docx"), services.report_file(final, "pdf")
    assert final.is_final and final.content_hash and services.verify_integrity(final)
    figures = {f["metric"]: f for f in final.snapshot["figures"]}
    bidding = figures["integrity.inspections.bidding"]
    assert bidding["record_ids"] and int(bidding["value"]) == len(bidding["record_ids"])
    assert final.snapshot["template"]["version"] == draft.template.version

    _add_inspection(company)
    final.refresh_from_db()
    assert services.report_file(final, "docx") == docx1 and services.report_file(final, "pdf") == pdf1
    assert services.verify_integrity(final)
    with pytest.raises(ValidationError, match="已定稿"):
        services.save_writer_texts(final, {"plans": "x"}, actor=users["shuji"], scope=scope,
                                   expected_version=final.version)

    newer = services.new_version(final, actor=users["shuji"], scope=scope)
    assert newer.number == final.number + 1 and not newer.is_final
    doc = services.render_document(newer)
    new_value = next(t for t in doc.tokens if t.metric == "integrity.inspections.bidding").value
    assert int(new_value) == int(bidding["value"]) + 1


def test_a_failing_render_leaves_no_half_finalised_report(draft, users, monkeypatch):
    from lvzhi.reports import docx_render

    def boom(document):
        raise RuntimeError("模拟渲染失败")

    monkeypatch.setattr(docx_render, "to_bytes", boom)
    with pytest.raises(RuntimeError):
        services.finalise(draft, actor=users["shuji"], scope=scope_for(users["shuji"]), require_pdf=False)
    draft.refresh_from_db()
    assert not draft.is_final and not draft.docx and not draft.snapshot


def test_report_pages_for_the_secretary(client_as, draft):
    c = client_as("shuji")
    assert c.get("/reports/").status_code == 200
    r = c.get(f"/reports/{draft.pk}/")
    body = r.content.decode()
    assert r.status_code == 200 and "持续强化政治统领" in body and "/metrics/" in body  # figures link to records
    assert c.get(f"/reports/{draft.pk}/download/docx/").status_code == 200
    md = c.get(f"/reports/{draft.pk}/download/md/").content.decode()
    assert md.startswith("# 江海化工股份有限公司党委书记")


def test_branch_secretary_cannot_see_the_company_report(client_as, draft):
    assert client_as("zhibu").get(f"/reports/{draft.pk}/").status_code == 404
    assert DutyReport.objects.filter(pk=draft.pk).exists()


def test_template_pages_render(client_as):
    c = client_as("dangban")
    r = c.get("/reports/templates/")
    assert r.status_code == 200 and "内置" in r.content.decode()
    from lvzhi.reports.models import ReportTemplate

    builtin = ReportTemplate.objects.filter(is_builtin=True).order_by("-version").first()
    r = c.get(f"/reports/templates/{builtin.pk}/")
    assert r.status_code == 200 and "复制内置模板" in r.content.decode()
