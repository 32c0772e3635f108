"""Two report structures published for other organisations (docs/templates/), written as user templates: every
figure is computed or marked, on demo units and on a company built here with a single record."""

import datetime as dt
import re
from pathlib import Path

import pytest

from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry
from lvzhi.records.services import create_record
from lvzhi.reports import families, services, templating

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "templates"
FILES = {"branch_secretary_by_branch_regulation.txt": "branch",
         "accountability_and_integrity_by_supervision_regulation.txt": "discipline"}


@pytest.fixture
def lone():
    root = Unit.objects.add_root(instance=Unit(code="LN", name="丙集团", kind="group", category="organ"))
    unit = Unit.objects.add_child(root, instance=Unit(code="LN01", name="丙车间", kind="workshop", category="grassroots"))
    sec = Person.objects.create(code="LN-1", name="褚支书", gender="female", unit=unit)
    branch = PartyOrg.objects.create(code="ZB-LN01", name="丙车间党支部", kind="branch", unit=unit, secretary=sec)
    create_record(registry.get("branch_activity"), {"party_org": branch, "kind": "general_meeting",
                                                    "date": dt.date(2023, 3, 1), "title": "党员大会"},
                  actor="测试", scope=Scope.everything())
    return unit


@pytest.mark.parametrize("name", list(FILES))
def test_published_structures_render_with_every_figure_computed_or_marked(name, lone):
    body = (DOCS / name).read_text(encoding="utf-8")
    templating.check(body)
    for unit, year in [(Unit.objects.get(code="JH01"), 2022), (Unit.objects.get(code="JH01-P01-W01"), 2022), (lone, 2023)]:
        who = families.reporter(unit, FILES[name], dt.date(year + 1, 1, 10)) or services.default_secretary(unit)
        doc = templating.render(body, unit=unit, year=year, secretary=who, report_date="次年1月10日")
        text = "\n".join(doc.plain_lines(("title", "author", "heading", "paragraph", "signature", "date")))
        assert "None" not in text and "0万" not in text
        assert not re.search(r"[A-Za-z_]{3,}", text), re.findall(r"[A-Za-z_]{3,}", text)
        for token in doc.tokens:
            if token.kind == "figure":  # a number printed: records behind it, or a declared zero
                fig = doc.figures[(token.metric, token.unit_id)]
                assert fig.record_ids() or fig.detail.get("zero_declared"), (unit.code, token.metric)
            if token.kind == "missing":
                assert not re.search(r"[A-Za-z]", token.label)
        if unit == lone:
            assert "【待补充：" in text
            if FILES[name] == "branch":
                assert "支部党员大会1次" in text and "【待补充：支部委员会次数】" in text
