"""User templates: errors name their line and nothing is written; the sandbox holds."""

import pytest
from django.core.exceptions import ValidationError

from lvzhi.org.scoping import scope_for
from lvzhi.reports import services, templating
from lvzhi.reports.models import ReportTemplate

pytestmark = pytest.mark.django_db

GOOD = "@标题 测试模板\n一、基本情况\n全年共组织班子集中跟进学习{{ m(\"study.follow_up\") }}次。\n"


@pytest.mark.parametrize("body, message", [
    ("第一行\n{{ ''.__class__.__mro__ }}\n", "第 2 行"),
    ("第一行\n第二行\n{{ m(\"no.such.metric\") }}次\n", "第 3 行：未知指标“no.such.metric”"),
    ("第一行\n{% if %}\n", "第 2 行：语法错误"),
    ("{{ lipsum.__globals__ }}", "第 1 行"),
    ("{{ cycler.__init__.__globals__.os }}", "第 1 行"),
])
def test_bad_templates_get_a_chinese_error_and_nothing_is_written(users, company, body, message):
    before = ReportTemplate.objects.count()
    with pytest.raises(ValidationError) as info:
        services.save_template(name="坏模板", body=body, unit=company, actor=users["dangban"],
                               scope=scope_for(users["dangban"]))
    assert message in " ".join(info.value.messages)
    assert ReportTemplate.objects.count() == before


def test_sandbox_refuses_escape_at_render(company):
    with pytest.raises(templating.TemplateProblem, match="不允许"):
        templating.render("{{ ''.__class__.__mro__[1].__subclasses__() }}", unit=company, year=2022)


def test_model_instances_are_not_reachable(company):
    with pytest.raises(templating.TemplateProblem):
        templating.render("{{ contact()._fact.records }}", unit=company, year=2022)


def test_a_good_template_is_versioned(users, company):
    scope = scope_for(users["dangban"])
    v1 = services.save_template(name="本单位模板", body=GOOD, unit=company, actor=users["dangban"], scope=scope)
    v2 = services.save_template(name="本单位模板", body=GOOD + "二、其他\n", unit=company, actor=users["dangban"],
                                scope=scope, key=v1.key)
    assert (v1.key, v1.version) == (v2.key, 1) and v2.version == 2


def test_builtin_cannot_be_edited_in_place(users, company, builtin_body):
    with pytest.raises(ValidationError, match="先复制"):
        services.save_template(name="x", body=GOOD, unit=company, actor=users["dangban"],
                               scope=scope_for(users["dangban"]), key=services.BUILTIN_KEY)


def test_read_only_user_cannot_save_templates(users, company):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_template(name="x", body=GOOD, unit=company, actor=users["chakan"], scope=scope_for(users["chakan"]))


def test_template_page_shows_the_line_of_an_error(client_as):
    c = client_as("dangban")
    r = c.post("/reports/templates/new/", {"name": "坏模板", "body": "好\n{{ m(\"nope\") }}"})
    assert r.status_code == 200
    assert "模板第 2 行" in r.content.decode() and "未保存" in r.content.decode()


def test_writer_text_cannot_inject_template_syntax(render_company):
    doc = render_company(writer_texts={"problems": "一是{{ m(\"study.follow_up\") }}\n@标题 假标题"})
    text = "\n".join(doc.plain_lines())
    assert "{{ m(\"study.follow_up\") }}" in text  # printed as the writer typed it, not evaluated
    assert doc.first("title") != "假标题"


def test_every_unknown_metric_is_listed_with_the_nearest_known_names(company):
    body = '一{{ m("study.folow_up") }}\n二{{ m("党委会次数") }}\n三{{ m("media.likes") }}\n四{{ m("zzz.qqq") }}'
    with pytest.raises(templating.TemplateProblem) as caught:
        templating.check(body)
    text = str(caught.value)
    assert "共 3 个未知指标" in text
    assert "第 1 行：未知指标“study.folow_up”（最接近的：study.follow_up（班子集中跟进学习次数）" in text
    assert "第 2 行：未知指标“党委会次数”（最接近的：committee.meetings（党委会次数）" in text
    assert "第 4 行：未知指标“zzz.qqq”（没有相近的指标）" in text
    assert caught.value.line == 1
    assert [u["name"] for u in caught.value.unknown] == ["study.folow_up", "党委会次数", "zzz.qqq"]


def test_template_page_lists_all_unknown_metrics_and_the_catalogue(client_as):
    c = client_as("dangban")
    r = c.post("/reports/templates/new/", {"name": "坏模板", "body": '{{ m("study.folow_up") }}\n{{ m("media.like") }}'})
    page = r.content.decode()
    assert "共 2 个未知指标" in page and "study.follow_up" in page and "media.likes" in page
    assert 'id="metric-list"' in page and "integrity.talk_coverage" in page and "廉政谈话覆盖率" in page
