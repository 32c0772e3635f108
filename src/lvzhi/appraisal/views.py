"""Pages: the appraisals of the user's units, one appraisal (settings, who reports, codes, paper ballots, results,
点评 and 整改), the spreadsheets, and the anonymous rating page for phones (no sign-in: the one-time code is
the key). Thin doors onto services, tally, paper and exports."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.org.models import Person
from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit
from lvzhi.web import clock

from . import exports, paper, services, tally
from .models import RATINGS, Appraisal, AppraisalProblem, AppraisalStatus, BallotCode, ProblemCategory, Reportee

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _appraisal(request, pk) -> Appraisal:
    scope = scope_for(request.user)
    return scope.get_or_404(Appraisal.objects.select_related("unit"), "unit", pk=pk)


def _may_write(request, a: Appraisal) -> None:
    if not scope_for(request.user).can_write(services.SYSTEM, a.unit):
        raise PermissionDenied("您没有组织述职评议的权限。")


def _errors(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms)
    return str(exc)


def _download(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def index(request):
    scope = scope_for(request.user)
    unit = current_unit(request)
    can_write = unit is not None and scope.can_write(services.SYSTEM, unit)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("您没有组织述职评议的权限。")
        try:
            year = int(request.POST.get("year", ""))
            meeting = dt.date.fromisoformat(request.POST.get("meeting_date", ""))
            a = services.create_appraisal(unit=unit, year=year, meeting_date=meeting, actor=request.user, scope=scope)
            return redirect("appraisal:detail", a.pk)
        except ValueError:
            messages.error(request, "请填写年度和述职评议会日期（如 2023-01-12）。")
        except (services.AppraisalError, ValidationError) as exc:
            messages.error(request, _errors(exc))
    items = scope.filter(Appraisal.objects.select_related("unit"), "unit")[:200]
    return render(request, "appraisal/index.html", {
        "items": items, "unit": unit, "can_write": can_write, "years": clock.year_choices(),
        "default_year": clock.working_year()})


@login_required
def detail(request, pk):
    a = _appraisal(request, pk)
    scope = scope_for(request.user)
    res, unavailable = None, ""
    if a.results_open:
        res = tally.results(a, problems_as_of=clock.today())
    else:
        unavailable = "测评结束后才显示结果。"
    counts = {"online": a.ballots.filter(source="online").count(), "paper": a.ballots.filter(source="paper").count(),
              "codes": a.codes.count()}
    return render(request, "appraisal/detail.html", {
        "a": a, "res": res, "unavailable": unavailable, "counts": counts,
        "reportees": a.reportees.select_related("person", "party_org", "unit"), "groups": a.groups.all(),
        "indicators": a.indicators.all(), "can_write": scope.can_write(services.SYSTEM, a.unit),
        "categories": ProblemCategory.choices, "settings_json": {
            "rating_points": json.dumps(a.rating_points, ensure_ascii=False),
            "component_weights": json.dumps(a.component_weights, ensure_ascii=False),
            "grade_thresholds": json.dumps(a.grade_thresholds, ensure_ascii=False)},
        "groups_text": "\n".join(f"{g.name},{g.weight.normalize()},{g.expected}" for g in a.groups.all()),
        "indicators_text": "\n".join(i.name for i in a.indicators.all()),
    })


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@login_required
@require_POST
def edit_settings(request, pk):
    a = _appraisal(request, pk)
    _may_write(request, a)
    scope = scope_for(request.user)
    try:
        fields = {"title": request.POST.get("title", a.title).strip() or a.title,
                  "meeting_date": dt.date.fromisoformat(request.POST.get("meeting_date", str(a.meeting_date))),
                  "turnout_numerator": int(request.POST.get("turnout_numerator", a.turnout_numerator)),
                  "turnout_denominator": int(request.POST.get("turnout_denominator", a.turnout_denominator)),
                  "min_group_size": int(request.POST.get("min_group_size", a.min_group_size))}
        for key in ("rating_points", "component_weights", "grade_thresholds"):
            if request.POST.get(key):
                fields[key] = json.loads(request.POST[key])
        services.update_settings(a, actor=request.user, scope=scope, **fields)
        if a.status == AppraisalStatus.DRAFT and "groups" in request.POST:
            groups = []
            for line in _lines(request.POST["groups"]):
                name, weight, expected = [x.strip() for x in line.replace("，", ",").split(",")]
                groups.append((name, Decimal(weight), int(expected)))
            services.set_groups(a, groups, actor=request.user, scope=scope)
            services.set_indicators(a, _lines(request.POST.get("indicators", "")), actor=request.user, scope=scope)
        messages.success(request, "设置已保存。")
    except (ValueError, InvalidOperation, json.JSONDecodeError):
        messages.error(request, "设置格式不对：日期写成 2023-01-12，评议组每行“名称,权重,应到人数”，分值与权重按示例填写。")
    except (services.AppraisalError, ValidationError) as exc:
        messages.error(request, _errors(exc))
    return redirect("appraisal:detail", a.pk)


@login_required
@require_POST
def reportees(request, pk):
    """Add a person (by 工号 or name, within the unit) or remove a reportee."""
    a = _appraisal(request, pk)
    _may_write(request, a)
    scope = scope_for(request.user)
    try:
        if request.POST.get("remove"):
            r = Reportee.objects.filter(appraisal=a, pk=request.POST["remove"]).first()
            if r is None:
                raise Http404("未找到该述职人。")
            services.remove_reportee(r, actor=request.user, scope=scope)
        else:
            who = request.POST.get("person", "").strip()
            people = scope.filter(Person.objects.filter(unit__path__startswith=a.unit.path), "unit")
            person = people.filter(code=who).first() or (people.filter(name=who).first()
                                                         if people.filter(name=who).count() == 1 else None)
            if person is None:
                raise services.AppraisalError(f"在{a.unit.name}找不到唯一的“{who}”，请填写工号。")
            org = person.secretary_of.filter(kind__in=["committee", "general_branch", "branch"]).first()
            role = "committee_secretary" if org and org.kind == "committee" else "branch_secretary"
            services.add_reportee(a, person, party_org=org, role=role, actor=request.user, scope=scope)
    except (services.AppraisalError, ValueError) as exc:
        messages.error(request, _errors(exc))
    return redirect("appraisal:detail", a.pk)


@login_required
@require_POST
def status(request, pk):
    a = _appraisal(request, pk)
    _may_write(request, a)
    try:
        services.set_status(a, request.POST.get("status", ""), actor=request.user, scope=scope_for(request.user),
                            today=clock.today())
    except (services.AppraisalError, ValueError) as exc:
        messages.error(request, _errors(exc))
    return redirect("appraisal:detail", a.pk)


@login_required
@require_POST
def codes(request, pk):
    """Issue codes and show the printable list once (names typed here are printed, never stored)."""
    a = _appraisal(request, pk)
    _may_write(request, a)
    group = a.groups.filter(pk=request.POST.get("group") or 0).first()
    names = _lines(request.POST.get("names", ""))
    try:
        count = len(names) if names else int(request.POST.get("count", "0"))
        if group is None:
            raise services.AppraisalError("请选择评议组。")
        issued = services.issue_codes(a, group, count, actor=request.user, scope=scope_for(request.user))
    except ValueError:
        messages.error(request, "请填写数量。")
        return redirect("appraisal:detail", a.pk)
    except services.AppraisalError as exc:
        messages.error(request, str(exc))
        return redirect("appraisal:detail", a.pk)
    rows = [{"n": i + 1, "name": names[i] if i < len(names) else "", "code": c} for i, c in enumerate(issued)]
    response = render(request, "appraisal/codes.html", {
        "a": a, "group": group, "rows": rows, "vote_url": request.build_absolute_uri("/appraisal/vote/")})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def paper_template(request, pk):
    a = _appraisal(request, pk)
    return _download(paper.template(a), f"{a.title}-纸质选票.xlsx")


@login_required
@require_POST
def paper_import(request, pk):
    a = _appraisal(request, pk)
    _may_write(request, a)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择文件。")
        return redirect("appraisal:detail", a.pk)
    try:
        n = paper.import_paper(a, upload.read(), actor=request.user, scope=scope_for(request.user))
        messages.success(request, f"已导入纸质选票{n}张。")
    except services.AppraisalError as exc:
        messages.error(request, "纸质选票没有导入（全部不写入）：\n" + str(exc))
    return redirect("appraisal:detail", a.pk)


def _results_or_404(a: Appraisal):
    try:
        return tally.results(a, problems_as_of=clock.today())
    except tally.ResultsNotAvailable as exc:
        raise Http404(str(exc)) from None


@login_required
def results_xlsx(request, pk):
    a = _appraisal(request, pk)
    return _download(exports.results_xlsx(_results_or_404(a)), f"{a.title}-测评汇总表.xlsx")


@login_required
def rectification_xlsx(request, pk):
    a = _appraisal(request, pk)
    return _download(exports.rectification_xlsx(_results_or_404(a), clock.today()), f"{a.title}-整改清单.xlsx")


@login_required
def notice_docx(request, pk):
    from .notice import notice_docx as build

    a = _appraisal(request, pk)
    response = HttpResponse(build(_results_or_404(a), clock.today()),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(a.title + '-结果通报.docx')}"
    return response


def _problem_data(request, a: Appraisal) -> dict:
    scope = scope_for(request.user)
    owner = scope.filter(Person.objects.all(), "unit").filter(code=request.POST.get("owner", "").strip()).first() or (
        scope.filter(Person.objects.all(), "unit").filter(name=request.POST.get("owner", "").strip()).first())
    if owner is None:
        raise services.AppraisalError("找不到整改责任人（请填写工号或姓名）。")
    data = {"description": request.POST.get("description", "").strip(), "category": request.POST.get("category", "other"),
            "owner": owner, "measures": request.POST.get("measures", "").strip(),
            "deadline": dt.date.fromisoformat(request.POST.get("deadline", ""))}
    return data


@login_required
@require_POST
def problem_add(request, pk, reportee):
    a = _appraisal(request, pk)
    _may_write(request, a)
    r = Reportee.objects.filter(appraisal=a, pk=reportee).first()
    if r is None:
        raise Http404("未找到该述职人。")
    try:
        services.add_problem(r, actor=request.user, scope=scope_for(request.user), **_problem_data(request, a))
        messages.success(request, "已记录点评问题，并列入整改跟踪。")
    except ValueError:
        messages.error(request, "请填写整改时限（如 2023-06-30）。")
    except (services.AppraisalError, ValidationError) as exc:
        messages.error(request, _errors(exc))
    return redirect("appraisal:detail", a.pk)


@login_required
@require_POST
def problem_edit(request, pk, problem):
    a = _appraisal(request, pk)
    _may_write(request, a)
    p = AppraisalProblem.objects.filter(reportee__appraisal=a, pk=problem).first()
    if p is None:
        raise Http404("未找到该整改事项。")
    try:
        done = request.POST.get("completed_on", "").strip()
        services.update_problem(p, actor=request.user, scope=scope_for(request.user),
                                expected_version=int(request.POST.get("version", "0")),
                                status="done" if done else "open",
                                completed_on=dt.date.fromisoformat(done) if done else None,
                                evidence=request.POST.get("evidence", "").strip())
        messages.success(request, "整改情况已保存。")
    except ValueError:
        messages.error(request, "完成日期写成 2023-06-30。")
    except (services.AppraisalError, ValidationError) as exc:
        messages.error(request, _errors(exc))
    return redirect("appraisal:detail", a.pk)


# --- the anonymous rating page --------------------------------------------------------------------------------

@never_cache
def vote(request):
    """Step 1: the one-time code; step 2: the ratings; step 3: thanks. No sign-in, no cookie beyond CSRF."""
    code = request.POST.get("code", "").strip()
    if request.method != "POST" or not code:
        return render(request, "appraisal/vote.html", {"step": "code", "error": "请输入测评码。" if request.method == "POST" else ""})
    row = BallotCode.objects.filter(code_hash=services.hash_code(code)).select_related("appraisal", "group").first()
    if row is None or row.appraisal.status != AppraisalStatus.OPEN:
        return render(request, "appraisal/vote.html", {"step": "code", "error": "测评码无效、已经使用，或测评不在进行中。"},
                      status=400)
    a = row.appraisal
    reps = list(a.reportees.select_related("person", "party_org", "unit"))
    indicators = list(a.indicators.all())
    if request.POST.get("step") != "cast":
        return render(request, "appraisal/vote.html", {"step": "rate", "a": a, "code": code, "reportees": reps,
                                                       "indicators": indicators, "ratings": RATINGS})
    marks = {}
    for r in reps:
        marks[str(r.pk)] = {services.OVERALL: request.POST.get(f"r{r.pk}", "")}
        for i in indicators:
            marks[str(r.pk)][str(i.pk)] = request.POST.get(f"r{r.pk}_{i.pk}", "")
    try:
        services.cast_ballot(a, code, marks)
    except services.AppraisalError as exc:
        return render(request, "appraisal/vote.html", {"step": "code", "error": str(exc)}, status=400)
    return render(request, "appraisal/vote.html", {"step": "done", "a": a})
