"""Who sees what: out of scope is 404 (page and API), read-only cannot write, sibling companies are invisible."""

import pytest

from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import scope_for

pytestmark = pytest.mark.django_db


def _person_in(code_prefix):
    return Person.objects.filter(unit__code__startswith=code_prefix).order_by("code").first()


def test_branch_secretary_sees_only_their_workshop(users):
    scope = scope_for(users["zhibu"])
    codes = set(scope.units().values_list("code", flat=True))
    assert codes == {"JH01-P03-W01"}


def test_branch_secretary_gets_404_for_another_branch_person_by_page_and_api(client_as, api_as):
    own = _person_in("JH01-P03-W01")
    other = _person_in("JH01-P03-W02")
    page = client_as("zhibu")
    assert page.get(f"/records/person/{own.pk}/").status_code == 200
    assert page.get(f"/records/person/{other.pk}/").status_code == 404
    api = api_as("zhibu")
    assert api.get(f"/api/people/{own.pk}/").status_code == 200
    assert api.get(f"/api/people/{other.pk}/").status_code == 404
    listed = {p["id"] for p in api.get("/api/people/?limit=500").json()["results"]}
    assert own.pk in listed and other.pk not in listed


def test_out_of_scope_and_missing_look_the_same(api_as):
    api = api_as("zhibu")
    other = _person_in("JH01-P01")
    assert api.get(f"/api/people/{other.pk}/").json() == api.get("/api/people/99999999/").json()


def test_company_users_do_not_see_sibling_companies(api_as):
    api = api_as("dangban")
    codes = {u["code"] for u in api.get("/api/units/?limit=500").json()["results"]}
    assert "JH01" in codes and "JH02" not in codes and "JH" not in codes


def test_read_only_user_cannot_write(client_as, api_as):
    person = _person_in("JH01-P01")
    api = api_as("chakan")
    assert api.get(f"/api/people/{person.pk}/").status_code == 200
    r = api.patch(f"/api/people/{person.pk}/", {"post": "篡改"}, format="json")
    assert r.status_code == 403
    assert "权限" in r.json()["detail"]
    person.refresh_from_db()
    assert person.post != "篡改"
    assert client_as("chakan").get(f"/records/person/{person.pk}/edit/").status_code == 403


def test_organizer_edits_a_person_and_the_change_is_audited(api_as):
    from lvzhi.audit.models import AuditEntry

    person = _person_in("JH01-P01")
    api = api_as("dangban")
    r = api.patch(f"/api/people/{person.pk}/", {"post": "副厂长", "version": person.version}, format="json")
    assert r.status_code == 200, r.content
    entry = AuditEntry.objects.filter(model="org.person", object_id=str(person.pk)).order_by("-seq").first()
    assert entry.action == "update" and entry.after["post"] == "副厂长" and entry.actor_name == "党务干事"


def test_stale_version_is_refused_with_409(api_as):
    person = _person_in("JH01-P02")
    api = api_as("dangban")
    assert api.patch(f"/api/people/{person.pk}/", {"post": "甲", "version": person.version}, format="json").status_code == 200
    r = api.patch(f"/api/people/{person.pk}/", {"post": "乙", "version": person.version}, format="json")
    assert r.status_code == 409
    assert "已被他人修改" in r.json()["detail"]


def test_branch_secretary_cannot_point_a_person_at_a_foreign_unit(api_as):
    own = _person_in("JH01-P03-W01")
    foreign = Unit.objects.get(code="JH01-P01")
    r = api_as("dangban").patch(f"/api/people/{own.pk}/", {"unit": foreign.pk}, format="json")
    assert r.status_code == 400 and "version" in r.json()  # no silent overwrite without the version read
    r = api_as("dangban").patch(f"/api/people/{own.pk}/", {"unit": foreign.pk, "version": own.version}, format="json")
    assert r.status_code == 200  # the organiser may
    r = api_as("zhibu").get(f"/api/people/{own.pk}/")
    assert r.status_code == 404  # …and now the branch secretary no longer sees them


def test_user_without_roles_gets_nothing(db, django_user_model):
    from rest_framework.test import APIClient

    nobody = django_user_model.objects.create_user("nobody", password="x-Secret-12345")
    c = APIClient()
    c.force_authenticate(nobody)
    assert c.get("/api/people/").status_code == 403
