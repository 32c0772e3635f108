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
