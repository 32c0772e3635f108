"""Confidential records — 提醒/诫勉/函询/调查 talks, findings about a named person and their rectifications,
问责 — show names and content only to 纪委 roles and the 党委书记; everyone else with scope sees counts only.

Every path is tried: list page, detail page, API list/detail/search, Excel export (page and CLI), the audit
trail page, a record's history, a parent's page, and the choices of a form, the API and an import.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command

from lvzhi.imports.importer import run_import
from lvzhi.integrity.models import Rectification
from lvzhi.org.models import Person
from lvzhi.org.scoping import scope_for
from lvzhi.records import registry, services

pytestmark = pytest.mark.django_db

SEE = ["jiwei", "shuji"]
COUNT_ONLY = ["dangban", "chakan", "xuanchuan", "admin_demo"]
NAME = "保密对象甲"  # a person who appears in confidential records only
SECRET = ("提醒谈话保密标题", "谈话保密内容", "保密问题描述", "保密整改措施", "问责保密事由", NAME)
PUBLIC = ("例行谈话公开标题", "公开问题描述", "公开整改措施")
TYPES = ["integrity_talk", "finding", "rectification", "accountability"]
DAY = dt.date(2023, 4, 10)


def _create(key, values, actor):
    return services.create_record(registry.get(key), values, actor=actor, scope=scope_for(actor))


@pytest.fixture
def records(contact_plant, users):
    """Confidential and ordinary records of each kind, entered by the discipline secretary."""
    jiwei = users["jiwei"]
    talker = Person.objects.filter(unit__path__startswith=contact_plant.path).order_by("code").first()
    named = Person.objects.create(code="T-SECRET-1", name=NAME, gender="female", unit=contact_plant)
    inspection = _create("inspection", {"unit": contact_plant, "kind": "safety_production", "date": DAY,
                                        "title": "保密测试检查"}, jiwei)
    r = {
        "talk": _create("integrity_talk", {"unit": contact_plant, "kind": "reminder", "date": DAY, "talker": talker,
                                           "people": [named], "title": SECRET[0], "content": SECRET[1]}, jiwei),
        "routine_talk": _create("integrity_talk", {"unit": contact_plant, "kind": "routine", "date": DAY,
                                                   "talker": talker, "people": [talker], "title": PUBLIC[0]}, jiwei),
        "inspection": inspection,
        "finding": _create("finding", {"inspection": inspection, "description": SECRET[2], "person": named}, jiwei),
        "public_finding": _create("finding", {"inspection": inspection, "description": PUBLIC[1]}, jiwei),
        "accountability": _create("accountability", {"unit": contact_plant, "person": named, "date": DAY,
                                                     "reason": SECRET[4], "form": "criticism"}, jiwei),
    }
    r["rectification"] = _create("rectification", {"finding": r["finding"], "measures": SECRET[3],
                                                    "deadline": DAY + dt.timedelta(days=30)}, jiwei)
    r["public_rectification"] = _create("rectification", {"finding": r["public_finding"], "measures": PUBLIC[2],
                                                           "deadline": DAY + dt.timedelta(days=30)}, jiwei)
    return r


def confidential_count(key, company) -> int:
    rt = registry.get(key)
    return rt.model.objects.filter(rt.confidential_rows(), unit__path__startswith=company.path).count()


def secret_objects(records):
    return {"integrity_talk": records["talk"], "finding": records["finding"],
            "rectification": records["rectification"], "accountability": records["accountability"]}


def test_the_records_are_confidential_by_their_declaration(records):
    for name, obj in records.items():
        rt = registry.for_model(type(obj))
        assert rt.is_confidential(obj) == (obj in secret_objects(records).values()), name


@pytest.mark.parametrize("username", COUNT_ONLY)
def test_list_pages_show_only_a_count(username, records, client_as, company):
    c = client_as(username)
    for key in TYPES:
        html = c.get(f"/records/{key}/").content.decode()
        assert f"另有 {confidential_count(key, company)} 条保密记录" in html, key
        assert not [s for s in SECRET if s in html], key
        # Searching for a name or a word of the content must not move the count (it would tell what they say).
        searched = c.get(f"/records/{key}/", {"q": NAME}).content.decode()
        assert f"另有 {confidential_count(key, company)} 条保密记录" in searched
    talks = c.get("/records/integrity_talk/").content.decode()
    assert PUBLIC[0] in talks  # ordinary talks stay in the list


@pytest.mark.parametrize("username", SEE)
def test_list_pages_show_everything_to_discipline_and_the_secretary(username, records, client_as):
    c = client_as(username)
    pages = "".join(c.get(f"/records/{key}/").content.decode() for key in TYPES)
    assert "条保密记录" not in pages
    assert all(s in pages for s in (SECRET[0], SECRET[2], PUBLIC[0]))
    assert NAME in c.get(f"/records/accountability/{records['accountability'].pk}/").content.decode()


@pytest.mark.parametrize("username", COUNT_ONLY)
def test_detail_pages_and_api_give_404(username, records, client_as, api_as):
    c, api = client_as(username), api_as(username)
    for key, obj in secret_objects(records).items():
        rt = registry.get(key)
        assert c.get(f"/records/{key}/{obj.pk}/").status_code == 404, key
        assert c.get(f"/records/{key}/{obj.pk}/edit/").status_code in (403, 404), key
        assert api.get(f"/api/{rt.slug}/{obj.pk}/").status_code == 404, key
        ids = {row["id"] for row in api.get(f"/api/{rt.slug}/", {"limit": 1000}).json()["results"]}
        assert obj.pk not in ids, key
    assert api.get(f"/api/integrity-talks/{records['routine_talk'].pk}/").status_code == 200


@pytest.mark.parametrize("username", SEE)
def test_detail_pages_and_api_open_for_discipline_and_the_secretary(username, records, client_as, api_as):
    c, api = client_as(username), api_as(username)
    for key, obj in secret_objects(records).items():
        assert c.get(f"/records/{key}/{obj.pk}/").status_code == 200, key
        assert api.get(f"/api/{registry.get(key).slug}/{obj.pk}/").status_code == 200, key
    assert api.get(f"/api/integrity-talks/{records['talk'].pk}/").json()["content"] == SECRET[1]


@pytest.mark.parametrize("username", COUNT_ONLY + SEE)
def test_api_search_finds_confidential_rows_only_for_those_who_may_see_them(username, records, api_as):
    api = api_as(username)
    found = api.get("/api/integrity-talks/", {"search": SECRET[0]}).json()["results"]
    findings = api.get("/api/findings/", {"search": "问题描述"}).json()["results"]
    rects = api.get("/api/rectifications/", {"search": "问题描述"}).json()["results"]
    may_see = username in SEE
    assert [r["id"] for r in found] == ([records["talk"].pk] if may_see else [])
    assert records["finding"].pk in {r["id"] for r in findings} if may_see else (
        {r["id"] for r in findings} == {records["public_finding"].pk})
    assert (records["rectification"].pk in {r["id"] for r in rects}) == may_see


def _sheet_text(content: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(v) for row in wb.worksheets[0].iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("username", COUNT_ONLY + SEE)
def test_excel_export_leaves_confidential_rows_out(username, records, client_as, tmp_path):
    c = client_as(username)
    text = "".join(_sheet_text(b"".join(c.get(f"/imports/{key}/export.xlsx").streaming_content)) for key in TYPES)
    out = tmp_path / "talks.xlsx"
    call_command("export", "--type", "accountability", "--out", str(out), "--user", username, stdout=io.StringIO())
    text += _sheet_text(out.read_bytes())
    if username in SEE:
        assert all(s in text for s in SECRET)
    else:
        assert not [s for s in SECRET if s in text]
        assert PUBLIC[0] in text and PUBLIC[1] in text


@pytest.mark.parametrize("username", COUNT_ONLY + SEE)
def test_audit_trail_page_leaves_out_confidential_entries(username, records, client_as):
    html = client_as(username).get("/audit/").content.decode()
    assert PUBLIC[0] in html  # the ordinary talk's entry is readable by everyone in scope
    if username in SEE:
        assert SECRET[0] in html and f"问责：{NAME}" in html
    else:
        assert not [s for s in SECRET if s in html]
        # not even as a redacted row: its type, unit and time would pin a 问责 to a place and a day
        # (the audit page names each record by its type and links it: /records/<type>/<id>/ — issue 15)
        from lvzhi.records import registry

        for obj in secret_objects(records).values():
            assert f'href="/records/{registry.for_model(type(obj)).key}/{obj.pk}/"' not in html
        assert f'href="/records/integrity_talk/{records["routine_talk"].pk}/"' in html


def test_history_of_a_record_that_was_confidential_stays_redacted(records, users, client_as):
    """The finding is made public (no named person any more): its earlier entries still hide what they said."""
    finding = records["finding"]
    services.update_record(registry.get("finding"), finding, {"person": None, "description": "已公开的问题描述"},
                           actor=users["jiwei"], scope=scope_for(users["jiwei"]))
    html = client_as("dangban").get(f"/records/finding/{finding.pk}/").content.decode()
    assert "已公开的问题描述" in html
    assert html.count("（保密内容）") == 2  # the creation and the change that made it public
    assert SECRET[2] not in html and NAME not in html
    assert SECRET[2] in client_as("jiwei").get(f"/records/finding/{finding.pk}/").content.decode()


def test_a_parent_page_counts_the_hidden_children(records, client_as):
    url = f"/records/inspection/{records['inspection'].pk}/"
    html = client_as("dangban").get(url).content.decode()
    assert PUBLIC[1] in html and SECRET[2] not in html
    assert "可能另有保密记录（数量【保密】）" in html  # one inspection is one day and place: never how many
    html = client_as("jiwei").get(url).content.decode()
    assert SECRET[2] in html and "保密记录" not in html


def test_a_confidential_finding_cannot_be_chosen_as_a_parent(records, users, client_as, api_as, tmp_path):
    finding = records["finding"]
    # dangban may not enter rectifications at all; admin_demo may, but not under a finding they cannot see.
    assert client_as("dangban").get("/records/rectification/new/").status_code == 403
    form = {"finding": finding.number, "measures": "越权整改", "deadline": "2023-06-30", "status": "整改中"}
    r = client_as("admin_demo").post("/records/rectification/new/", form)
    assert r.status_code == 200
    assert f"找不到问题编号为“{finding.number}”的检查发现问题，或您无权访问" in r.context["form"].errors["finding"][0]
    r = api_as("admin_demo").post("/api/rectifications/", {"finding": finding.pk, "measures": "越权整改",
                                                           "deadline": "2023-06-30"}, format="json")
    assert r.status_code == 400 and "finding" in r.json()
    path = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["问题", "整改措施", "整改时限"])
    wb.active.append([finding.number, "越权整改", "2023-06-30"])
    wb.save(path)
    admin = users["admin_demo"]
    result = run_import(registry.get("rectification"), path, actor=admin, scope=scope_for(admin))
    assert [str(e) for e in result.errors] == [f"第2行「问题」：找不到问题编号为“{finding.number}”的检查发现问题，或您无权访问"]
    assert not Rectification.objects.filter(measures="越权整改").exists()
    # The discipline secretary may.
    assert client_as("jiwei").post("/records/rectification/new/", form).status_code == 302
