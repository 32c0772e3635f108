"""The report `lvzhi demo` writes to var/out is also in the 述职报告 list (not “还没有述职报告”), created once."""

import io
from types import SimpleNamespace

import pytest

from lvzhi.reports.demo import DEMO_YEAR, write_demo_report
from lvzhi.reports.models import DutyReport

pytestmark = pytest.mark.django_db


def test_demo_report_is_listed_once(settings, tmp_path, client_as, company):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    command = SimpleNamespace(stdout=out)
    assert not DutyReport.objects.filter(unit=company, year=DEMO_YEAR).exists()
    written = write_demo_report(command)
    assert any(p.suffix == ".docx" for p in written)
    report = DutyReport.objects.get(unit=company, year=DEMO_YEAR)
    assert "第1版草稿" in out.getvalue()
    page = client_as("shuji").get("/reports/").content.decode()
    assert "还没有述职报告" not in page and f"/reports/{report.pk}/" in page
    write_demo_report(command)  # a second run keeps the one draft
    assert DutyReport.objects.filter(unit=company, year=DEMO_YEAR).count() == 1
