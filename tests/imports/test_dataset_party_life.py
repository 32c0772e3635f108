"""Party life moves whole in the dataset: on a second company built here (not the demo), meetings keep their
visible numbers (HD-YYYY-NNNN) and attendance comes back by those numbers — export, import into an empty database,
export again: identical."""

from __future__ import annotations

import datetime as dt

import pytest

from lvzhi.imports.dataset import export_dataset
from lvzhi.membership.models import Attendance, MembershipEvent
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import BranchActivity

pytestmark = pytest.mark.django_db
D = dt.date


def build_company() -> Unit:
    top = Unit.objects.add_root(instance=Unit(code="YL", name="云岭矿业有限公司", kind="company",
                                              tracked_since=D(2022, 1, 1)))
    branch = PartyOrg.objects.create(code="ZB-YL", name="云岭矿业党支部", kind="branch", unit=top)
    people = [Person.objects.create(code=f"YL{i:03d}", name=f"云{i}", gender="male", unit=top,
                                     education="bachelor") for i in range(1, 5)]
    for p in people[:3]:
        MembershipEvent.objects.create(person=p, kind="enrolled", date=None, party_org=branch, unit=top)
    MembershipEvent.objects.create(person=people[3], kind="transfer", date=D(2022, 7, 1), party_org=branch,
                                   counterpart="中共某某公司委员会", letter_number="组转〔2022〕7号", unit=top)
    for day in (D(2022, 3, 10), D(2022, 9, 8)):
        a = BranchActivity(party_org=branch, kind="general_meeting", date=day, title="支部党员大会")
        a.fill_derived()
        a.save()
        expected = people[:3] if day.month < 7 else people
        for n, p in enumerate(expected):
            absent = n == 0
            Attendance.objects.create(activity=a, person=p, unit=top, status="absent" if absent else "present",
                                      reason="sick" if absent else "")
    return top


def test_meetings_are_numbered_and_attendance_comes_back_by_their_numbers(tmp_path, fresh_database, lvzhi_cli,
                                                                          workbook_cells):
    top = build_company()
    numbers = list(BranchActivity.objects.filter(unit=top).order_by("date").values_list("number", flat=True))
    assert numbers[0].startswith("HD-2022-") and len(set(numbers)) == 2
    first, again = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    counts = export_dataset(first, scope=Scope.everything("测试"), unit=top)
    assert counts["到会情况"] == 7
    cells = workbook_cells(first)
    assert cells["到会情况"][0][:4] == ("支部活动", "人员", "到会情况", "缺席原因")
    assert {r[0] for r in cells["到会情况"][1:]} == set(numbers)  # attendance names its meeting by number
    assert cells["支部活动"][0][0] == "活动编号"
    env = fresh_database("copy")
    assert lvzhi_cli(env, "manage", "migrate", "-v0").returncode == 0
    r = lvzhi_cli(env, "import", first)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    lvzhi_cli(env, "export", "--all", "--unit", "YL", "--out", again)
    copy = workbook_cells(again)
    # the drop-down lists (选项) offer everything the exporting scope reads: here the demo too
    assert {k: v for k, v in copy.items() if k != "选项"} == {k: v for k, v in cells.items() if k != "选项"}
