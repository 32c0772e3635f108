"""The rectification ledger (整改台账): overdue items first, then open ones by deadline, then the closed ones."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(contact_plant):
    """A unit of its own (so demo records stay out of the way) with one rectification in each state."""
    unit = Unit.objects.add_child(contact_plant, instance=Unit(code="T-LEDGER", name="台账测试车间", kind="workshop"))
    today = timezone.localdate()
    day = lambda n: today + dt.timedelta(days=n)  # noqa: E731 - the ledger is about today, whatever day that is
    verifier = Person.objects.filter(unit__path__startswith=contact_plant.path).first()
    everything = Scope.everything()
    inspection = services.create_record(registry.get("inspection"), {
        "unit": unit, "kind": "safety_production", "date": day(-120), "title": "台账测试检查"}, actor="测试", scope=everything)
    finding = services.create_record(registry.get("finding"), {
        "inspection": inspection, "description": "台账测试问题"}, actor="测试", scope=everything)
    rt = registry.get("rectification")
    rows = [  # measures, deadline, status, completed_on
        ("按期完成", day(-40), "done", day(-45)),
        ("久已逾期", day(-60), "open", None),
        ("下月到期", day(30), "open", None),
        ("逾期后完成", day(-50), "verified", day(-20)),
        ("刚刚逾期", day(-1), "open", None),
        ("今天到期", day(0), "open", None),
    ]
    deadlines = {measures: deadline for measures, deadline, *_ in rows}
    for measures, deadline, status, completed_on in rows:
        services.create_record(rt, {"finding": finding, "measures": measures, "date": day(-100), "deadline": deadline,
                                    "status": status, "completed_on": completed_on,
                                    "verified_by": verifier if status == "verified" else None},
                               actor="测试", scope=everything)
    return unit, deadlines


EXPECTED = [  # overdue by deadline, open by deadline, closed by deadline
    ("久已逾期", "逾期未完成"), ("刚刚逾期", "逾期未完成"), ("今天到期", "整改中"), ("下月到期", "整改中"),
    ("逾期后完成", "逾期后完成"), ("按期完成", "按期完成"),
]


def test_ledger_page_puts_overdue_first_with_a_state_column(ledger, client_as):
    unit, deadlines = ledger
    html = client_as("jiwei").get("/records/rectification/", {"unit": unit.pk}).content.decode()
    table = html[html.index('id="records"'):html.index("</table>", html.index('id="records"'))]
    assert "<th>台账状态</th>" in table
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    assert all(re.search(r'">ZG-\d{4}-\d{4}</a>', r) for r in rows)  # each row opens by its 整改编号
    got = [(re.search(r'>(\d{4}-\d\d-\d\d)<', r).group(1), re.search(r'class="badge \w+">([^<]+)<', r).group(1))
           for r in rows]
    assert got == [(deadlines[m].isoformat(), state) for m, state in EXPECTED]
    assert table.count('<span class="badge late">逾期未完成</span>') == 2


def test_api_returns_the_same_order_and_the_state(ledger, api_as):
    results = api_as("jiwei").get("/api/rectifications/", {"unit": ledger[0].pk}).json()["results"]
    assert [(r["measures"], r["row_state"]) for r in results] == [
        ("久已逾期", "overdue"), ("刚刚逾期", "overdue"), ("今天到期", "open"), ("下月到期", "open"),
        ("逾期后完成", "closed_late"), ("按期完成", "closed")]


def test_export_follows_the_ledger_order(ledger, client_as):
    import io

    import openpyxl

    content = b"".join(client_as("jiwei").get("/imports/rectification/export.xlsx", {"unit": ledger[0].pk})
                       .streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    at = [c.value for c in ws[1]].index("整改措施")
    measures = [row[at] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert measures == [m for m, _ in EXPECTED]


def test_an_inspection_page_lists_its_findings_and_links_to_add_one(ledger, client_as):
    from lvzhi.integrity.models import Inspection

    inspection = Inspection.objects.get(unit=ledger[0])
    html = client_as("jiwei").get(f"/records/inspection/{inspection.pk}/").content.decode()
    assert "台账测试问题" in html
    assert f'href="/records/finding/new/?inspection={inspection.number}"' in html
    form = client_as("jiwei").get(f"/records/finding/new/?inspection={inspection.number}").context["form"]
    assert form.initial["inspection"] == inspection.number
