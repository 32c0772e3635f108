"""What every API operation shares: 401 with a challenge, one request format, a page-size cap, unknown query
parameters refused, integer types, and a documentation page that calls nothing outside."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
UPLOADS = {("/api/imports/", "post"), ("/api/attachments/", "post")}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("url", ["/api/", "/api/units/", "/api/checks/", "/api/reports/", "/api/imports/",
                                 "/api/attachments/", "/api/tokens/", "/api/metrics/", "/api/schema/"])
def test_no_credentials_is_401_with_a_challenge(url):
    r = APIClient().get(url)
    assert r.status_code == 401 and r["WWW-Authenticate"] == 'Bearer realm="lvzhi"'
    assert "身份认证信息未提供" in r.content.decode()  # DRF's own Chinese; the schema answers in its YAML


def test_a_signed_in_session_still_works_without_a_token(client_as):
    assert client_as("dangban").get("/api/units/").status_code == 200


def test_one_request_format_per_operation(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            content = list(op.get("requestBody", {}).get("content", {}))
            if not content:
                continue
            expected = ["multipart/form-data"] if (path, method) in UPLOADS else ["application/json"]
            assert content == expected, (method, path, content)
    assert all("requestBody" in schema["paths"][p][m] for p, m in UPLOADS)


def test_years_and_ids_are_integers_in_the_schema(schema):
    for path, item in schema["paths"].items():
        for op in item.values():
            for p in op.get("parameters", []):
                if p["name"] in ("year", "unit", "limit", "offset"):
                    assert p["schema"]["type"] == "integer", (path, p)
    limit = next(p for p in schema["paths"]["/api/units/"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 1000


def test_the_page_size_is_capped(bearer):
    c = bearer("admin_demo")
    full = c.get("/api/people/?limit=1000")
    assert full.status_code == 200 and len(full.json()["results"]) == 1000 and full.json()["count"] > 1000
    for bad in ("1001", "100000", "0", "-5", "abc", "2.5"):
        r = c.get(f"/api/people/?limit={bad}")
        assert r.status_code == 400 and "每页条数" in r.json()["limit"][0], bad
    assert c.get("/api/people/?offset=-1").status_code == 400
    assert c.get("/api/checks/?limit=1001").status_code == 400


@pytest.mark.parametrize("url", ["/api/people/?yaer=2022", "/api/study-sessions/?unit=1&colour=red",
                                 "/api/checks/?sate=late", "/api/reports/?yr=2022", "/api/imports/?x=1",
                                 "/api/metrics/?unit=1", "/api/tokens/?all=1"])
def test_an_unknown_query_parameter_is_refused(bearer, url):
    r = bearer("admin_demo").get(url)
    assert r.status_code == 400
    message = r.json()["detail"][0]
    assert message.startswith("不支持的查询参数：") and "可用：" in message


def test_a_detail_with_an_unknown_parameter_is_refused_too(bearer, company):
    assert bearer("admin_demo").get(f"/api/units/{company.pk}/?expand=all").status_code == 400


def test_year_must_be_a_whole_number(bearer):
    c = bearer("admin_demo")
    assert c.get("/api/study-sessions/?year=2022").status_code == 200
    r = c.get("/api/study-sessions/?year=2022.5")
    assert r.status_code == 400 and "year" in r.json()


def test_the_documentation_page_calls_nothing_outside(client_as):
    html = client_as("dangban").get("/api/docs/").content.decode()
    assert '"validatorUrl": null' in html
    assert not [u for u in re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)]
    assert "cdn" not in html.lower()
