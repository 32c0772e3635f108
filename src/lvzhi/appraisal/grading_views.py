"""Pages of 党支部分类定级: the overview of a unit's branches for a year (with the level chart and the Excel
table), the scheme page where the committee's clerk sets levels and indicators, and the manual scores. Thin
doors onto ``grading`` and ``grading_services``; a unit outside the reader's scope is a 404."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lvzhi.org.models import Unit
from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import requested_unit
from lvzhi.web import clock
from lvzhi.web.params import date_param, int_param, year_param

from . import grading, grading_exports, grading_services
from .grading_models import GradingIndicator, IndicatorKind, ManualScore
from .grading_sources import check_rules, record_sources

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _params(request):
    scope = scope_for(request.user)
    unit = requested_unit(request, scope)
    year = year_param(request.GET.get("year") or request.POST.get("year")) or clock.working_year()
    return scope, unit, year


def _back(name: str, unit, year: int) -> str:
    return reverse(f"appraisal:{name}") + "?" + urlencode({"unit": unit.pk, "year": year})


@login_required
def overview(request):
    scope, unit, year = _params(request)
    as_of = date_param(request.GET.get("as_of")) or clock.today()
    try:
        g = grading.grade(unit, year, scope=scope, as_of=as_of)
    except LookupError as exc:
        g, missing = None, str(exc)
    else:
        missing = ""
    chart = {"levels": list(g.distribution), "counts": list(g.distribution.values())} if g else None
    return render(request, "appraisal/grading.html", {
        "g": g, "missing": missing, "unit": unit, "year": year, "as_of": as_of, "years": clock.year_choices(),
        "chart": chart, "can_write": scope.can_write(grading_services.SYSTEM, unit),
        "query": urlencode({"unit": unit.pk, "year": year, "as_of": as_of.isoformat()})})


@login_required
def export_xlsx(request):
    scope, unit, year = _params(request)
    as_of = date_param(request.GET.get("as_of")) or clock.today()
    try:
        g = grading.grade(unit, year, scope=scope, as_of=as_of)
    except LookupError as exc:
        messages.error(request, str(exc))
        return redirect(_back("grading", unit, year))
    response = HttpResponse(grading_exports.xlsx([g]), content_type=XLSX)
    name = f"{unit.name}{year}年度党支部分类定级.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _indicator_rows(post) -> list[dict]:
    """The scheme form's rows: fields named ``<field>-<n>``; a row without a name is dropped."""
    rows = []
    for n in sorted({int(k.rsplit("-", 1)[1]) for k in post if k.startswith("name-") and k[5:].isdigit()}):
        if not post.get(f"name-{n}", "").strip():
            continue
        source = post.get(f"source-{n}", "")
        record_type, _, record_kind = source.partition(":")
        rows.append({"name": post.get(f"name-{n}", ""), "kind": post.get(f"kind-{n}", ""),
                     "weight": post.get(f"weight-{n}", ""), "rule_ids": post.getlist(f"rules-{n}"),
                     "record_type": record_type, "record_kind": record_kind, "target": post.get(f"target-{n}", ""),
                     "cap": post.get(f"cap-{n}", "")})
    return rows


@login_required
def scheme(request):
    scope, unit, year = _params(request)
    can_write = scope.can_write(grading_services.SYSTEM, unit)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("您没有修改党支部分类定级方案的权限。")
        try:
            s = grading_services.own_scheme(unit, year, actor=request.user, scope=scope)
            if request.POST.get("action") == "save":
                levels = {}
                for name, low in zip(request.POST.getlist("level_name"), request.POST.getlist("level_min"),
                                     strict=False):
                    if name.strip():
                        levels[name.strip()] = float(low) if low.strip().replace(".", "", 1).isdigit() else -1
                grading_services.update_scheme(
                    s, actor=request.user, scope=scope, version=int_param(request.POST.get("version"), low=0) or 0,
                    name=request.POST.get("name", ""), levels=levels, source=request.POST.get("source", ""),
                    indicators=_indicator_rows(request.POST))
                messages.success(request, "方案已保存。")
            else:
                messages.success(request, f"已为{unit.name}{year}年度建立方案（以原适用方案为起点），可在下方修改。")
        except grading_services.GradingError as exc:
            messages.error(request, str(exc))
        return redirect(_back("grading_scheme", unit, year))
    current = grading.scheme_for(unit, year)
    own = current is not None and current.unit_id == unit.pk and current.year == year
    indicators = list(current.indicators.all()) if current else []
    rules, sources = dict(check_rules()), record_sources()
    for i in indicators:
        i.detail = {IndicatorKind.CHECKS: "、".join(rules.get(r, r) for r in i.rule_ids),
                    IndicatorKind.RECORDS: f"{sources.get((i.record_type, i.record_kind), '')}，每年目标{i.target_text}条"
                    if i.target else "", IndicatorKind.VETO: f"本年度支部党员受到问责的，等次最高为“{i.cap}”",
                    IndicatorKind.RATING: "本年度述职评议中支部书记的测评得分（结束测评后）",
                    IndicatorKind.MANUAL: "党委逐个支部评定"}.get(i.kind, "")
        i.source_key = f"{i.record_type}:{i.record_kind}"
    branches = grading.branches(unit, year, scope) if own else []
    given = {(m.indicator_id, m.party_org_id): m for m in ManualScore.objects.filter(indicator__in=indicators)}
    manual = [i for i in indicators if i.kind == IndicatorKind.MANUAL] if own else []
    for i in manual:
        i.rows = [(o, given.get((i.pk, o.pk))) for o in branches]
    return render(request, "appraisal/grading_scheme.html", {
        "s": current, "own": own, "unit": unit, "year": year, "years": clock.year_choices(), "can_write": can_write,
        "levels": current.ordered_levels() if current else [], "indicators": indicators,
        "blank": range(len(indicators) + 1, len(indicators) + 3), "kinds": IndicatorKind.choices,
        "rules": sorted(rules.items()), "sources": [(f"{k}:{v}", label) for (k, v), label in record_sources().items()],
        "manual": manual})


@login_required
@require_POST
def manual_scores(request, indicator):
    scope = scope_for(request.user)
    ind = get_object_or_404(GradingIndicator.objects.select_related("scheme__unit"), pk=indicator,
                            scheme__unit__isnull=False, scheme__year__isnull=False)
    unit = scope.get_or_404(Unit.objects.all(), "", pk=ind.scheme.unit_id)
    year = ind.scheme.year
    orgs = {o.pk for o in grading.branches(unit, year, scope)}
    scores = {int(k[6:]): (request.POST.get(k, ""), request.POST.get(f"note-{k[6:]}", ""))
              for k in request.POST if k.startswith("score-") and k[6:].isdigit() and int(k[6:]) in orgs}
    try:
        n = grading_services.set_manual_scores(ind, scores, actor=request.user, scope=scope)
        messages.success(request, f"已保存{n}个支部的评分。" if n else "评分没有变化。")
    except grading_services.GradingError as exc:
        messages.error(request, str(exc))
    return redirect(_back("grading_scheme", unit, year))
