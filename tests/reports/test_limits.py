"""Template limits: loops, powers, products, ranges and memory end in a Chinese error within seconds, in a child
process; the worker (this test process) and its database connection carry on."""

import datetime as dt
import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from lvzhi.org.models import Unit
from lvzhi.org.scoping import scope_for
from lvzhi.partybuilding.models import StudySession
from lvzhi.reports import services, templating
from lvzhi.reports.models import ReportTemplate

pytestmark = pytest.mark.django_db

GOOD = "@标题 测试模板\n一、基本情况\n全年共组织班子集中跟进学习{{ m(\"study.follow_up\") }}次。\n"


@pytest.fixture
def tight(settings):
    settings.REPORT_TEMPLATE_SECONDS = 3
    settings.REPORT_TEMPLATE_MEMORY_MB = 128
    settings.REPORT_TEMPLATE_OUTPUT_CHARS = 200_000
    return settings


def _render(company, body):
    start = time.monotonic()
    with pytest.raises(templating.TemplateProblem) as info:
        templating.render(body, unit=company, year=2022)
    return str(info.value), getattr(info.value, "kind", ""), time.monotonic() - start


@pytest.mark.parametrize("body, kind, words", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "time", "超时"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}。{% endfor %}{% endfor %}", "output", "输出过长"),
    ("{{ 9**(9**9) }}", "memory", "内存"),
    ("{% set n = 9 %}{{ n ** (n ** n) }}", "memory", "内存"),
    ("{{ 'x' * 10**10 }}", "output", "输出过长"),
    ("{{ [1, 2] * 10**9 }}", "output", "输出过长"),
    ("{{ 10**3000 * 10**3000 }}", "memory", "内存"),
    ("{{ range(10**9) | list }}", "time", "range"),
    ("{{ 'x'.ljust(10**9) }}", "memory", "内存"),
])
def test_each_limit_gives_its_chinese_error_quickly(tight, company, body, kind, words):
    message, got_kind, seconds = _render(company, body)
    assert got_kind == kind, message
    assert words in message
    assert "Error" not in message and "Traceback" not in message
    assert seconds < 3 + 2  # the wall-clock limit, plus fork and teardown


def test_the_worker_and_its_connection_survive_and_render_again(tight, company):
    pid = os.getpid()
    for body in ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                 "{{ 'x'.ljust(10**9) }}"):
        with pytest.raises(templating.TemplateLimit):
            templating.render(body, unit=company, year=2022)
    assert os.getpid() == pid
    with connection.cursor() as cursor:  # the shared connection was not touched by the killed child
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    document = templating.render(GOOD, unit=company, year=2022)
    assert "跟进学习" in document.plain_lines()[1]
    with pytest.raises(ChildProcessError):  # every child was reaped: no zombies left behind
        os.waitpid(-1, os.WNOHANG)


def test_the_child_reads_this_transactions_records():
    """The child asks the parent for its rows: records written inside the test's (uncommitted) transaction are the
    ones counted, for a small company of our own; and a QuerySet comes back as a query, evaluated here."""
    unit = Unit.objects.add_root(instance=Unit(code="ZZ99", name="稀疏测试公司"))
    for day in (dt.date(2022, 3, 1), dt.date(2022, 6, 1), dt.date(2022, 9, 1), dt.date(2021, 9, 1)):
        StudySession.objects.create(unit=unit, kind="follow_up", date=day, title=f"跟进学习 {day}")
    document = templating.render("@标题 {{ unit.name }}\n学习{{ m(\"study.follow_up\") }}次。\n", unit=unit, year=2022)
    assert document.first("title") == "稀疏测试公司"
    assert document.plain_lines() == ["学习3次。"]
    figure = document.figures[("study.follow_up", unit.pk)]
    assert len(figure.record_ids()) == 3


def test_the_real_report_renders_well_within_the_default_limits(render_company):
    start = time.monotonic()
    document = render_company()
    seconds = time.monotonic() - start
    assert len(document.plain_lines()) >= 18
    assert seconds < 10


def test_saving_a_runaway_template_is_refused_within_the_limit(tight, users, company):
    before = ReportTemplate.objects.count()
    start = time.monotonic()
    with pytest.raises(ValidationError) as info:
        services.save_template(name="死循环", body="{% for i in range(100000) %}{% for j in range(100000) %}"
                                                  "{% endfor %}{% endfor %}", unit=company, actor=users["dangban"],
                               scope=scope_for(users["dangban"]))
    assert "超时" in " ".join(info.value.messages)
    assert time.monotonic() - start < 5
    assert ReportTemplate.objects.count() == before


def test_a_template_that_writes_is_refused(company):
    """Rendering reads: the parent runs only read statements for the child."""
    from lvzhi.reports import bounded

    def write():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reports_reporttemplate")

    with pytest.raises(templating.TemplateProblem, match="只能读取"):
        bounded.run(write)


def test_the_template_page_answers_a_runaway_template_with_the_limit_in_chinese(tight, client_as):
    """Saving in the web app: the trial render is the bounded one, so the request returns within the limit."""
    c = client_as("dangban")
    before = ReportTemplate.objects.count()
    start = time.monotonic()
    r = c.post("/reports/templates/new/", {"name": "坏模板", "body": "第一行\n{{ 'x' * 10**10 }}\n"})
    assert time.monotonic() - start < 5
    page = r.content.decode()
    assert r.status_code == 200 and "模板第 2 行：模板输出过长" in page and "未保存" in page
    assert ReportTemplate.objects.count() == before


# Harmless in the year the save check renders (2022), two nested loops of 10⁵ in 2021 (issue 17, item 4).
YEAR_TRAP = ("@标题 年度报告\n一、基本情况\n"
             "{% if year == 2021 %}{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
             "{% endif %}全年共组织班子集中跟进学习{{ m(\"study.follow_up\") }}次。\n")
RECURSIVE = "@标题 递归\n{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n正文{{ f(0) }}\n"


def test_a_template_harmless_in_the_checked_year_is_stopped_in_the_year_it_turns_hostile(tight, users, company,
                                                                                       client_as, tmp_path):
    from django.contrib.messages import get_messages
    from django.core.management import CommandError, call_command

    scope = scope_for(users["dangban"])
    tpl = services.save_template(name="年份陷阱", body=YEAR_TRAP, unit=company, actor=users["dangban"], scope=scope,
                                 trial_year=2022)  # the save check renders 2022: nothing to see
    report = services.create_report(unit=company, year=2021, template=tpl, actor=users["dangban"], scope=scope)
    pid, c = os.getpid(), client_as("dangban")
    normal = services.create_report(unit=company, year=2021, template=services.builtin_template(),
                                    actor=users["dangban"], scope=scope)
    start = time.monotonic()
    c.get(f"/reports/{normal.pk}/")
    page_seconds = time.monotonic() - start  # the same page with a harmless template (evidence, menus, preview)
    start = time.monotonic()
    r = c.get(f"/reports/{report.pk}/")  # the preview
    assert time.monotonic() - start < page_seconds + 3 + 2  # stopped at the limit, not minutes later
    page = r.content.decode()
    assert r.status_code == 200 and "模板渲染超时：3 秒内没有完成，已停止" in page
    assert "Traceback" not in page and "Error" not in page
    start = time.monotonic()
    r = c.get(f"/reports/{report.pk}/download/docx/")  # the file: back to the report page with the reason
    assert time.monotonic() - start < 3 + 2
    assert r.status_code == 302 and r["Location"] == f"/reports/{report.pk}/"
    notes = [str(m) for m in get_messages(r.wsgi_request)]
    assert any(n.startswith("无法生成 DOCX") and "模板渲染超时" in n for n in notes), notes
    r = c.post(f"/reports/{report.pk}/finalise/", follow=True)
    assert "定稿失败，报告仍是草稿" in r.content.decode() and "模板渲染超时" in r.content.decode()
    assert not type(report).objects.get(pk=report.pk).is_final
    path = tmp_path / "trap.txt"
    path.write_text(YEAR_TRAP, encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(CommandError, match="模板渲染超时"):  # the batch door: lvzhi report
        call_command("report", "--year", "2021", "--unit", "JH01", "--template", str(path), "--out",
                     str(tmp_path / "r.docx"))
    assert time.monotonic() - start < 3 + 3 and not (tmp_path / "r.docx").exists()
    # the worker survived every stop and renders the same template for its harmless year
    assert os.getpid() == pid
    assert any("跟进学习" in line for line in templating.render(YEAR_TRAP, unit=company, year=2022).plain_lines())
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_recursive_macro_gives_a_chinese_error_not_a_server_error(tight, users, company, client_as):
    message, kind, seconds = _render(company, RECURSIVE)
    assert "模板嵌套或递归过深" in message and seconds < 3 + 2
    c = client_as("dangban")
    before = ReportTemplate.objects.count()
    r = c.post("/reports/templates/new/", {"name": "递归模板", "body": RECURSIVE})
    page = r.content.decode()
    assert r.status_code == 200 and "模板嵌套或递归过深" in page and "未保存" in page
    assert ReportTemplate.objects.count() == before
    # recursive only in another year: saved, then its report page says so (HTTP 200, not 500)
    scope = scope_for(users["dangban"])
    body = "@标题 递归\n{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n正文{% if year == 2021 %}{{ f(0) }}{% endif %}\n"
    tpl = services.save_template(name="隔年递归", body=body, unit=company, actor=users["dangban"], scope=scope,
                                 trial_year=2022)
    report = services.create_report(unit=company, year=2021, template=tpl, actor=users["dangban"], scope=scope)
    r = c.get(f"/reports/{report.pk}/")
    assert r.status_code == 200 and "模板嵌套或递归过深" in r.content.decode()
    r = client_as("dangban").get(f"/api/reports/{report.pk}/")
    assert r.status_code < 500
