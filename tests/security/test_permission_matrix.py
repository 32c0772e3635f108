"""The permission matrix: every page and API endpoint × every demo role (and an anonymous visitor) × an object
inside and outside the role's scope × read and write, each with its expected outcome:

  out of scope → 404 · a system the role may not write → 403 · anonymous → sign-in redirect (pages) / 401 (API)

Every response to a role outside 纪委 and the 党委书记 is also searched for the words of confidential records
placed inside every role's scope (names, talk content, findings about a person, 问责): none may appear.
The endpoints come from the URL configuration and the API router: one that ``CLASSIFIED`` does not name fails
``test_every_url_is_classified``.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

import per_database
from lvzhi.imports.exporter import export_records
from lvzhi.imports.models import ImportJob
from lvzhi.metrics import catalogue
from lvzhi.obligations.views import ReviseForm
from lvzhi.org.models import RoleAssignment, RoleRequest
from lvzhi.records import forms, registry
from lvzhi.records.api import serializer_for
from lvzhi.reports import families, pdf_render
from lvzhi.reports.models import DefaultTemplate, DutyReport, ReportStatus, ReportTemplate

from . import matrix
from .world import build

pytestmark = pytest.mark.django_db

# --- classification of every URL ---------------------------------------------------------------------------
# Each URL name maps to the handler below that runs its cells. Record pages, imports and the generic API
# endpoints are expanded over every registered record type, so a new record type is covered automatically;
# a new URL (or a new API action) must be added here.
RECORD_PAGES = ["records:list", "records:new", "records:detail", "records:edit", "records:delete", "records:attach",
                "records:attachment"]
IMPORT_PAGES = ["imports:upload", "imports:export", "imports:template"]
CLASSIFIED = {
    **{name: "record_pages" for name in RECORD_PAGES},
    **{name: "imports" for name in IMPORT_PAGES},
    "imports:job": "imports", "imports:dataset": "imports", "imports:dataset_export": "imports",
    "login": "session", "logout": "session",
    "api-schema": "api_docs", "api-docs": "api_docs", "api-root": "api_special",
    "unit-move": "api_special", "obligation_rule-revise": "api_special", "api-former-path": "api_special",
    "metric-list": "api_special", "metric-detail": "api_special",
    **{name: "api_integration" for name in (
        "check-list", "report-list", "report-detail", "report-docx", "report-pdf", "report-suggestions",
        "import_job-list",
        "import_job-detail", "attachment-list", "attachment-detail", "attachment-download", "token-list",
        "token-detail", "tokens:list", "tokens:revoke")},
    "web:home": "web", "web:switch_unit": "web", "web:manifest": "web", "web:favicon": "web",
    "org:tree": "org", "org:unit": "org", "org:unit_move": "org", "org:people_lookup": "org",
    "org:role_requests": "org", "org:role_request_decide": "org",
    "audit:list": "audit",
    "obligations:warnings": "obligations", "obligations:dashboard": "obligations", "obligations:export": "obligations",
    "obligations:cell": "obligations", "obligations:missing": "obligations", "obligations:rules": "obligations",
    "obligations:panel": "obligations",
    "obligations:rule_versions": "obligations", "obligations:rule_revise": "obligations",
    "metrics:index": "metrics", "metrics:records": "metrics",
    "reports:index": "reports", "reports:detail": "reports", "reports:save_text": "reports",
    "reports:finalise": "reports", "reports:new_version": "reports", "reports:download": "reports",
    "reports:templates": "reports", "reports:template_new": "reports", "reports:template_edit": "reports",
    "reports:template_default": "reports", "reports:draft": "reports",
    **{f"appraisal:{name}": "appraisal" for name in (
        "index", "vote", "detail", "settings", "reportees", "status", "codes", "paper_template", "paper_import",
        "results_xlsx", "rectification_xlsx", "notice_docx", "problem_add", "problem_edit", "grading", "grading_xlsx",
        "grading_scheme", "grading_manual")},
}
API_GENERIC = ("-list", "-detail")  # <record type key>-list / -detail: every record type's viewset


def url_names() -> set[str]:
    """Every named URL of the project ('namespace:name'), the admin's aside (see ``admin_cells``)."""
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x)
                if ns == "admin":
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                assert p.name, f"URL {p.pattern} has no name: it cannot be classified"
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_classified():
    keys = {rt.key for rt in registry.all_types()}
    unclassified = sorted(n for n in url_names() if n not in CLASSIFIED and not (
        n.endswith(API_GENERIC) and n.rsplit("-", 1)[0] in keys))
    assert not unclassified, f"URL 未归入权限矩阵（请在 CLASSIFIED 中登记并写出各角色的预期）：{unclassified}"
    stale = sorted(set(CLASSIFIED) - url_names())
    assert not stale, f"权限矩阵登记了不存在的 URL：{stale}"


# --- payloads ----------------------------------------------------------------------------------------------
_n = iter(range(1, 10**6))


def _fresh_key(rt, values: dict, text_value) -> None:
    """Change one part of the natural key (a text part if there is one) so a copy is a new record; a number the
    system assigns (检查编号 …) is left for it to assign."""
    import datetime as dt

    from django.db import models as m

    n = next(_n)
    if rt.number_prefix:
        values.pop("number", None)
    parts = [name for name in rt.natural_key or () if not rt.model_field(name).is_relation
             and not getattr(rt.model_field(name), "choices", None) and values.get(name) not in (None, "")]
    if not parts:
        return
    text = [name for name in parts if isinstance(rt.model_field(name), (m.CharField, m.TextField))]
    name = (text or parts)[0]
    f = rt.model_field(name)
    if name == "year":
        values[name] = text_value(int(values[name]) - 10 - n % 50)
    elif isinstance(f, m.DateField):
        values[name] = (dt.date.fromisoformat(str(values[name])) - dt.timedelta(days=n)).isoformat()
    elif isinstance(f, m.IntegerField):
        values[name] = text_value(int(values[name]) + 1000 + n)
    else:
        values[name] = f"{values[name]}-m{n}"[-(getattr(f, "max_length", None) or 50):]


def _with_another_person(rt, obj):
    """A type whose key is all references (到会情况: a meeting and a person): the copy names another person of the
    record's unit not yet in that meeting (None for other types)."""
    import copy

    from lvzhi.org.models import Person

    if rt.key != "attendance":
        return None
    taken = rt.model._default_manager.filter(activity_id=obj.activity_id).values("person_id")
    twin = copy.copy(obj)
    for unit in [obj.unit, *reversed(obj.unit.ancestors())]:  # the nearest unit with someone not in it yet
        other = (Person.objects.filter(unit__path__startswith=unit.path).exclude(pk__in=taken).order_by("pk")
                 .first())
        if other is not None:
            twin.person = other
            return twin
    return None


def page_payload(rt, obj, *, creating: bool, home=None) -> dict:
    if creating:
        obj = _with_another_person(rt, obj) or obj
    initial = forms.initial_for(rt, obj)
    data = {k: v for k, v in initial.items() if v not in (None, False, "")}
    data.update({k: "on" for k, v in initial.items() if v is True})
    if creating:
        data.pop("version", None)
        _fresh_key(rt, data, str)
        if rt.key == "unit":
            data["parent"] = f"{home.name}（{home.code}）" if home is not None else initial.get("parent") or ""
    else:
        for c in rt.columns:
            if c.creatable_only:
                data.pop(c.field, None)
    return data


def api_payload(rt, obj, *, creating: bool, home=None) -> dict:
    if creating:
        obj = _with_another_person(rt, obj) or obj
    data = dict(serializer_for(rt)(obj).data)
    for name in ("id", "row_state"):
        data.pop(name, None)
    data = {k: v for k, v in data.items() if v is not None}
    if creating:
        data.pop("version", None)
        _fresh_key(rt, data, int)
        if rt.key == "unit":
            data["parent"] = home.pk if home is not None else obj.pk
    else:
        for c in rt.columns:
            if c.creatable_only:
                data.pop(c.field, None)
    return data


def count_is(rt_or_model, expected):
    """Nothing (or exactly one row) was created: rows of a record type or a model, counted after the request."""
    model = getattr(rt_or_model, "model", rt_or_model)

    def check(response):
        n = model._default_manager.count()
        return "" if n == expected else f"{model.__name__}: {n} rows, expected {expected}"

    return check


def absent(*texts):
    def check(response):
        body = matrix.body_text(response) if response.status_code == 200 else ""
        found = [t for t in texts if t and t in body]
        return f"shows what lies outside the scope: {found}" if found else ""

    return check


def present(*texts):
    def check(response):
        body = matrix.body_text(response)
        missing = [t for t in texts if t and t not in body]
        return f"does not show {missing}" if missing else ""

    return check


def results(ids_expected: set, ids_forbidden: set):
    def check(response):
        ids = {row["id"] for row in response.json()["results"]}
        if ids_expected - ids:
            return f"missing ids {ids_expected - ids}"
        if ids & ids_forbidden:
            return f"lists out-of-scope ids {ids & ids_forbidden}"
        return ""

    return check


# --- handlers ----------------------------------------------------------------------------------------------

def record_pages(m: matrix.Matrix, w):
    for rt in registry.all_types():
        i, o = w.inside[rt.key], w.outside[rt.key]
        vis = w.visible(rt, i)
        writer = m.can_write(rt.system) and not m.anon
        base = f"/records/{rt.key}/"
        n = rt.model._default_manager.count()
        o_mark = w.marks.get((rt.key, "out"))
        m.cell("records:list", "-", "read", m.read(), "GET", base, check=absent(o_mark))
        # A unit outside the scope is a 404 at every door (org.selectors.requested_unit), never a quiet fallback.
        m.cell("records:list", "out", "read", m.read(False), "GET", f"{base}?unit={w.away.pk}", check=absent(o_mark))
        m.cell("records:new", "-", "read", m.write(rt.system, ok=200), "GET", f"{base}new/")
        m.cell("records:new", "in", "write", m.write(rt.system, ok="redirect"), "POST", f"{base}new/",
               data=page_payload(rt, i, creating=True, home=w.home), check=count_is(rt, n + 1) if writer else None)
        m.cell("records:new", "out", "write", m.write(rt.system, ok=200), "POST", f"{base}new/",
               data=page_payload(rt, o, creating=True), check=count_is(rt, n))
        m.cell("records:detail", "in", "read", m.read(vis), "GET", f"{base}{i.pk}/")
        m.cell("records:detail", "out", "read", m.read(False), "GET", f"{base}{o.pk}/")
        m.cell("records:edit", "in", "read", m.write(rt.system, visible=vis, ok=200), "GET", f"{base}{i.pk}/edit/")
        m.cell("records:edit", "out", "read", m.write(rt.system, visible=False), "GET", f"{base}{o.pk}/edit/")
        version = getattr(i, "version", None)
        m.cell("records:edit", "in", "write", m.write(rt.system, visible=vis, ok="redirect"), "POST",
               f"{base}{i.pk}/edit/", data=page_payload(rt, i, creating=False),
               check=_bumped(rt, i, version) if writer and vis else _unchanged(rt, i, version))
        m.cell("records:edit", "out", "write", m.write(rt.system, visible=False), "POST", f"{base}{o.pk}/edit/",
               data=page_payload(rt, o, creating=False), check=_unchanged(rt, o, getattr(o, "version", None)))
        m.cell("records:delete", "in", "write", m.write(rt.system, visible=vis, ok="redirect"), "POST",
               f"{base}{i.pk}/delete/", data={}, check=None if writer and vis else count_is(rt, n))
        m.cell("records:delete", "out", "write", m.write(rt.system, visible=False), "POST", f"{base}{o.pk}/delete/",
               data={}, check=count_is(rt, n))
        upload = {"file": _pdf()}
        m.cell("records:attach", "in", "write", m.write(rt.system, visible=vis, ok="redirect"), "POST",
               f"{base}{i.pk}/attachments/", data=upload)
        m.cell("records:attach", "out", "write", m.write(rt.system, visible=False), "POST",
               f"{base}{o.pk}/attachments/", data={"file": _pdf()})
        a_in, a_out = w.attachments[(rt.key, "in")], w.attachments[(rt.key, "out")]
        m.cell("records:attachment", "in", "read", m.read(vis), "GET", f"{base}{i.pk}/attachments/{a_in.pk}/")
        m.cell("records:attachment", "out", "read", m.read(False), "GET", f"{base}{o.pk}/attachments/{a_out.pk}/")
        # An attachment of a foreign record, fetched through a record the role may read.
        m.cell("records:attachment", "out", "read", m.read(False), "GET", f"{base}{i.pk}/attachments/{a_out.pk}/")


def secret_records(m: matrix.Matrix, w):
    """The confidential records themselves: open to 纪委 and the secretary, 404 to everyone else — by page, API
    and search."""
    texts = {"talk": matrix.SECRETS[1], "finding": matrix.SECRETS[3], "rectification": matrix.SECRETS[4],
             "accountability": matrix.SECRETS[5]}
    for name, obj in w.secrets.items():
        if name == "person":
            continue
        rt = registry.for_model(type(obj))
        sees = m.sees_confidential
        m.cell("records:detail", "secret", "read", m.read(sees), "GET", f"/records/{rt.key}/{obj.pk}/")
        m.cell("records:edit", "secret", "read", m.write(rt.system, visible=sees, ok=200), "GET",
               f"/records/{rt.key}/{obj.pk}/edit/")
        part = texts[name][:-1]  # searched by a part, so the echoed query is not itself the secret
        m.cell("records:list", "secret", "read", m.read(), "GET", f"/records/{rt.key}/?{urlencode({'q': part})}")
        m.cell(f"{rt.key}-detail", "secret", "read", m.read(sees), "GET", f"/api/{rt.slug}/{obj.pk}/", api=True)
        m.cell(f"{rt.key}-list", "secret", "read", m.read(), "GET",
               f"/api/{rt.slug}/?{urlencode({'search': part, 'limit': 1000})}", api=True,
               check=None if m.anon else results({obj.pk} if sees else set(), set() if sees else {obj.pk}))


    # Naming a confidential record as a parent: refused exactly like an id that does not exist (no oracle).
    finding = w.secrets["finding"]
    missing = 2**31 - 7
    payload = {"measures": "矩阵试探整改", "deadline": "2023-06-30"}

    def like_a_missing_id(response):
        if response.status_code != 400:
            return ""
        other = m.api.post("/api/rectifications/", {**payload, "finding": missing}, format="json")
        got, expected = response.json(), other.json()
        same = json.dumps(got, ensure_ascii=False).replace(str(finding.pk), "ID") == \
            json.dumps(expected, ensure_ascii=False).replace(str(missing), "ID")
        return "" if same else f"refused differently from a missing id: {got} / {expected}"

    m.cell("rectification-list", "secret", "write", m.write("integrity", ok=201 if m.sees_confidential else 400),
           "POST", "/api/rectifications/", api=True, data={**payload, "finding": finding.pk}, check=like_a_missing_id)


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("矩阵附件.pdf", b"%PDF-1.4\n")


def _bumped(rt, obj, version):
    def check(response):
        if version is None:
            return ""
        now = rt.model._default_manager.get(pk=obj.pk).version
        return "" if now == version + 1 else f"version {now}, expected {version + 1}"

    return check


def _unchanged(rt, obj, version):
    def check(response):
        if version is None:
            return ""
        now = rt.model._default_manager.get(pk=obj.pk).version
        return "" if now == version else f"version changed to {now}"

    return check


def imports(m: matrix.Matrix, w, tmp_path):
    for rt in registry.all_types():
        i, o = w.inside[rt.key], w.outside[rt.key]
        writer = m.can_write(rt.system) and not m.anon
        n = rt.model._default_manager.count()
        m.cell("imports:upload", "-", "read", m.write(rt.system, ok=200), "GET", f"/imports/{rt.key}/upload/")
        for where, obj in (("in", i), ("out", o)):
            path = tmp_path / f"{rt.key}-{where}.xlsx"
            export_records(rt, rt.model._default_manager.filter(pk=obj.pk), path)
            upload = {"file": _file(path)}
            check = None
            if where == "out" or not writer:
                check = count_is(rt, n)
            if where == "out" and writer:
                check = _job_refused(m, rt, n)
            m.cell("imports:upload", where, "write", m.write(rt.system, ok="redirect"), "POST",
                   f"/imports/{rt.key}/upload/", data=upload, check=check)
        in_mark = w.marks.get((rt.key, "in")) if w.visible(rt, i) and not m.anon else None
        m.cell("imports:export", "-", "read", m.read(), "GET", f"/imports/{rt.key}/export.xlsx?unit={w.place.pk}",
               check=_both(present(in_mark), absent(w.marks.get((rt.key, "out")))))
        m.cell("imports:template", "-", "read", m.read(), "GET", f"/imports/{rt.key}/template.xlsx")
    if w.job_own is not None:
        m.cell("imports:job", "in", "read", m.read(), "GET", f"/imports/jobs/{w.job_own.pk}/")
    m.cell("imports:job", "out", "read", m.read(False), "GET", f"/imports/jobs/{w.job_other.pk}/")
    # The whole dataset is the administrator's: everyone else is refused before any unit is looked at.
    admin = m.role == "admin_demo"
    m.cell("imports:dataset", "-", "read", m.read(ok=200 if admin else 403), "GET", "/imports/dataset/")
    m.cell("imports:dataset_export", "in", "read", m.read(ok=200 if admin else 403), "GET",
           f"/imports/dataset/export.xlsx?unit={w.home.pk}")
    m.cell("imports:dataset_export", "out", "read", m.read(ok=404 if admin else 403), "GET",
           f"/imports/dataset/export.xlsx?unit={w.away.pk}")


def _both(*checks):
    def check(response):
        return "; ".join(p for p in (c(response) for c in checks) if p)

    return check


def _file(path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes())


def _job_refused(m, rt, n):
    def check(response):
        job = ImportJob.objects.filter(created_by=m.user).order_by("-pk").first()
        if job is None or job.status != "failed" or job.created:
            return f"an out-of-scope row was not refused: {job and job.status}"
        return count_is(rt, n)(response)

    return check


def api_records(m: matrix.Matrix, w):
    for rt in registry.all_types():
        i, o = w.inside[rt.key], w.outside[rt.key]
        vis = w.visible(rt, i)
        writer = m.can_write(rt.system) and not m.anon
        url = f"/api/{rt.slug}/"
        n = rt.model._default_manager.count()
        unit_i, unit_o = rt.unit_of(i), rt.unit_of(o)
        narrow = {"unit": unit_i.pk, "subtree": "false", "limit": 1000}
        if rt.date_field and getattr(i, rt.date_field, None):
            narrow.update(date_from=getattr(i, rt.date_field), date_to=getattr(i, rt.date_field))
        ok_list = None if m.anon else results({i.pk} if vis else set(), {o.pk} | (set() if vis else {i.pk}))
        m.cell(f"{rt.key}-list", "in", "read", m.read(), "GET", f"{url}?{urlencode(narrow)}", api=True, check=ok_list)
        m.cell(f"{rt.key}-list", "out", "read", m.read(), "GET", f"{url}?{urlencode({'unit': unit_o.pk})}", api=True,
               check=None if m.anon else results(set(), {o.pk}))
        if rt.date_field and getattr(o, rt.date_field, None):
            day = getattr(o, rt.date_field)
            m.cell(f"{rt.key}-list", "out", "read", m.read(), "GET",
                   f"{url}?{urlencode({'date_from': day, 'date_to': day, 'limit': 1000})}", api=True,
                   check=None if m.anon else results(set(), {o.pk}))
        m.cell(f"{rt.key}-detail", "in", "read", m.read(vis), "GET", f"{url}{i.pk}/", api=True)
        m.cell(f"{rt.key}-detail", "out", "read", m.read(False), "GET", f"{url}{o.pk}/", api=True)
        m.cell(f"{rt.key}-list", "in", "write", m.write(rt.system, ok=201), "POST", url, api=True,
               data=api_payload(rt, i, creating=True, home=w.home), check=count_is(rt, n + 1) if writer else None)
        m.cell(f"{rt.key}-list", "out", "write", m.write(rt.system, ok=400), "POST", url, api=True,
               data=api_payload(rt, o, creating=True), check=count_is(rt, n))
        version = getattr(i, "version", None)
        put = api_payload(rt, i, creating=False)
        m.cell(f"{rt.key}-detail", "in", "write", m.write(rt.system, visible=vis, ok=200), "PUT", f"{url}{i.pk}/",
               api=True, data=put, check=_bumped(rt, i, version) if writer and vis else _unchanged(rt, i, version))
        m.cell(f"{rt.key}-detail", "out", "write", m.write(rt.system, visible=False), "PUT", f"{url}{o.pk}/",
               api=True, data=api_payload(rt, o, creating=False))
        m.cell(f"{rt.key}-detail", "in", "write", m.write(rt.system, visible=vis, ok=200), "PATCH", f"{url}{i.pk}/",
               api=True, data={"version": version} if version else {})
        m.cell(f"{rt.key}-detail", "out", "write", m.write(rt.system, visible=False), "PATCH", f"{url}{o.pk}/",
               api=True, data={})
        m.cell(f"{rt.key}-detail", "in", "write", m.write(rt.system, visible=vis, ok=(204, 400)), "DELETE",
               f"{url}{i.pk}/", api=True, data={}, check=None if writer and vis else count_is(rt, n))
        m.cell(f"{rt.key}-detail", "out", "write", m.write(rt.system, visible=False), "DELETE", f"{url}{o.pk}/",
               api=True, data={}, check=count_is(rt, n))


def api_special(m: matrix.Matrix, w):
    m.cell("api-root", "-", "read", m.read(), "GET", "/api/", api=True)
    m.cell("unit-move", "in", "write", m.write("org", ok=200), "POST", f"/api/units/{w.movable.pk}/move/", api=True,
           data={"parent": w.move_target.pk})
    m.cell("unit-move", "out", "write", m.write("org", visible=False), "POST", f"/api/units/{w.away.pk}/move/",
           api=True, data={"parent": w.home.pk})
    rule = w.inside["obligation_rule"]
    revise = {"effective_from": "2031-01-01", "version": rule.version}
    m.cell("obligation_rule-revise", "in", "write", m.write("obligations", ok=201), "POST",
           f"/api/obligation-rules/{rule.pk}/revise/", api=True, data=revise)
    m.cell("obligation_rule-revise", "out", "write", m.write("obligations", visible=False), "POST",
           f"/api/obligation-rules/{w.rule_away.pk}/revise/", api=True, data=revise)
    m.cell("metric-list", "-", "read", m.read(), "GET", "/api/metrics/", api=True)
    # Renamed paths answer every caller with the new address only; the new path then applies the scope.
    activity = w.inside["branch_activity"]
    m.cell("api-former-path", "in", "read", 308, "GET", f"/api/branch-activitys/{activity.pk}/?format=json", api=True,
           check=lambda r: "" if r["Location"] == f"/api/branch-activities/{activity.pk}/?format=json" else r["Location"])
    metric = "integrity.accountability"
    m.cell("metric-detail", "in", "read", m.read(), "GET", f"/api/metrics/{metric}/?unit={w.home.pk}&year=2022",
           api=True)
    m.cell("metric-detail", "out", "read", m.read(False), "GET", f"/api/metrics/{metric}/?unit={w.away.pk}&year=2022",
           api=True)


def api_integration(m: matrix.Matrix, w, tmp_path):
    """The integrators' endpoints (check results, reports, import jobs, attachments) and the access tokens."""
    from lvzhi.org.models import User
    from lvzhi.records.models import Attachment
    from lvzhi.tokens.models import AccessToken
    from lvzhi.tokens.services import create_token

    period = "year=2022&as_of=2023-01-10&limit=5"
    m.cell("check-list", "in", "read", m.read(), "GET", f"/api/checks/?unit={w.home.pk}&{period}", api=True)
    m.cell("check-list", "out", "read", m.read(False), "GET", f"/api/checks/?unit={w.away.pk}&{period}", api=True)
    ri, ro = w.report_in, w.report_out
    m.cell("report-list", "-", "read", m.read(), "GET", "/api/reports/?limit=1000", api=True,
           check=None if m.anon else results({ri.pk}, {ro.pk}))
    m.cell("report-list", "out", "read", m.read(), "GET", f"/api/reports/?unit={w.away.pk}", api=True,
           check=None if m.anon else results(set(), {ro.pk}))
    for name, suffix in (("report-detail", ""), ("report-docx", "docx/"), ("report-pdf", "pdf/"),
                         ("report-suggestions", "suggestions/")):
        m.cell(name, "in", "read", m.read(), "GET", f"/api/reports/{ri.pk}/{suffix}", api=True)
        m.cell(name, "out", "read", m.read(False), "GET", f"/api/reports/{ro.pk}/{suffix}", api=True)

    m.cell("import_job-list", "-", "read", m.read(), "GET", "/api/imports/", api=True)
    if w.job_own is not None:
        m.cell("import_job-detail", "in", "read", m.read(), "GET", f"/api/imports/{w.job_own.pk}/", api=True)
    m.cell("import_job-detail", "out", "read", m.read(False), "GET", f"/api/imports/{w.job_other.pk}/", api=True)
    # Uploads (imports, attachments) run the same registry-driven code for every type, as the page cells show
    # type by type: here one type per system keeps the matrix short; reads cover every type.
    uploaders = {rt.key for rt in {rt.system: rt for rt in registry.all_types()}.values()}
    for rt in registry.all_types():
        i, o = w.inside[rt.key], w.outside[rt.key]
        vis = w.visible(rt, i)
        n = rt.model._default_manager.count()
        for where, obj in (("in", i), ("out", o)) if rt.key in uploaders else ():
            path = tmp_path / f"api-{rt.key}-{where}.xlsx"
            export_records(rt, rt.model._default_manager.filter(pk=obj.pk), path)
            writer = m.can_write(rt.system) and not m.anon
            check = _job_refused(m, rt, n) if where == "out" and writer else count_is(rt, n) if not writer else None
            m.cell("import_job-list", where, "write", m.write(rt.system, ok=202), "POST", "/api/imports/", api=True,
                   data={"record_type": rt.key, "file": _file(path)}, fmt="multipart", check=check)

        a_in, a_out = w.attachments[(rt.key, "in")], w.attachments[(rt.key, "out")]
        m.cell("attachment-list", "in", "read", m.read(vis), "GET",
               f"/api/attachments/?record_type={rt.key}&record={i.pk}", api=True)
        m.cell("attachment-list", "out", "read", m.read(False), "GET",
               f"/api/attachments/?record_type={rt.key}&record={o.pk}", api=True)
        for name, suffix in (("attachment-detail", ""), ("attachment-download", "download/")):
            m.cell(name, "in", "read", m.read(vis), "GET", f"/api/attachments/{a_in.pk}/{suffix}", api=True)
            m.cell(name, "out", "read", m.read(False), "GET", f"/api/attachments/{a_out.pk}/{suffix}", api=True)
        if rt.key not in uploaders:
            continue
        count = Attachment.objects.count()
        m.cell("attachment-list", "in", "write", m.write(rt.system, visible=vis, ok=201), "POST", "/api/attachments/",
               api=True, data={"record_type": rt.key, "record": i.pk, "file": _pdf()}, fmt="multipart",
               check=None if m.can_write(rt.system) and vis and not m.anon else count_is(Attachment, count))
        m.cell("attachment-list", "out", "write", m.write(rt.system, visible=False), "POST", "/api/attachments/",
               api=True, data={"record_type": rt.key, "record": o.pk, "file": _pdf()}, fmt="multipart",
               check=count_is(Attachment, count))
    for name, obj in w.secrets.items():  # a confidential record's attachments are as closed as the record
        if name != "person":
            m.cell("attachment-list", "secret", "read", m.read(m.sees_confidential), "GET",
                   f"/api/attachments/?record_type={registry.for_model(type(obj)).key}&record={obj.pk}", api=True)

    # Tokens: everyone manages their own, nobody sees or revokes another's.
    other = User.objects.get(username="chakan" if w.role != "chakan" else "dangban")
    foreign, _ = create_token(other, name="他人的令牌", actor=other)
    own = create_token(m.user, name="矩阵令牌", actor=m.user)[0] if m.user is not None else None
    n = AccessToken.objects.count()
    m.cell("token-list", "-", "read", m.read(), "GET", "/api/tokens/", api=True, check=absent("他人的令牌"))
    m.cell("token-list", "-", "write", m.read(ok=201), "POST", "/api/tokens/", api=True,
           data={"name": "矩阵新建", "days": 5}, check=None if m.user else count_is(AccessToken, n))
    if own is not None:
        m.cell("token-detail", "in", "read", m.read(), "GET", f"/api/tokens/{own.pk}/", api=True)
        m.cell("token-detail", "in", "write", m.read(ok=204), "DELETE", f"/api/tokens/{own.pk}/", api=True, data={})
        m.cell("tokens:revoke", "in", "write", m.read(ok=302), "POST", f"/account/tokens/{own.pk}/revoke/", data={})
    m.cell("token-detail", "out", "read", m.read(False), "GET", f"/api/tokens/{foreign.pk}/", api=True)
    m.cell("token-detail", "out", "write", m.read(False), "DELETE", f"/api/tokens/{foreign.pk}/", api=True, data={},
           check=lambda r: "" if AccessToken.objects.get(pk=foreign.pk).revoked_at is None else "revoked another's")
    m.cell("tokens:list", "-", "read", m.read(), "GET", "/account/tokens/", check=absent("他人的令牌"))
    m.cell("tokens:list", "-", "write", m.read(), "POST", "/account/tokens/", data={"name": "矩阵页面", "days": 3},
           check=None if m.user else count_is(AccessToken, n))
    m.cell("tokens:revoke", "out", "write", m.read(False), "POST", f"/account/tokens/{foreign.pk}/revoke/", data={})


def api_docs(m: matrix.Matrix, w):
    m.cell("api-schema", "-", "read", m.read(), "GET", "/api/schema/?format=json", api=True)
    m.cell("api-docs", "-", "read", m.read(), "GET", "/api/docs/", api=True)


def session(m: matrix.Matrix, w):
    m.cell("login", "-", "read", 200, "GET", "/login/")
    m.cell("logout", "-", "read", 405, "GET", "/logout/")
    # Signing out last (see run): it ends the session the other cells use.


def web(m: matrix.Matrix, w):
    m.cell("web:home", "-", "read", m.read(), "GET", "/", check=absent(w.away.name) if w.role != "zhibu" else None)
    m.cell("web:switch_unit", "in", "write", "login" if m.anon else "redirect", "POST", "/unit/switch/",
           data={"unit": w.home.pk, "next": "/"})
    m.cell("web:switch_unit", "out", "write", m.read(False), "POST", "/unit/switch/", data={"unit": w.away.pk})
    # What a browser fetches before anyone signs in: the icon and the web-app manifest, the same for everyone.
    m.cell("web:manifest", "-", "read", 200, "GET", "/manifest.webmanifest")
    m.cell("web:favicon", "-", "read", 200, "GET", "/favicon.ico")


def org(m: matrix.Matrix, w):
    m.cell("org:tree", "-", "read", m.read(), "GET", "/org/tree/", check=absent(w.away.name))
    m.cell("org:unit", "in", "read", m.read(), "GET", f"/org/units/{w.home.pk}/")
    m.cell("org:unit", "out", "read", m.read(False), "GET", f"/org/units/{w.away.pk}/")
    m.cell("org:unit_move", "in", "write", m.write("org"), "POST", f"/org/units/{w.movable.pk}/move/",
           data={"parent": w.move_target.pk})
    m.cell("org:unit_move", "out", "write", m.write("org", visible=False), "POST", f"/org/units/{w.away.pk}/move/",
           data={"parent": w.home.pk})
    person_in, person_out = w.inside["person"], w.outside["person"]
    m.cell("org:people_lookup", "in", "read", m.read(), "GET", f"/org/people/lookup/?{urlencode({'q': person_in.code})}",
           check=None if m.anon else present(person_in.code))
    m.cell("org:people_lookup", "out", "read", m.read(), "GET",
           f"/org/people/lookup/?{urlencode({'q': person_out.code})}", check=absent(person_out.code))
    # Four eyes: administrators request, 纪委 and the secretary approve, nobody approves their own request.
    access_page = m.role in ("admin_demo", *matrix.SEES_CONFIDENTIAL)
    m.cell("org:role_requests", "-", "read", m.read(ok=200 if access_page else 403), "GET", "/org/access/")
    n = RoleRequest.objects.count()
    m.cell("org:role_requests", "in", "write", m.read(ok="redirect" if m.role == "admin_demo" else 403), "POST",
           "/org/access/", data={"username": "chakan", "unit": w.place.pk, "role": "secretary", "reason": "矩阵"},
           check=count_is(RoleRequest, n + (1 if m.role == "admin_demo" else 0)))
    decide = {"admin_demo": 403, "shuji": "redirect", "jiwei": "redirect"}.get(m.role, 404)
    m.cell("org:role_request_decide", "in", "write", m.read(ok=decide), "POST", f"/org/access/{w.role_request.pk}/approve/",
           data={}, check=_grants("chakan", "discipline", 1 if decide == "redirect" else 0))
    m.cell("org:role_request_decide", "out", "write", m.read(False), "POST",
           f"/org/access/{w.role_request_away.pk}/approve/", data={}, check=_grants("chakan", "discipline", 0))


def _grants(username, role, expected):
    def check(response):
        n = RoleAssignment.objects.filter(user__username=username, role=role).count()
        return "" if n == expected else f"{n} {role} grants for {username}, expected {expected}"

    return check


def audit(m: matrix.Matrix, w):
    m.cell("audit:list", "-", "read", m.read(), "GET", "/audit/")
    name = matrix.SECRET_NAME
    m.cell("audit:list", "-", "read", m.read(), "GET", "/audit/?model=integrity.accountability",
           check=None if m.anon else (present(name) if m.sees_confidential else absent(name)))


def obligations(m: matrix.Matrix, w):
    home, away = f"unit={w.home.pk}", f"unit={w.away.pk}"
    m.cell("obligations:warnings", "-", "read", m.read(), "GET", "/obligations/warnings/?year=2022&as_of=2023-01-10")
    period = "year=2022&as_of=2023-01-10"
    m.cell("obligations:dashboard", "in", "read", m.read(), "GET", f"/obligations/dashboard/?{home}&{period}")
    m.cell("obligations:dashboard", "out", "read", m.read(False), "GET", f"/obligations/dashboard/?{away}&{period}")
    m.cell("obligations:export", "in", "read", m.read(), "GET", f"/obligations/dashboard/export.xlsx?{home}&{period}")
    m.cell("obligations:export", "out", "read", m.read(False), "GET", f"/obligations/dashboard/export.xlsx?{away}")
    m.cell("obligations:cell", "in", "read", m.read(), "GET", w.cell_url)
    m.cell("obligations:cell", "out", "read", m.read(False), "GET", re.sub(r"unit=\d+", away, w.cell_url))
    rule_id = w.rule_default.rule_id
    m.cell("obligations:panel", "in", "read", m.read(), "GET", f"/obligations/dashboard/rule/?{home}&{period}&rule={rule_id}")
    m.cell("obligations:panel", "out", "read", m.read(False), "GET", f"/obligations/dashboard/rule/?{away}&rule={rule_id}")
    m.cell("obligations:missing", "in", "read", m.read(), "GET", f"/obligations/missing/?{home}&{period}&rule={rule_id}")
    m.cell("obligations:missing", "out", "read", m.read(False), "GET", f"/obligations/missing/?{away}&rule={rule_id}")
    m.cell("obligations:rules", "in", "read", m.read(), "GET", f"/obligations/rules/?{home}")
    m.cell("obligations:rules", "out", "read", m.read(False), "GET", f"/obligations/rules/?{away}")
    m.cell("obligations:rule_versions", "in", "read", m.read(), "GET", f"/obligations/rules/{rule_id}/versions/?{home}")
    m.cell("obligations:rule_versions", "out", "read", m.read(False), "GET",
           f"/obligations/rules/{rule_id}/versions/?{away}")
    revise = f"/obligations/rules/{w.rule_default.pk}/revise/?{home}"
    m.cell("obligations:rule_revise", "in", "read", m.write("obligations", ok=200), "GET", revise)
    m.cell("obligations:rule_revise", "out", "read", m.write("obligations", visible=False), "GET",
           f"/obligations/rules/{w.rule_away.pk}/revise/?{home}")
    form = ReviseForm(instance=w.rule_default, initial={"effective_from": "2031-01-01", "version": w.rule_default.version})
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None and v is not False}  # 0 is a value (grace days)
    m.cell("obligations:rule_revise", "in", "write", m.write("obligations"), "POST", revise, data=data)
    m.cell("obligations:rule_revise", "out", "write", m.write("obligations", visible=False), "POST",
           f"/obligations/rules/{w.rule_away.pk}/revise/?{home}", data=data)


def metrics(m: matrix.Matrix, w):
    first = catalogue.CATALOGUE[0].id
    m.cell("metrics:index", "in", "read", m.read(), "GET", f"/metrics/?unit={w.home.pk}&year=2022")
    # Outside the scope: 404, like every other door (it used to fall back quietly to the user's own unit).
    m.cell("metrics:index", "out", "read", m.read(False), "GET", f"/metrics/?unit={w.away.pk}&year=2022",
           check=absent(w.away.name))
    for metric in (first, "integrity.accountability", "integrity.routine_talks"):
        m.cell("metrics:records", "in", "read", m.read(), "GET", f"/metrics/{metric}/records/?unit={w.home.pk}&year=2022")
        m.cell("metrics:records", "out", "read", m.read(False), "GET",
               f"/metrics/{metric}/records/?unit={w.away.pk}&year=2022", check=absent(w.away.name))
    m.cell("metrics:records", "-", "read", m.read(False), "GET", "/metrics/no.such.metric/records/")


def reports(m: matrix.Matrix, w):
    ri, ro = w.report_in, w.report_out
    n = DutyReport.objects.count()
    m.cell("reports:index", "-", "read", m.read(), "GET", "/reports/", check=absent(w.away.name))
    m.cell("reports:index", "in", "write", m.write("reports", ok="redirect"), "POST", "/reports/",
           data={"template": w.template_builtin.pk, "year": 2021},
           check=count_is(DutyReport, n + 1) if m.can_write("reports") and not m.anon else count_is(DutyReport, n))
    m.cell("reports:index", "out", "write", m.write("reports", ok=200), "POST", "/reports/",
           data={"template": w.template_away.pk, "year": 2021}, check=count_is(DutyReport, n))
    # The report's evidence lists open rectifications: the one about a named person only for 纪委 and the secretary.
    finding = matrix.SECRETS[3]
    evidence = present(finding) if m.sees_confidential and w.role != "zhibu" else absent(finding)
    m.cell("reports:detail", "in", "read", m.read(), "GET", f"/reports/{ri.pk}/", check=None if m.anon else evidence)
    m.cell("reports:detail", "out", "read", m.read(False), "GET", f"/reports/{ro.pk}/")
    for fmt in ("md", "html", "docx"):
        m.cell("reports:download", "in", "read", m.read(), "GET", f"/reports/{ri.pk}/download/{fmt}/")
    m.cell("reports:download", "out", "read", m.read(False), "GET", f"/reports/{ro.pk}/download/md/")
    m.cell("reports:download", "in", "read", m.read(False), "GET", f"/reports/{ri.pk}/download/exe/")
    text = {"version": ri.version, "writer_problems": "矩阵测试文字"}
    m.cell("reports:save_text", "in", "write", m.write("reports"), "POST", f"/reports/{ri.pk}/text/", data=text,
           check=_report_version(ri, ri.version + (1 if m.can_write("reports") and not m.anon else 0)))
    m.cell("reports:save_text", "out", "write", m.write("reports", visible=False), "POST", f"/reports/{ro.pk}/text/",
           data={"version": ro.version, "writer_problems": "越权"}, check=_report_version(ro, ro.version))
    # the language model's draft (none configured here: a Chinese message) — writers of a draft only, 404 outside
    m.cell("reports:draft", "in", "write", m.write("reports", ok=200), "POST", f"/reports/{ri.pk}/draft/problems/",
           data={})
    m.cell("reports:draft", "out", "write", m.write("reports", visible=False), "POST",
           f"/reports/{ro.pk}/draft/problems/", data={})
    m.cell("reports:finalise", "in", "write", m.write("reports"), "POST", f"/reports/{ri.pk}/finalise/", data={},
           check=_report_status(ri, ReportStatus.FINAL if m.can_write("reports") and not m.anon else ReportStatus.DRAFT))
    m.cell("reports:finalise", "out", "write", m.write("reports", visible=False), "POST", f"/reports/{ro.pk}/finalise/",
           data={}, check=_report_status(ro, ReportStatus.DRAFT))
    m.cell("reports:new_version", "in", "write", m.write("reports"), "POST", f"/reports/{ri.pk}/new-version/", data={})
    m.cell("reports:new_version", "out", "write", m.write("reports", visible=False), "POST",
           f"/reports/{ro.pk}/new-version/", data={}, check=count_is(DutyReport, n))
    m.cell("reports:templates", "-", "read", m.read(), "GET", "/reports/templates/", check=absent(w.template_away.name))
    m.cell("reports:template_new", "-", "read", m.write("reports", ok=200), "GET", "/reports/templates/new/")
    t = ReportTemplate.objects.count()
    m.cell("reports:template_new", "in", "write", m.write("reports"), "POST", "/reports/templates/new/",
           data={"name": "矩阵模板", "body": "@标题 矩阵||测试\n一、总体情况\n正文。"},
           check=count_is(ReportTemplate, t + (1 if m.can_write("reports") and not m.anon else 0)))
    m.cell("reports:template_edit", "in", "read", m.write("reports", ok=200), "GET",
           f"/reports/templates/{w.template_builtin.pk}/")
    m.cell("reports:template_edit", "out", "read", m.write("reports", visible=False), "GET",
           f"/reports/templates/{w.template_away.pk}/")
    m.cell("reports:template_edit", "out", "write", m.write("reports", visible=False), "POST",
           f"/reports/templates/{w.template_away.pk}/", data={"name": "越权", "body": "一、越权"},
           check=count_is(ReportTemplate, t))
    d = DefaultTemplate.objects.count()
    generic = families.generic_template("ideology")  # no unit has a default of this kind yet: a write adds a row
    m.cell("reports:template_default", "in", "write", m.write("reports"), "POST",
           f"/reports/templates/{generic.pk}/default/", data={},
           check=count_is(DefaultTemplate, d + (1 if m.can_write("reports") and not m.anon else 0)))
    m.cell("reports:template_default", "out", "write", m.write("reports", visible=False), "POST",
           f"/reports/templates/{w.template_away.pk}/default/", data={}, check=count_is(DefaultTemplate, d))


def appraisal(m: matrix.Matrix, w):
    """述职评议: pages scoped like reports (the 党委 and the 党务 office organise them: the ``reports`` system);
    the rating page is open to anyone with a code (no sign-in), and refuses a wrong code the same way for all."""
    import datetime as dt

    from lvzhi.appraisal import services as appraisal_services
    from lvzhi.appraisal.models import Appraisal, AppraisalProblem, Reportee
    from lvzhi.org.models import Person
    from lvzhi.org.scoping import Scope

    ev = Scope.everything()

    def make(unit, year, closed):
        a = appraisal_services.create_appraisal(unit=unit, year=year, meeting_date=dt.date(year + 1, 1, 10),
                                                actor="矩阵测试", scope=ev, groups=[("党委委员", 1, 1)])
        appraisal_services.update_settings(a, actor="矩阵测试", scope=ev, component_weights={"测评": 100})
        if not a.reportees.exists():  # a unit without Party organisations of its own (the sibling company)
            someone = Person.objects.filter(unit__path__startswith=unit.path).first() or Person.objects.create(
                code=f"MX-{unit.code}-{year}", name="矩阵述职人", gender="male", unit=unit)
            Reportee.objects.create(appraisal=a, person=someone, unit=unit, role="branch_secretary")
        if closed:
            appraisal_services.set_status(a, "open", actor="矩阵测试", scope=ev)
            appraisal_services.set_status(a, "closed", actor="矩阵测试", scope=ev, today=dt.date(year + 1, 1, 10))
            r = a.reportees.first()
            appraisal_services.add_problem(r, actor="矩阵测试", scope=ev, description="矩阵点评问题", owner=r.person,
                                           measures="矩阵整改措施", deadline=dt.date(year + 1, 6, 30))
        return a

    ai, ao = make(w.home, 2030, False), make(w.away, 2030, False)
    ci, co = make(w.home, 2029, True), make(w.away, 2029, True)
    pi, po = (AppraisalProblem.objects.filter(reportee__appraisal=x).first() for x in (ci, co))
    n = Appraisal.objects.count()
    m.cell("appraisal:index", "-", "read", m.read(), "GET", "/appraisal/", check=None if m.anon else absent(w.away.name))
    m.cell("appraisal:index", "in", "write", m.write("reports"), "POST", "/appraisal/",
           data={"year": 2031, "meeting_date": "2032-01-10"},
           check=count_is(Appraisal, n + 1) if m.can_write("reports") and not m.anon else count_is(Appraisal, n))
    for where, a, c, p in (("in", ai, ci, pi), ("out", ao, co, po)):
        visible = where == "in"
        m.cell("appraisal:detail", where, "read", m.read(visible), "GET", f"/appraisal/{a.pk}/")
        m.cell("appraisal:detail", where, "read", m.read(visible), "GET", f"/appraisal/{c.pk}/")
        m.cell("appraisal:paper_template", where, "read", m.read(visible), "GET", f"/appraisal/{a.pk}/paper/template.xlsx")
        m.cell("appraisal:results_xlsx", where, "read", m.read(visible), "GET", f"/appraisal/{c.pk}/results.xlsx")
        m.cell("appraisal:rectification_xlsx", where, "read", m.read(visible), "GET",
               f"/appraisal/{c.pk}/rectification.xlsx")
        m.cell("appraisal:notice_docx", where, "read", m.read(visible), "GET", f"/appraisal/{c.pk}/notice.docx")
        m.cell("appraisal:notice_docx", where, "read", m.read(False), "GET", f"/appraisal/{a.pk}/notice.docx")
        write = m.write("reports", visible=visible)
        m.cell("appraisal:settings", where, "write", write, "POST", f"/appraisal/{a.pk}/settings/",
               data={"title": "矩阵改名"})
        m.cell("appraisal:reportees", where, "write", write, "POST", f"/appraisal/{a.pk}/reportees/",
               data={"person": "不存在的人"})
        m.cell("appraisal:status", where, "write", write, "POST", f"/appraisal/{a.pk}/status/", data={"status": "open"})
        m.cell("appraisal:codes", where, "write", m.write("reports", visible=visible, ok=200), "POST",
               f"/appraisal/{a.pk}/codes/", data={"group": a.groups.first().pk, "count": 1})
        m.cell("appraisal:paper_import", where, "write", write, "POST", f"/appraisal/{a.pk}/paper/", data={})
        m.cell("appraisal:problem_add", where, "write", write, "POST",
               f"/appraisal/{c.pk}/reportees/{c.reportees.first().pk}/problems/",
               data={"description": "矩阵新问题", "owner": c.reportees.first().person.code, "measures": "措施",
                     "deadline": "2030-06-30"})
        m.cell("appraisal:problem_edit", where, "write", write, "POST", f"/appraisal/{c.pk}/problems/{p.pk}/",
               data={"version": p.version, "completed_on": "2030-03-01", "evidence": "矩阵佐证"})
    m.cell("appraisal:vote", "-", "read", 200, "GET", "/appraisal/vote/")
    grading_cells(m, w)


def grading_cells(m: matrix.Matrix, w):
    """党支部分类定级: read like the appraisal pages (the reader's units; another unit named in ?unit= is a 404);
    schemes and manual scores written by the ``reports`` system."""
    from lvzhi.appraisal import grading_services
    from lvzhi.appraisal.grading_models import GradingIndicator
    from lvzhi.org.models import PartyOrg
    from lvzhi.org.scoping import Scope

    ev = Scope.everything()
    manual = {}
    for where, unit in (("in", w.home), ("out", w.away)):
        s = grading_services.own_scheme(unit, 2022, actor="矩阵测试", scope=ev)
        manual[where] = GradingIndicator.objects.create(scheme=s, name="矩阵人工评分", kind="manual", weight=10)
    org = PartyOrg.objects.filter(unit__path__startswith=w.home.path, kind="branch").first()
    for where, unit in (("-", None), ("in", w.home), ("out", w.away)):
        visible = where != "out"
        q = "?year=2022&as_of=2023-01-31" + (f"&unit={unit.pk}" if unit else "")
        m.cell("appraisal:grading", where, "read", m.read(visible), "GET", f"/appraisal/grading/{q}")
        m.cell("appraisal:grading_xlsx", where, "read", m.read(visible), "GET", f"/appraisal/grading/export.xlsx{q}")
        m.cell("appraisal:grading_scheme", where, "read", m.read(visible), "GET", f"/appraisal/grading/scheme/{q}")
        if unit is not None:
            m.cell("appraisal:grading_scheme", where, "write", m.write("reports", visible=visible), "POST",
                   f"/appraisal/grading/scheme/{q}", data={"action": "create", "year": 2022})
            m.cell("appraisal:grading_manual", where, "write", m.write("reports", visible=visible), "POST",
                   f"/appraisal/grading/scheme/manual/{manual[where].pk}/",
                   data={f"score-{org.pk}": "90"} if org else {})
    m.cell("appraisal:vote", "-", "write", 400, "POST", "/appraisal/vote/", data={"code": "AAAAA-BBBBB"})


def _report_version(report, expected):
    def check(response):
        now = DutyReport.objects.get(pk=report.pk).version
        return "" if now == expected else f"report version {now}, expected {expected}"

    return check


def _report_status(report, expected):
    def check(response):
        now = DutyReport.objects.get(pk=report.pk).status
        return "" if now == expected else f"report status {now}, expected {expected}"

    return check


def admin_cells(m: matrix.Matrix, w):
    """The Django admin: staff only (admin_demo); everyone else is sent to the admin's sign-in page."""
    staff = m.user is not None and m.user.is_staff

    def expect(ok):
        return ok if staff else "admin-login"

    m.cell("admin:index", "-", "read", expect(200), "GET", "/admin/")
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        m.cell("admin:changelist", "-", "read", expect(200), "GET", base)
        # A search for part of the confidential words (the search box echoes the query, not a secret).
        m.cell("admin:changelist", "-", "read", expect(200), "GET", f"{base}?q=矩阵")
        obj = model._default_manager.order_by("-pk").first()
        if obj is not None:
            m.cell("admin:change", "in", "read", expect((200, 302)), "GET", f"{base}{obj.pk}/change/")


# --- running the matrix ------------------------------------------------------------------------------------

HANDLERS = {"record_pages": record_pages, "imports": imports, "api_records": api_records, "api_special": api_special,
            "api_integration": api_integration,
            "api_docs": api_docs, "session": session, "web": web, "org": org, "audit": audit,
            "obligations": obligations, "metrics": metrics, "reports": reports, "secret_records": secret_records,
            "appraisal": appraisal}


# Every role runs once or twice (tests/per_database.py, CI time): on PostgreSQL (about 100 s a role) the roles whose
# scope differs in kind — a branch, the confidential 纪委, read-only, nobody: they run every scope filter the others
# use —; on SQLite the company-wide roles, with the 纪委 and nobody again.
@pytest.mark.parametrize("role", per_database.cases(
    [*matrix.ROLES, matrix.ANONYMOUS], on_postgresql=["zhibu", "jiwei", "chakan", matrix.ANONYMOUS],
    on_sqlite=["admin_demo", "shuji", "dangban", "jiwei", "xuanchuan", matrix.ANONYMOUS]))
def test_permission_matrix(role, users, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Finalising renders a PDF through LibreOffice (seconds each); the permission question does not need it.
    monkeypatch.setattr(pdf_render, "docx_to_pdf", lambda data: b"%PDF-1.4 matrix\n")
    monkeypatch.setattr(pdf_render, "soffice", lambda: "/usr/bin/true")
    w = build(role, tmp_path)
    timings = {}
    m = matrix.Matrix(role, users.get(role))
    assert set(CLASSIFIED.values()) | {"api_records", "secret_records"} == set(HANDLERS)
    for name, handler in HANDLERS.items():
        started = time.perf_counter()
        handler(m, w, tmp_path) if name in ("imports", "api_integration") else handler(m, w)
        timings[name] = round(time.perf_counter() - started, 1)
    admin_cells(m, w)
    m.cell("logout", "-", "write", (302,), "POST", "/logout/", data={})
    if role in matrix.SEES_CONFIDENTIAL:
        # The scan is not blind: the same walk shows these words to 纪委 and the secretary.
        assert set(matrix.SECRETS) <= m.seen_secrets, set(matrix.SECRETS) - m.seen_secrets
    print(f"\n{role}: {m.cells} cells", timings)
    assert not m.failures, f"{len(m.failures)} of {m.cells} cells wrong:\n" + "\n".join(m.failures[:80])
