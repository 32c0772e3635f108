"""Every registered record type gets its pages, API and Excel template from its one declaration."""

import io

import openpyxl
import pytest

from lvzhi.records import registry

pytestmark = pytest.mark.django_db

KEYS = sorted(rt.key for rt in registry.all_types())


def test_the_registry_covers_the_domains():
    systems = {rt.system for rt in registry.all_types()}
    assert systems >= {"org", "party_building", "cadres", "governance", "integrity", "ideology"}
    assert len(KEYS) >= 30


@pytest.mark.parametrize("key", KEYS)
def test_pages_render_for_the_secretary(client_as, key):
    c = client_as("shuji")
    assert c.get(f"/records/{key}/").status_code == 200
    assert c.get(f"/records/{key}/new/").status_code == 200
    assert c.get(f"/imports/{key}/upload/").status_code == 200


@pytest.mark.parametrize("key", KEYS)
def test_blank_template_has_the_chinese_headers(client_as, key):
    rt = registry.get(key)
    r = client_as("shuji").get(f"/imports/{key}/template.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers == [rt.header(c) for c in rt.columns]
    assert wb.worksheets[1].title == "填写说明"


@pytest.mark.parametrize("key", KEYS)
def test_api_lists_every_type(api_as, key):
    rt = registry.get(key)
    r = api_as("shuji").get(f"/api/{rt.slug}/")
    assert r.status_code == 200 and "results" in r.json()
