"""`lvzhi check`: states as a table, JSON or Excel; exit code 1 when anything is late (for cron)."""

import datetime as dt
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


def run(*args):
    """(exit code, stdout) of `lvzhi check …`."""
    import io

    out = io.StringIO()
    try:
        call_command("check_obligations", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_exit_code_is_zero_when_nothing_is_late(tc):
    b.monthly(tc.branch, "committee_meeting", 2022)
    code, out = run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-31", "--rule", "branch.committee_meeting")
    assert code == 0
    assert "测试公司（TC） 2022-01-01—2022-12-31 检查结果（截至 2023-01-31）" in out
    assert "逾期（0 项）" in out


def test_exit_code_is_one_when_something_is_late(tc):
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 12))
    code, out = run("--unit", "测试公司", "--year", "2022", "--as-of", "2023-01-31", "--rule", "branch.committee_meeting")
    assert code == 1
    assert "一车间党支部：2022年12月支部委员会会议0次，应不少于1次（2023-01-10前）" in out
    # before the grace days run out it is only due soon, and the exit code is 0
    code, out = run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-05", "--rule", "branch.committee_meeting")
    assert code == 0 and "即将到期（1 项）" in out


def test_json_and_xlsx_formats(tc, tmp_path):
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 12))
    code, out = run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-31", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["unit_code"] == "TC" and data["late"] >= 1
    rule = next(r for r in data["rules"] if r["rule_id"] == "branch.committee_meeting")
    assert rule["totals"]["late"] == 1 and rule["totals"]["done"] == 11
    assert rule["items"][0]["period"] == "2022-12" and rule["source"].startswith("《中国共产党支部工作条例")
    path = tmp_path / "check.xlsx"
    code, out = run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-31", "--format", "xlsx", "--out", str(path))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "明细"]
    rows = list(wb["明细"].iter_rows(values_only=True))
    assert rows[0][:5] == ("规则编号", "规则", "对象", "期间", "状态")
    assert ("branch.committee_meeting", "支部委员会会议", "一车间党支部", "2022年12月", "逾期") in [r[:5] for r in rows]


def test_the_default_unit_is_the_top_unit_and_users_are_scoped(tc):
    code, out = run("--year", "2022", "--as-of", "2023-01-31", "--rule", "study.first_agenda")
    assert out.splitlines()[0].startswith("江海化工集团有限公司（JH）")  # the first root unit
    with pytest.raises(CommandError, match="找不到单位"):
        run("--unit", "TC", "--year", "2022", "--user", "zhibu")
    with pytest.raises(CommandError, match="xlsx 格式须用 --out"):
        run("--unit", "TC", "--year", "2022", "--format", "xlsx")


def test_all_streamed_json_is_the_whole_evaluation(tc, tmp_path):
    """`check --all --format json` is written rule by rule (engine.stream) and must say exactly what the
    evaluation held in memory says: the same text as json.dumps(as_json(evaluate(…))), no cell dropped."""
    from lvzhi.obligations.engine import evaluate
    from lvzhi.obligations.export import as_json

    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 12))
    b.activity(tc.branch, "heart_talk", D(2022, 5, 10), attendees=tc.members[:4])
    path = tmp_path / "all.json"
    code, _ = run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-31", "--format", "json", "--all",
                  "--out", str(path))
    streamed = path.read_text(encoding="utf-8")
    ev = evaluate(tc.company, year=2022, as_of=D(2023, 1, 31))
    whole = as_json(ev, include_done=True)
    assert streamed == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
    data = json.loads(streamed)
    assert code == 1 and data["late"] == len(ev.late) >= 1
    assert [len(r["items"]) for r in data["rules"]] == [len(r.cells) for r in ev.results]
    # counted apart from the engine: the one branch with a committee owes 12 months; 10 members a 谈心谈话 each
    by_rule = {r["rule_id"]: r["items"] for r in data["rules"]}
    assert [i["period"] for i in by_rule["branch.committee_meeting"]] == [f"2022-{m:02d}" for m in range(1, 13)]
    assert len(by_rule["branch.heart_talk"]) == 10
    assert sum(i["state"] == "done" for i in by_rule["branch.heart_talk"]) == 4
    # without --all the streamed text still equals the in-memory one (late and due-soon items only)
    code, out = run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-31", "--format", "json")
    assert out == json.dumps(as_json(ev), ensure_ascii=False, indent=2) + "\n"


def test_streamed_xlsx_and_table_equal_the_in_memory_ones(tc, tmp_path):
    from lvzhi.obligations.engine import evaluate
    from lvzhi.obligations.export import as_table, write_xlsx

    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 12))
    streamed, whole = tmp_path / "streamed.xlsx", tmp_path / "whole.xlsx"
    run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-31", "--format", "xlsx", "--out", str(streamed))
    ev = evaluate(tc.company, year=2022, as_of=D(2023, 1, 31))
    n = write_xlsx(ev, whole)
    sheets = [{name: list(openpyxl.load_workbook(p)[name].iter_rows(values_only=True)) for name in ("汇总", "明细")}
              for p in (streamed, whole)]
    assert sheets[0] == sheets[1] and len(sheets[0]["明细"]) == n + 1
    assert n == sum(c.state != "na" for c in ev.cells()) > 12
    _, out = run("--unit", "TC", "--year", "2022", "--as-of", "2023-01-31")
    assert out == as_table(ev)
