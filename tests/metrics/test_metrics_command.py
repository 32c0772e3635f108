"""lvzhi metrics: every metric with its id, Chinese label, measure and (for a unit and year) its value."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from lvzhi.metrics.catalogue import CATALOGUE
from lvzhi.metrics.compute import Period, compute
from lvzhi.org.models import Unit
from lvzhi.partybuilding.models import ContactVisit
from lvzhi.reports.services import default_secretary

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_metric_with_the_units_values(company):
    data = json.loads(_run("--unit", "JH01", "--year", "2022", "--format", "json"))
    assert data["unit"]["code"] == "JH01" and data["year"] == 2022
    secretary = default_secretary(company, dt.date(2023, 1, 10))
    assert data["person"] == secretary.name
    rows = {r["id"]: r for r in data["metrics"]}
    assert list(rows) == [m.id for m in CATALOGUE]
    for m in CATALOGUE:
        row, fig = rows[m.id], compute(m, company, Period.year(2022), secretary)
        assert row["label"] == m.label and row["measure"] == m.measure
        if fig.is_missing:
            assert row["value"] is None and row["status"] == "待补充" and row["note"]
        else:
            assert row["value"] is not None and row["status"] == "有值"
    assert rows["study.follow_up"]["value"] == str(compute("study.follow_up", company, Period.year(2022)).value)
    # personal figures: the secretary's own records
    visits = ContactVisit.objects.filter(company.subtree_q("unit__"), date__year=2022, contact_point__leader=secretary)
    assert visits.exists()
    assert rows["personal.contact_visits"]["value"] == str(visits.count())


def test_a_unit_without_records_lists_missing_not_zero():
    data = json.loads(_run("--unit", "JH02", "--year", "2022", "--format", "json"))
    assert Unit.objects.filter(code="JH02").exists()
    values = [r["value"] for r in data["metrics"]]
    assert "0" not in values
    assert sum(r["status"] == "待补充" for r in data["metrics"]) >= len(CATALOGUE) // 2


def test_table_without_a_year_lists_ids_labels_and_measures():
    text = _run()
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["编号", "名称", "单位", "领域"]
    for m in CATALOGUE:
        assert any(line.startswith(m.id + " ") and m.label in line for line in lines), m.id
    table = _run("--unit", "JH01", "--year", "2022")
    assert table.splitlines()[0].startswith(f"江海化工股份有限公司2022年指标（共 {len(CATALOGUE)} 项）；“本人”指述职人")
    assert "数值" in table.splitlines()[1]
