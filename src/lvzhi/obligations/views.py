"""Pages: 待办与预警, the compliance dashboard with its drill-down, and the rules with their versions."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from lvzhi.audit.selectors import entries_for_object
from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import requested_unit
from lvzhi.records import registry
from lvzhi.records import selectors as record_selectors
from lvzhi.records.forms import apply_model_errors
from lvzhi.records.services import ConcurrentEditError
from lvzhi.web import clock
from lvzhi.web.params import date_param, year_param

from . import dashboard as board
from . import prefill
from .engine import DUE_SOON, LATE, STATES
from .export import write_xlsx
from .models import ObligationRule
from .selectors import checked, find_cell, rule_history, rules_in_force, warnings_for
from .services import REVISABLE, check_rule_write, revise_rule


def _date(value: str | None, default: dt.date) -> dt.date:
    return date_param(value) or default


def _year(request, default: int) -> int:
    year = year_param(request.GET.get("year"))
    return year if year and 1990 < year < 2100 else default


def _unit(request, scope):
    return requested_unit(request, scope)


def _years(today: dt.date) -> list[int]:
    return list(range(today.year, 2017, -1))


@login_required
def warnings(request):
    scope = scope_for(request.user)
    today = clock.today()
    as_of = _date(request.GET.get("as_of"), today)
    year = _year(request, clock.working_year(as_of))
    state = request.GET.get("state") if request.GET.get("state") in (LATE, DUE_SOON) else ""
    items, evaluations = warnings_for(scope, year=year, as_of=as_of)
    by_rule: dict[str, dict] = {}
    for c in items:
        entry = by_rule.setdefault(c.rule.rule_id, {"rule": c.rule, LATE: 0, DUE_SOON: 0})
        entry[c.state] += 1
    shown = [c for c in items if not state or c.state == state]
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    ev_by_root = {ev.unit.path: ev for ev in evaluations}
    rows = []
    back = request.get_full_path()
    for c in page:
        ev = next(e for p, e in ev_by_root.items() if c.subject.unit_path.startswith(p))
        rows.append({"cell": c, "url": board.cell_url(ev, c.rule.rule_id, c.subject.ref, c.period.key),
                     "entry": _entry(scope, c, today, back)})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "obligations/warnings.html", {
        "rows": rows, "page": page, "year": year, "as_of": as_of, "years": _years(today), "state": state,
        "late": sum(1 for c in items if c.state == LATE), "soon": sum(1 for c in items if c.state == DUE_SOON),
        "by_rule": sorted(by_rule.values(), key=lambda e: (-e[LATE], -e[DUE_SOON])), "query": query.urlencode(),
        "units": [ev.unit for ev in evaluations], "states": STATES,
    })


def _entry(scope, c, today, back: str) -> str | None:
    """The prefilled form that fills cell ``c``, for a user who may write its record type."""
    try:
        if not c.rule.record_type or not scope.can_write_any(registry.get(c.rule.record_type).system):
            return None
    except LookupError:  # a revised rule naming a record type that does not exist
        return None
    return prefill.entry_url(c, today, back)


def _back(request) -> str:
    """The page a drill-down was opened on (htmx sends it), so saving returns there."""
    from urllib.parse import urlsplit

    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def _evaluation(request):
    scope = scope_for(request.user)
    today = clock.today()
    unit = _unit(request, scope)
    as_of = _date(request.GET.get("as_of"), today)
    if request.GET.get("start") and request.GET.get("end"):
        start, end = _date(request.GET["start"], today), _date(request.GET["end"], today)
    else:
        year = _year(request, clock.working_year(as_of))
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return scope, unit, start, end, as_of


@login_required
def dashboard(request):
    scope, unit, start, end, as_of = _evaluation(request)
    board_html = board.board_html.timed(scope, unit, start, end, as_of)
    return render(request, "obligations/dashboard.html", {
        "board_html": mark_safe(board_html.value), "unit": unit, "year": start.year, "as_of": as_of,  # noqa: S308 — our template's output
        "data": board_html,
        "years": _years(clock.today()),
    })


@login_required
def panel(request):
    """One page of one rule of the dashboard: loaded into the rule when it is opened, or a page of its own."""
    scope, unit, start, end, as_of = _evaluation(request)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    p = board.panel(scope, unit, start, end, as_of, request.GET.get("rule", ""), page)
    if p is None:
        raise Http404("未找到该规则。")
    template = "obligations/_panel.html" if request.headers.get("HX-Request") else "obligations/panel.html"
    return render(request, template, {"p": p, "rule": p["rule"], "unit": unit, "year": start.year, "as_of": as_of})


@login_required
def dashboard_export(request):
    scope, unit, start, end, as_of = _evaluation(request)
    ev = checked(scope, unit, start, end, as_of, with_ids=True)
    tmp = Path(tempfile.mkdtemp(prefix="lvzhi-check-")) / "check.xlsx"
    write_xlsx(ev, tmp)
    name = f"{unit.name}{start.year}年应办事项检查（截至{as_of:%Y%m%d}）.xlsx"
    return FileResponse(tmp.open("rb"), as_attachment=True, filename=name)


def _records(scope, record_type: str, ids) -> tuple[list, int]:
    if not record_type or not ids:
        return [], 0
    rt = registry.get(record_type)
    found = list(record_selectors.visible(rt, scope).filter(pk__in=list(ids)).order_by(*rt.ordering))
    return [{"obj": o, "rt": rt} for o in found], len(set(ids)) - len(found)


@login_required
def cell(request):
    """What a dashboard cell stands for: the records that satisfied it, or what is missing."""
    scope, unit, start, end, as_of = _evaluation(request)
    rule_id, subject, period = request.GET.get("rule", ""), request.GET.get("subject", ""), request.GET.get("period", "")
    c = find_cell(scope, unit, rule_id=rule_id, subject_ref=subject, period_key=period, start=start, end=end,
                  as_of=as_of)
    if c is None:
        raise Http404("未找到该检查项。")
    evidence, _ = _records(scope, c.record_type, c.record_ids)
    # One cell is one subject and period: how many of its records are confidential would point at people, so the
    # page says only that some may be left out, for record types that can have confidential rows.
    hidden = bool(c.record_type) and registry.get(c.record_type).confidential_rows is not None \
        and not scope.sees_confidential(unit)
    event, _ = _records(scope, c.subject.record_type, [c.subject.pk] if c.subject.record_type else [])
    template = "obligations/_cell.html" if request.headers.get("HX-Request") else "obligations/cell.html"
    entry = _entry(scope, c, clock.today(), _back(request)) if c.state not in ("done", "na") else None
    return render(request, template, {"c": c, "evidence": evidence, "hidden": hidden, "event": event,
                                      "entry": entry, "unit": unit})


@login_required
def missing(request):
    """Every subject of a rule that has not done what it owed (the full list behind a coverage figure)."""
    scope, unit, start, end, as_of = _evaluation(request)
    ev = checked(scope, unit, start, end, as_of, rule_ids=[request.GET.get("rule", "")], states=(LATE, DUE_SOON))
    if not ev.results:
        raise Http404("未找到该规则。")
    result = ev.results[0]
    items = [(c, board.cell_url(ev, result.rule_id, c.subject.ref, c.period.key))
             for c in result.cells if c.state in (LATE, DUE_SOON)]
    template = "obligations/_missing.html" if request.headers.get("HX-Request") else "obligations/missing.html"
    return render(request, template, {"result": result, "items": items, "unit": unit, "ev": ev})


# --- rules ---------------------------------------------------------------------------------------------

@login_required
def rules(request):
    scope = scope_for(request.user)
    unit = _unit(request, scope)
    day = _date(request.GET.get("date"), clock.today())
    rows = [{"rule": r, "can_revise": scope.can_write("obligations", unit)} for r in rules_in_force(unit, day)]
    return render(request, "obligations/rules.html", {"rows": rows, "unit": unit, "day": day})


@login_required
def rule_versions(request, rule_id):
    scope = scope_for(request.user)
    unit = _unit(request, scope)
    versions = rule_history(rule_id, unit)
    if not versions:
        raise Http404("未找到该规则。")
    history = [(v, entries_for_object(scope, v)) for v in versions]
    return render(request, "obligations/rule_versions.html", {"rule_id": rule_id, "history": history, "unit": unit,
                                                               "latest": versions[-1]})


class ReviseForm(forms.ModelForm):
    effective_from = forms.DateField(label="新版本生效日期", widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text="当前版本在前一天失效；此前的期间仍按当前版本检查")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("version") is None:  # without it a revision could silently overwrite a concurrent one
            raise forms.ValidationError("表单缺少版本号：请刷新页面后重新修订，以免覆盖他人的修改。")
        return data

    class Meta:
        model = ObligationRule
        fields = [f for f in REVISABLE if f not in ("check_type", "subject")]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


@login_required
def rule_revise(request, pk):
    scope = scope_for(request.user)
    unit = _unit(request, scope)
    rule = ObligationRule.objects.filter(pk=pk).select_related("unit").first()
    if rule is None or (rule.unit_id and not scope.can_read(rule.unit)):
        raise Http404("未找到该规则。")
    # A rule of the current unit is revised in place of its owner; a default or an ancestor's rule becomes
    # the current unit's own version.
    owner = rule.unit if rule.unit_id == unit.pk else unit
    if owner is not None and rule.unit_id is None and scope.is_admin and request.GET.get("default") == "1":
        owner = None
    check_rule_write(scope, owner)
    if request.method == "POST":
        form = ReviseForm(request.POST, instance=ObligationRule(**{f: getattr(rule, f) for f in REVISABLE}))
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in ReviseForm.Meta.fields}
            try:
                new = revise_rule(rule, changes, effective_from=form.cleaned_data["effective_from"], actor=request.user,
                                  scope=scope, unit=owner, expected_version=form.cleaned_data.get("version"))
                messages.success(request, f"已修订“{new.name}”：新版本自{new.effective_from}起施行。")
                return redirect(f"{reverse('obligations:rules')}?unit={unit.pk}")
            except ValidationError as exc:
                apply_model_errors(form, exc)
            except (PermissionDenied, ConcurrentEditError) as exc:
                form.add_error(None, str(exc))
    else:
        today = clock.today()
        form = ReviseForm(instance=rule, initial={"effective_from": dt.date(today.year + 1, 1, 1), "version": rule.version})
    return render(request, "obligations/rule_revise.html", {"form": form, "rule": rule, "owner": owner, "unit": unit})

