"""The objects one role's matrix works on: a record of every type inside and outside the role's scope (each with
an attachment), a report, a template, a rule, import jobs — and confidential records that the role may or may
not see. Everything is created in the test's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile

from lvzhi.imports.models import ImportJob
from lvzhi.obligations.models import ObligationRule
from lvzhi.org import access
from lvzhi.org.models import Person, Unit, User
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.records import cells, registry, services
from lvzhi.records.models import Attachment
from lvzhi.reports import services as reports
from lvzhi.reports.models import ReportTemplate

from . import matrix
from .objects import place

SECRET_DAY = dt.date(2022, 12, 28)  # inside the report year, so the report's evidence would quote it


@dataclass
class World:
    role: str
    home: Unit
    away: Unit
    place: Unit | None = None
    inside: dict = field(default_factory=dict)
    outside: dict = field(default_factory=dict)
    marks: dict = field(default_factory=dict)  # (key, "in"/"out") → the text written into the record
    attachments: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)
    role_request: object = None  # pending grants of a confidential role, inside and outside (four eyes)
    role_request_away: object = None

    def visible(self, rt, obj) -> bool:
        """Whether the role may open ``obj`` (inside its scope): confidential rows only for 纪委 and the secretary."""
        return not rt.is_confidential(obj) or self.role in matrix.SEES_CONFIDENTIAL


def mark_column(rt):
    """A plain text column to write a recognisable mark into (None when the type has none)."""
    candidates = []
    for c in rt.columns:
        if rt.is_virtual(c) or cells.kind_of(rt, c) != "text":
            continue
        f = rt.model_field(c.field)
        if f.unique or c.field in rt.natural_key or getattr(f, "choices", None) or c.field == "key":
            continue
        if (f.max_length or 100) >= 12:
            candidates.append(c)
    # Free text first: a text column with a format of its own (培养考察日期: dates) would fail the form's check.
    free = [c for c in candidates if c.field in ("notes", "title", "description", "content", "summary")]
    return (free or candidates or [None])[0]


def _mark(rt, obj, text: str) -> str | None:
    column = mark_column(rt)
    if column is None:
        return None
    rt.model._default_manager.filter(pk=obj.pk).update(**{column.field: text})
    setattr(obj, column.field, text)
    return text


def _attach(obj, name: str) -> Attachment:
    from django.contrib.contenttypes.models import ContentType

    att = Attachment(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, name=name, size=4)
    att.file.save(name, ContentFile(b"%PDF"), save=False)
    att.save()
    return att


def secret_records(unit: Unit) -> dict:
    """Confidential records of every kind in ``unit``, each carrying one of ``matrix.SECRETS``."""
    everything = Scope.everything()
    named = Person.objects.create(code="T-MATRIX-SECRET", name=matrix.SECRET_NAME, gender="female", unit=unit)
    talker = Person.objects.filter(unit=unit).exclude(pk=named.pk).order_by("code").first()

    def create(key, values):
        return services.create_record(registry.get(key), values, actor="矩阵测试", scope=everything)

    inspection = create("inspection", {"unit": unit, "kind": "safety_production", "date": SECRET_DAY,
                                       "title": "矩阵公开检查"})
    finding = create("finding", {"inspection": inspection, "description": matrix.SECRETS[3], "person": named})
    return {
        "person": named,
        "talk": create("integrity_talk", {"unit": unit, "kind": "reminder", "date": SECRET_DAY, "talker": talker,
                                          "people": [named], "title": matrix.SECRETS[1], "content": matrix.SECRETS[2]}),
        "finding": finding,
        "rectification": create("rectification", {"finding": finding, "measures": matrix.SECRETS[4],
                                                   "deadline": SECRET_DAY + dt.timedelta(days=60)}),
        "accountability": create("accountability", {"unit": unit, "person": named, "date": SECRET_DAY,
                                                    "reason": matrix.SECRETS[5], "form": "criticism"}),
    }


def build(role: str, media_root) -> World:
    home = Unit.objects.get(code=matrix.home_code(role))
    away = Unit.objects.get(code=matrix.away_code(role))
    w = World(role, home, away)
    w.secrets = secret_records(Unit.objects.get(code=matrix.HOME["zhibu"]))
    # Records inside go to a small unit of the role's scope (an office department for the company's roles), so
    # an export of that unit stays small; everything else works on the role's own unit.
    w.place = Unit.objects.get(code=matrix.PLACE.get(role, matrix.home_code(role)))
    cache: dict = {}
    for rt in registry.all_types():
        w.inside[rt.key] = place(rt, w.place, cache)
        w.outside[rt.key] = place(rt, away, cache)
    for rt in registry.all_types():
        for where, objs in (("in", w.inside), ("out", w.outside)):
            if rt.key not in ("unit",):
                w.marks[(rt.key, where)] = _mark(rt, objs[rt.key], f"矩阵{'域内' if where == 'in' else '域外'}标记{rt.key}")
            w.attachments[(rt.key, where)] = _attach(objs[rt.key], f"矩阵{where}.pdf")
    # Reports, templates, rules and import jobs inside and outside.
    builtin = reports.builtin_template()
    w.template_builtin = builtin
    w.template_away = ReportTemplate.objects.create(key="matrix-away", version=1, name="域外模板", body=builtin.body,
                                                    unit=away)
    w.report_in = reports.create_report(unit=home, year=2022, template=builtin, actor="矩阵测试",
                                        scope=Scope.everything())
    w.report_out = reports.create_report(unit=away, year=2022, template=builtin, actor="矩阵测试",
                                         scope=Scope.everything())
    w.rule_default = ObligationRule.objects.filter(unit__isnull=True).order_by("rule_id", "-effective_from").first()
    w.rule_away = w.outside["obligation_rule"]
    chakan, admin = User.objects.get(username="chakan"), User.objects.get(username="admin_demo")
    w.role_request = access.request_role(user=chakan, unit=w.place, role="discipline", reason="矩阵申请", actor=admin,
                                         scope=scope_for(admin))
    w.role_request_away = access.request_role(user=chakan, unit=away, role="discipline", reason="域外申请",
                                              actor="矩阵测试", scope=Scope.everything())
    other = User.objects.get(username="chakan" if role != "chakan" else "dangban")
    w.job_other = ImportJob.objects.create(record_type="study_session", filename="他人的导入.xlsx",
                                           file=ContentFile(b"x", name="other.xlsx"), created_by=other)
    user = User.objects.filter(username=role).first()
    w.job_own = ImportJob.objects.create(record_type="study_session", filename="我的导入.xlsx",
                                         file=ContentFile(b"x", name="own.xlsx"), created_by=user) if user else None
    w.cell_url = _cell_url(home)
    plants = list(Unit.objects.filter(code__in=["JH01-P03", "JH01-P05"]).order_by("code"))
    w.movable, w.move_target = (plants[0], plants[1]) if role != "zhibu" else (home, home)
    return w


def _cell_url(unit: Unit) -> str:
    """The link of one cell of the compliance dashboard of ``unit`` (2022, as of 2023-01-10)."""
    from lvzhi.obligations import dashboard
    from lvzhi.obligations.engine import evaluate

    ev = evaluate(unit, start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31), as_of=dt.date(2023, 1, 10),
                  scope=Scope.everything())
    c = next(iter(ev.cells()))
    return dashboard.cell_url(ev, c.rule.rule_id, c.subject.ref, c.period.key)
