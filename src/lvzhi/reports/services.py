"""Writing reports: templates (versioned), drafts, finalisation into a frozen, hashed snapshot with its files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lvzhi.audit.actors import Actor, person
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.records.services import ConcurrentEditError
from lvzhi.web import clock

from . import docx_render, html_render, pdf_render, templating
from .models import DutyReport, ReportKind, ReportStatus, ReportTemplate

BUILTIN_KEY = "builtin"  # the seed example (builtin/templates.json lists every built-in template)
BUILTIN_FILE = Path(__file__).parent / "builtin" / "duty_report.txt"
FORMATS = {"docx": "DOCX", "pdf": "PDF", "html": "HTML", "md": "Markdown"}


def _audit(actor: Actor, action, obj, *, before=None, after=None, unit_id=None):
    log_changes(actor, [Change(action, obj, before=before, after=after, unit_id=unit_id)])


# --- templates -------------------------------------------------------------------------------------------

def builtin_template() -> ReportTemplate:
    """The seed example as shipped (the demo company's default); every built-in template: families.py."""
    from .families import sync_builtin_templates

    return sync_builtin_templates({BUILTIN_KEY})[BUILTIN_KEY]


def usable_templates(scope: Scope):
    """Every version of the built-in templates and of the user's units' own (another unit's are out of scope)."""
    return ReportTemplate.objects.filter(unit__isnull=True) | scope.filter(ReportTemplate.objects.all(), "unit")


def latest_templates(scope: Scope) -> list[ReportTemplate]:
    """The newest version of every template the user may use (built-in and their units' own)."""
    from .families import sync_builtin_templates

    sync_builtin_templates()
    own = scope.filter(ReportTemplate.objects.filter(unit__isnull=False), "unit")
    rows = list(ReportTemplate.objects.filter(unit__isnull=True)) + list(own)
    newest: dict[str, ReportTemplate] = {}
    for t in rows:
        if t.key not in newest or t.version > newest[t.key].version:
            newest[t.key] = t
    return sorted(newest.values(), key=lambda t: (not t.is_builtin, t.name))


def validate_template(body: str, unit: Unit, year: int) -> templating.Document:
    """Syntax, metric names and a trial render against real records: any error names its line."""
    return templating.render(body, unit=unit, year=year, secretary=default_secretary(unit, dt.date(year + 1, 1, 10)))


def save_template(*, name: str, body: str, unit: Unit, actor: Actor, scope: Scope, key: str = "", note: str = "",
                  trial_year: int | None = None, kind: str = "") -> ReportTemplate:
    """A new version of a template (or a new template). Nothing is written if the template does not render."""
    if not scope.can_write("reports", unit):
        raise PermissionDenied(f"您没有在“{unit.name}”管理报告模板的权限。")
    if not name.strip():
        raise ValidationError({"name": "请填写模板名称。"})
    if kind and kind not in ReportKind.values:
        raise ValidationError({"kind": f"未知的述职类别“{kind}”。"})
    if len(body) > 200_000:
        raise ValidationError({"body": "模板过长（超过 20 万字）。"})
    try:
        validate_template(body, unit, trial_year or clock.today().year - 1)
    except templating.TemplateProblem as exc:
        raise ValidationError({"body": str(exc)}) from None
    previous = None
    with transaction.atomic():
        if key:
            previous = ReportTemplate.objects.filter(key=key).order_by("-version").first()
            if previous is None or previous.is_builtin:
                raise ValidationError("内置模板不能直接修改，请先复制为本单位的模板。")
            if previous.unit is not None and not scope.can_write("reports", previous.unit):
                raise PermissionDenied("您没有修改该模板的权限。")
            version = previous.version + 1
        else:
            key = f"t{unit.pk}-{int(timezone.now().timestamp() * 1000)}"
            version = 1
        kind = kind or (previous.kind if previous is not None else "annual")
        tpl = ReportTemplate.objects.create(key=key, version=version, name=name.strip(), body=body, unit=unit,
                                            kind=kind, note=note, created_by=person(actor))
        _audit(actor, AuditAction.CREATE, tpl, after={"key": key, "version": version, "name": tpl.name,
                                                       "body_sha256": hashlib.sha256(body.encode()).hexdigest()},
               unit_id=unit.pk)
    return tpl


# --- drafts --------------------------------------------------------------------------------------------

ORG_RANK = {"committee": 0, "general_branch": 1, "branch": 2}  # 党委 above 党总支 above 党支部 (not by the text)


def highest_party_org(unit: Unit, on: dt.date | None = None) -> PartyOrg | None:
    """The unit's highest Party organisation active on the day: its 党委, else its 党总支, else its 党支部; among
    several of one kind, the one not under another of the same unit."""
    on = on or dt.date.today()
    orgs = [o for o in PartyOrg.objects.filter(unit=unit, kind__in=list(ORG_RANK)).select_related("secretary", "parent")
            if (o.established_on is None or o.established_on <= on) and (o.dissolved_on is None or o.dissolved_on > on)]
    if not orgs:
        return None
    return min(orgs, key=lambda o: (ORG_RANK[o.kind], o.parent is not None and o.parent.unit_id == unit.pk, o.code))


def default_secretary(unit: Unit, on: dt.date | None = None) -> Person | None:
    """Who signs the unit's report: the secretary of its highest Party organisation in office on the report's date —
    from the appointments (职务“党委书记”…, not 副书记) when they record it, else the organisation's secretary."""
    on = on or dt.date.today()
    org = highest_party_org(unit, on)
    if org is None:
        return None
    from django.db.models import Q

    from lvzhi.cadres.models import Appointment

    title = f"{org.get_kind_display()}书记"
    held = (Appointment.objects.filter(unit=unit, post__contains=title, date__lte=on)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).exclude(post__contains=f"{org.get_kind_display()}副书记")
            .select_related("person").order_by("-date", "-pk").first())
    if held is not None:
        return cast(Person, held.person)
    return org.secretary


def create_report(*, unit: Unit, year: int, template: ReportTemplate, actor: Actor, scope: Scope,
                  secretary: Person | None = None) -> DutyReport:
    if not scope.can_write("reports", unit):
        raise PermissionDenied(f"您没有为“{unit.name}”撰写述职报告的权限。")
    with transaction.atomic():
        number = (DutyReport.objects.filter(unit=unit, year=year).aggregate(n=Max("number"))["n"] or 0) + 1
        from .families import reporter

        report = DutyReport.objects.create(unit=unit, year=year, number=number, template=template,
                                           secretary=secretary or reporter(unit, template.kind, dt.date(year + 1, 1, 10)),
                                           report_date=dt.date(year + 1, 1, 10), created_by=person(actor))
        _audit(actor, AuditAction.CREATE, report, after={"unit": unit.code, "year": year, "number": number,
                                                          "template": f"{template.key}@{template.version}"},
               unit_id=unit.pk)
    return report


def save_writer_texts(report: DutyReport, texts: dict, *, actor: Actor, scope: Scope, expected_version: int,
                      report_date: dt.date | None = None) -> DutyReport:
    _check_draft(report, scope)
    clean = {k: templating.sanitize_writer_text(v).strip() for k, v in texts.items() if isinstance(v, str)}
    with transaction.atomic():
        current = DutyReport.objects.select_for_update().get(pk=report.pk)
        if current.version != expected_version:
            raise ConcurrentEditError("该报告已被他人修改，为避免覆盖他人的文字，本次保存未生效。请刷新后重新编辑。")
        before = current.writer_texts
        current.writer_texts = {**current.writer_texts, **clean}
        if report_date:
            current.report_date = report_date
        current.version += 1
        current.save(update_fields=["writer_texts", "report_date", "version", "updated_at"])
        _audit(actor, AuditAction.UPDATE, current, before={"writer_texts": before},
               after={"writer_texts": current.writer_texts}, unit_id=current.unit_id)
    return current


def _check_draft(report: DutyReport, scope: Scope) -> None:
    if not scope.can_write("reports", report.unit):
        raise PermissionDenied("您没有修改该述职报告的权限。")
    if report.is_final:
        raise ValidationError("该报告已定稿，不能再修改；如需修改请“生成新版本”。")


def render_document(report: DutyReport) -> templating.Document:
    return templating.render(report.template.body, unit=report.unit, year=report.year, secretary=report.secretary,
                             writer_texts=report.writer_texts,
                             report_date=docx_render.chinese_date(report.report_date) if report.report_date else "")


def render_live(document: templating.Document, fmt: str, year: int) -> bytes:
    if fmt == "docx":
        return docx_render.to_bytes(document)
    if fmt == "pdf":
        return pdf_render.docx_to_pdf(docx_render.to_bytes(document))
    if fmt == "html":
        return html_render.to_html_page(document, year).encode("utf-8")
    if fmt == "md":
        return html_render.to_markdown(document).encode("utf-8")
    raise ValueError(f"不支持的格式“{fmt}”（可用：{'、'.join(FORMATS)}）")


def report_file(report: DutyReport, fmt: str) -> bytes:
    """A finalised report's stored bytes; a draft's rendered now."""
    if report.is_final:
        if fmt in ("docx", "pdf"):
            f = getattr(report, fmt)
            if not f:
                raise ValidationError(f"该报告定稿时未生成 {FORMATS[fmt]}。")
            with f.open("rb") as fh:
                return fh.read()
        return (report.snapshot or {})[fmt].encode("utf-8")
    return render_live(render_document(report), fmt, report.year)


# --- finalisation -------------------------------------------------------------------------------------

def _snapshot(report: DutyReport, document: templating.Document) -> dict:
    figures = []
    for (_metric_id, unit_id), fig in document.figures.items():
        figures.append({**fig.as_dict(), "unit_id": unit_id, "record_type": fig.metric.record_type,
                        "record_ids": fig.record_ids(), "definition": {
                            "filter": {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in fig.metric.filter.items()},
                            "aggregate": fig.metric.aggregate, "field": fig.metric.field,
                            "date_field": fig.metric.date_field or "(record type default)"}})
    facts = [{"label": t.label, "value": t.value, "text": t.text, "records": [list(r) for r in t.records]}
             for t in document.tokens if t.kind == "fact"]
    return {
        "unit": {"id": report.unit_id, "code": report.unit.code, "name": report.unit.name},
        "year": report.year, "number": report.number,
        "secretary": report.secretary.name if report.secretary else "",
        "template": {"key": report.template.key, "version": report.template.version, "name": report.template.name,
                     "sha256": hashlib.sha256(report.template.body.encode()).hexdigest()},
        "rule_versions": rules_in_force(report.unit, report.year),
        "figures": figures, "facts": facts, "warnings": document.warnings, "writer_texts": report.writer_texts,
        "audit_anchor": _audit_anchor(),
        "text": "\n".join(document.plain_lines(("title", "author", "heading", "paragraph", "signature", "date"))),
        "html": html_render.to_html_fragment(document, report.year),
        "md": html_render.to_markdown(document),
    }


def rules_in_force(unit: Unit, year: int) -> list[dict]:
    """The rule versions that judged the unit's subtree in the year, as the report was finalised: a rule revised
    later does not change what the signed report was checked against."""
    from lvzhi.obligations.engine import rule_versions

    return [{"id": r.pk, "rule_id": r.rule_id, "name": r.name, "unit": r.unit.code if r.unit is not None else "",
             "responsibility": r.responsibility, "cadence": r.cadence, "min_count": r.min_count,
             "grace_days": r.grace_days, "source": r.source, "article": r.article,
             "effective_from": r.effective_from.isoformat(),
             "effective_to": r.effective_to.isoformat() if r.effective_to else None}
            for r in rule_versions(unit, dt.date(year, 1, 1), dt.date(year, 12, 31))]


def _audit_anchor() -> dict:
    """The audit trail's head when the report was frozen: printed with the report and written to the anchor file, so
    a trail later shortened or rewritten no longer matches what the signed report says."""
    from lvzhi.audit import anchors
    from lvzhi.audit.keys import key_id

    seq, head = anchors.head()
    return {"seq": seq, "head": head, "key_id": key_id()}


def finalise(report: DutyReport, *, actor: Actor, scope: Scope, require_pdf: bool = True) -> DutyReport:
    """Freeze the report: figures with their record ids, template and rule versions, DOCX and PDF, one hash.

    Everything happens before anything is stored; a failure (a template error, LibreOffice missing or
    crashing) leaves the draft exactly as it was and no file behind.
    """
    _check_draft(report, scope)
    document = render_document(report)
    docx_bytes = docx_render.to_bytes(document)
    pdf_bytes = b""
    if require_pdf or pdf_render.soffice():
        pdf_bytes = pdf_render.docx_to_pdf(docx_bytes)
    snapshot = _snapshot(report, document)
    snapshot_json = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.sha256(snapshot_json.encode() + docx_bytes + pdf_bytes).hexdigest()
    stored: list = []
    try:
        with transaction.atomic():
            current = DutyReport.objects.select_for_update().get(pk=report.pk)
            if current.is_final or current.version != report.version:
                raise ConcurrentEditError("该报告刚被他人修改或已定稿，请刷新后再试。")
            stem = f"{current.unit.code}-{current.year}-v{current.number}"
            current.docx.save(f"{stem}.docx", ContentFile(docx_bytes), save=False)
            stored.append(current.docx)
            if pdf_bytes:
                current.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
                stored.append(current.pdf)
            current.snapshot = json.loads(snapshot_json)
            current.content_hash = digest
            current.status = ReportStatus.FINAL
            current.finalised_at = clock.now()  # the configured today (LVZHI_AS_OF)
            current.finalised_by = person(actor)
            current.version += 1
            current.save()
            _audit(actor, AuditAction.FINALISE, current, after={"content_hash": digest, "figures": len(snapshot["figures"]),
                                                                 "warnings": len(document.warnings)},
                   unit_id=current.unit_id)
            anchor = snapshot["audit_anchor"]
            transaction.on_commit(lambda: _append_anchor(anchor, stem))
    except Exception:
        for f in stored:
            f.storage.delete(f.name)
        raise
    return current


def _append_anchor(anchor: dict, stem: str) -> None:
    from lvzhi.audit import anchors

    try:
        anchors.append("report", anchor["seq"], anchor["head"], f"述职报告 {stem} 定稿")
    except OSError:  # the report is final; the anchor in its snapshot still stands
        pass


def new_version(report: DutyReport, *, actor: Actor, scope: Scope) -> DutyReport:
    """A new draft after a finalised one: same unit, year, template family and the writer's text."""
    from .families import sync_builtin_templates

    if report.template.is_builtin:
        sync_builtin_templates()
    template = ReportTemplate.objects.filter(key=report.template.key).order_by("-version").first()
    if template is None:  # cannot happen while the report's own version exists (its template is protected)
        raise ValidationError(f"找不到报告模板“{report.template.name}”，无法新建版本。")
    draft = create_report(unit=report.unit, year=report.year, template=template, actor=actor, scope=scope,
                          secretary=report.secretary)
    draft.writer_texts = dict(report.writer_texts)
    draft.report_date = report.report_date
    draft.save(update_fields=["writer_texts", "report_date"])
    return draft


def verify_integrity(report: DutyReport) -> bool:
    """A finalised report's stored files and snapshot still hash to what was recorded at finalisation."""
    if not report.is_final:
        return False
    docx_bytes = report_file(report, "docx")
    pdf_bytes = report_file(report, "pdf") if report.pdf else b""
    snapshot_json = json.dumps(report.snapshot, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(snapshot_json.encode() + docx_bytes + pdf_bytes).hexdigest() == report.content_hash
