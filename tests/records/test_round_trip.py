"""Every record type round-trips: form → API read → API update → form update → Excel export → delete → import.

The cases are generated from the registry, so a type is covered as soon as it is registered. Each column gets
a sample value by its kind (text, date, person, parent record …); the short OVERRIDES table holds the few
values a type's own rules need. Form values are what the cell formatter makes of the sample, which is
also what an export writes, so the test proves that formatting and parsing agree.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import models

from lvzhi.imports.exporter import export_records
from lvzhi.imports.importer import run_import
from lvzhi.org.models import PartyOrg, Person, User
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.records import cells, registry, services

pytestmark = pytest.mark.django_db

SAMPLE_DATE = dt.date(2023, 3, 15)  # after the demo's years: natural keys never meet a demo record
WRITERS = ("dangban", "jiwei", "xuanchuan", "admin_demo")  # the first who may write a type's system enters it
OVERRIDES = {
    "business_result": {"date": dt.date(2023, 3, 1)},  # figures are monthly: the model keeps the 1st
    "unit_fact": {"key": "sample_fact"},  # a slug
    "development": {"assessment_dates": "2023-03-15"},  # dates, written as such
    "dues_payment": {"month_from": dt.date(2023, 3, 1), "month_to": dt.date(2023, 3, 1)},  # months: kept as the 1st
    "obligation_rule": {"rule_id": "sample.rule", "subject_filter": "kinds=branch", "record_type": "branch_activity",
                        "record_filter": "kind=committee_meeting", "link": "party_org", "params": ""},
    "attendance": {"status": "absent"},  # absent: the reason is required (and only then allowed)
    "record_keeping": {"record_type": "study_session", "metric": "study.follow_up", "status": "verified_zero"},
}
VOLATILE = {"id", "version", "created_at", "updated_at", "created_by_id", "path", "depth", "numchild"}
KEYS = sorted(rt.key for rt in registry.all_types())


@pytest.fixture
def ctx(contact_plant):
    people = list(Person.objects.filter(unit__path__startswith=contact_plant.path, left_on__isnull=True)
                  .order_by("code")[:2])
    branch = PartyOrg.objects.filter(unit__path__startswith=contact_plant.path, kind="branch").order_by("code").first()
    return {"unit": contact_plant, "person": people[0], "people": people, "party_org": branch}


def generic_value(rt, column, ctx, *, made: dict):
    kind = cells.kind_of(rt, column)
    if kind == "text":
        f = None if rt.is_virtual(column) else rt.model_field(column.field)
        return f"样例{rt.header(column)}"[:getattr(f, "max_length", None) or 100]
    if kind in ("date", "datetime"):
        return SAMPLE_DATE
    if kind == "int":
        return SAMPLE_DATE.year if column.field == "year" else 3
    if kind == "decimal":
        return Decimal("12.5")
    if kind == "bool":
        return True
    if kind == "choice":
        return rt.model_field(column.field).flatchoices[0][0]
    if kind == "party_org" and (rt.model_field(column.field).remote_field.limit_choices_to or {}).get("kind"):
        wanted, branch = rt.model_field(column.field).remote_field.limit_choices_to["kind"], ctx["party_org"]
        return PartyOrg.objects.get_or_create(code=f"{branch.code}-T{wanted}", defaults=dict(
            name=f"{branch.name}样例{wanted}", kind=wanted, unit=branch.unit, parent=branch))[0]  # 党小组成员: a group
    if kind in ("unit", "person", "party_org", "people"):
        return ctx[kind]
    if kind in ("record", "records"):
        parent = make_parent(registry.for_model(cells.related_model(rt, column)), ctx, made=made)
        return parent if kind == "record" else [parent]
    raise AssertionError(f"{rt.key}.{column.field}: no sample for kind {kind}")


def sample(rt, ctx, *, required_only=False, made=None) -> dict:
    made = {} if made is None else made
    values = {c.field: generic_value(rt, c, ctx, made=made) for c in rt.columns
              if not required_only or rt.is_required(c)}
    values.update(OVERRIDES.get(rt.key, {}))
    return values


def make_parent(rt, ctx, *, made: dict):
    """A parent record (inspection for a finding …) with its required columns, created by the system once."""
    if rt.key not in made:
        made[rt.key] = services.create_record(rt, sample(rt, ctx, required_only=True, made=made), actor="测试",
                                              scope=Scope.everything())
    return made[rt.key]


def form_data(rt, values: dict, *, creating: bool) -> dict:
    """What a user types into the form: the cell formatter's text for each sample value."""
    data = {}
    for c in rt.columns:
        if c.field not in values or (c.creatable_only and not creating):
            continue
        text = cells.format_value(rt, c, values[c.field])
        if cells.kind_of(rt, c) == "bool":
            if values[c.field]:
                data[c.field] = "on"
            continue
        data[c.field] = text.isoformat() if hasattr(text, "isoformat") else str(text)
    return data


def api_value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list):
        return sorted(api_value(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def comparable(obj) -> dict:
    from lvzhi.audit.services import snapshot

    return {k: v for k, v in snapshot(obj).items() if k not in VOLATILE}


def editable_texts(rt) -> list[str]:
    """Text columns that may change freely (notes first where the type has them): not codes or natural keys, nor
    the texts a type's own rules constrain (those in OVERRIDES)."""
    texts = [c.field for c in rt.columns if cells.kind_of(rt, c) == "text" and not rt.is_virtual(c)
             and c.field not in ("code", *rt.natural_key, *OVERRIDES.get(rt.key, {}))]
    return sorted(texts, key=lambda f: f != "notes")


@pytest.mark.parametrize("key", KEYS)
def test_record_type_round_trips_by_form_api_and_excel(key, ctx, client_as, api_as, tmp_path):
    rt = registry.get(key)
    user = next(u for u in map(User.objects.get_by_natural_key, WRITERS) if scope_for(u).can_write_any(rt.system))
    writer = user.username
    values = sample(rt, ctx)

    # 1. Create through the form page, with the formatter's text for every column.
    page = client_as(writer)
    r = page.post(f"/records/{key}/new/", form_data(rt, values, creating=True))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    pk = int(re.fullmatch(rf"/records/{key}/(\d+)/", r["Location"]).group(1))
    obj = rt.model.objects.get(pk=pk)
    for c in rt.columns:
        assert cells.format_cell(rt, c, obj) == cells.format_value(rt, c, values[c.field]), c.field
    assert page.get(f"/records/{key}/{pk}/").status_code == 200

    # 2. Read it through the API: every column as stored.
    api = api_as(writer)
    url = f"/api/{rt.slug}/{pk}/"
    data = api.get(url).json()
    for c in rt.columns:
        got = sorted(data[c.field]) if isinstance(data[c.field], list) else data[c.field]
        want = api_value(values[c.field])
        assert (Decimal(got) == want) if isinstance(want, Decimal) else got == want, c.field

    # 3. Update through the API with the version read; a stale version is refused.
    field, other = (editable_texts(rt) * 2)[:2]  # the API changes one, the form another (or the same again)
    r = api.patch(url, {field: "经接口修改", "version": data["version"]}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["version"] == data["version"] + 1
    assert api.patch(url, {field: "过期版本", "version": data["version"]}, format="json").status_code == 409
    obj.refresh_from_db()
    assert getattr(obj, field) == "经接口修改"

    # 4. Update through the edit page: the form comes back filled with what is stored.
    form = page.get(f"/records/{key}/{pk}/edit/").context["form"]
    edited = {k: v for k, v in form.initial.items() if v not in (None, False)}
    edited.update({k: "on" for k, v in form.initial.items() if v is True})
    edited[other] = "经表单修改"
    r = page.post(f"/records/{key}/{pk}/edit/", edited)
    assert r.status_code == 302, r.context["form"].errors
    obj.refresh_from_db()
    assert getattr(obj, other) == "经表单修改" and obj.version == data["version"] + 2

    # 5. Export, delete through the page, import the export: the same record again.
    cells_before = {c.field: cells.format_cell(rt, c, obj) for c in rt.columns}
    fields_before = comparable(obj)
    count = rt.model.objects.count()
    out = tmp_path / f"{key}.xlsx"
    assert export_records(rt, rt.model.objects.filter(pk=pk), out) == 1
    assert page.post(f"/records/{key}/{pk}/delete/").status_code == 302
    assert rt.model.objects.count() == count - 1
    result = run_import(rt, out, actor=user, scope=scope_for(user))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created) == (1, 1)
    assert rt.model.objects.count() == count
    again = rt.model.objects.order_by("-pk").first()
    assert {c.field: cells.format_cell(rt, c, again) for c in rt.columns} == cells_before
    assert comparable(again) == fields_before
