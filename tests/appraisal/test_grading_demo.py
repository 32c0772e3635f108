"""党支部分类定级 on the demo company: `lvzhi grading` lists every branch with a level that its explanation
reaches; the demo's 问责 caps one branch, with its grounds only for 纪委 and the secretary."""

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from lvzhi.integrity.models import Accountability
from lvzhi.org.models import PartyOrg

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("grading", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_branch_with_a_level(company):
    data = json.loads(run("--year", "2022", "--unit", "JH01", "--format", "json", "--as-of", "2023-01-31"))
    branches = PartyOrg.objects.filter(unit__path__startswith=company.path, kind="branch")
    assert {b["code"] for b in data["branches"]} == set(branches.values_list("code", flat=True))
    assert list(data["levels"]) == ["先进", "较好", "一般", "后进"]
    assert sum(data["distribution"].values()) == len(data["branches"])
    for b in data["branches"]:
        assert b["level"] in data["levels"]
        used = [(v["weight"], v["value"]) for v in b["indicators"].values() if v["value"] is not None]
        assert abs(b["score"] - sum(w * x for w, x in used) / sum(w for w, _ in used)) < 0.02
        assert all(v["inputs"] or v["missing"] for v in b["indicators"].values())
    # The demo's 问责 (an 诫勉 case) falls in 2022 on someone on a branch's roll: that branch is capped at 一般.
    case = Accountability.objects.filter(date__year=2022, unit__path__startswith=company.path).first()
    capped = [b for b in data["branches"] if b["capped"]]
    assert case is not None and len(capped) == 1 and capped[0]["level"] == "一般"
    assert case.person.name in "".join(capped[0]["explanation"])  # the operator (no --user) sees everything


def test_as_a_user_the_grounds_stay_hidden(company):
    case = Accountability.objects.filter(date__year=2022, unit__path__startswith=company.path).first()
    plain = json.loads(run("--year", "2022", "--format", "json", "--as-of", "2023-01-31", "--user", "dangban"))
    (capped,) = [b for b in plain["branches"] if b["capped"]]
    text = "".join(capped["explanation"])
    assert "适用否决项" in text and "受到问责" not in text and case.reason[:8] not in text
    table = run("--year", "2022", "--as-of", "2023-01-31", "--user", "dangban")
    assert "否决项封顶" in table and "受到问责" not in table
    secret = json.loads(run("--year", "2022", "--format", "json", "--as-of", "2023-01-31", "--user", "jiwei"))
    (capped,) = [b for b in secret["branches"] if b["capped"]]
    assert "受到问责" in "".join(capped["explanation"])


def test_xlsx_has_a_frozen_header_and_a_row_per_branch(company, tmp_path):
    out = tmp_path / "grading.xlsx"
    run("--year", "2022", "--unit", "JH01", "--format", "xlsx", "--out", str(out), "--as-of", "2023-01-31")
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A3"
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["党组织", "所在单位", "党员数"] and "等次" in headers and headers[-1] == "计算说明"
    n = PartyOrg.objects.filter(unit__path__startswith=company.path, kind="branch").count()
    assert ws.max_row == 2 + n
    assert sum(r[1].value for r in wb.worksheets[1].iter_rows(min_row=3)) == n


def test_unknown_unit_is_refused(company):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到单位"):
        run("--year", "2022", "--unit", "NOPE")
    with pytest.raises(CommandError, match="找不到单位"):
        run("--year", "2022", "--unit", "JH02", "--user", "zhibu")
