"""Small doors the adversarial pass found open (issue 17): an edit posted without its version, an anonymous API
call, what the README promises about them."""

from pathlib import Path

import pytest

from lvzhi.obligations.models import ObligationRule
from lvzhi.org.models import Unit
from lvzhi.records import forms, registry

pytestmark = pytest.mark.django_db
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_a_record_edit_posted_without_its_version_overwrites_nothing(client_as):
    unit = Unit.objects.get(code="JH01-D02")
    rt = registry.get("unit")
    data = {k: v for k, v in forms.initial_for(rt, unit).items() if v not in (None, False, "")}
    data = {k: v for k, v in data.items() if k not in [c.field for c in rt.columns if c.creatable_only]}
    c = client_as("dangban")
    r = c.post(f"/records/unit/{unit.pk}/edit/", {**{k: v for k, v in data.items() if k != "version"},
                                                  "name": "被覆盖的名称"})
    assert r.status_code == 200 and "表单缺少版本号" in r.content.decode()
    fresh = Unit.objects.get(pk=unit.pk)
    assert fresh.name == unit.name and fresh.version == unit.version
    r = c.post(f"/records/unit/{unit.pk}/edit/", {**data, "name": "新名称"})
    assert r.status_code == 302 and Unit.objects.get(pk=unit.pk).name == "新名称"


def test_a_rule_revision_posted_without_its_version_is_refused(client_as, company):
    rule = ObligationRule.objects.filter(unit__isnull=True).order_by("rule_id").first()
    n = ObligationRule.objects.count()
    page = client_as("dangban").get(f"/obligations/rules/{rule.pk}/revise/?unit={company.pk}")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if name != "version"}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["effective_from"] = "2031-01-01"
    r = client_as("dangban").post(f"/obligations/rules/{rule.pk}/revise/?unit={company.pk}", data)
    assert r.status_code == 200 and "表单缺少版本号" in r.content.decode()
    assert ObligationRule.objects.count() == n


def test_an_anonymous_api_call_gets_401_with_its_scheme(client):
    r = client.get("/api/people/")
    assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Bearer")
    assert "身份认证信息未提供" in r.json()["detail"] or "认证" in r.json()["detail"]
    assert "（接口 401，带 `WWW-Authenticate: Bearer`）" in README


def test_the_readme_and_the_lockout_agree(settings):
    assert settings.AXES_FAILURE_LIMIT == 6 and "第 6 次即锁定 15 分钟" in README
