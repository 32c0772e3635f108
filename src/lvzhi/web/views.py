"""The workbench (home page) and the unit switcher."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit, readable_unit, unit_tree
from lvzhi.records import registry, selectors
from lvzhi.web import clock, datacache

REFERENCE_TYPES = {"pre_review_rule", "media_channel", "contact_point", "co_building", "duty_list"}


def _year_counts(scope, unit, year: int) -> list[tuple[str, int]]:
    """This year's records of every type in the unit's subtree."""
    counts = []
    for rt in registry.all_types():
        # reference data (lists, channels, rules) is not "recorded this year"
        if rt.system in ("org", "obligations") or rt.date_field is None or rt.key in REFERENCE_TYPES:
            continue
        n = selectors.filter_records(rt, scope, unit=unit, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)).count()
        counts.append((rt.key, n))
    return counts


TODO_SHOWN = 8  # the workbench's first items; the rest are one tap away on 待办


def _own_todo(scope, unit, year: int, today) -> dict:
    """The late and due-soon items of the user's current unit (and below), latest risk first, each with the
    prefilled form that fills it when the user may write that record."""
    from lvzhi.obligations import dashboard as board
    from lvzhi.obligations.engine import LATE
    from lvzhi.obligations.prefill import entry_url
    from lvzhi.obligations.selectors import warnings_for

    items, evaluations = warnings_for(scope, year=year, as_of=today, unit=unit)
    items.sort(key=lambda c: (c.state != LATE, -(c.due or c.period.end).toordinal()))
    ev = evaluations[0] if evaluations else None
    rows = []
    for c in items[:TODO_SHOWN]:
        try:
            writable = c.rule.record_type and scope.can_write_any(registry.get(c.rule.record_type).system)
        except LookupError:  # a revised rule naming a record type that does not exist
            writable = False
        rows.append({"state": c.state, "state_label": c.state_label, "due": c.due, "rule": c.rule.name,
                     "subject": c.subject.label, "period": c.period.label, "detail": c.detail,
                     "url": board.cell_url(ev, c.rule.rule_id, c.subject.ref, c.period.key),
                     "entry": entry_url(c, today, "/") if writable else None})
    return {"rows": rows, "late": sum(1 for c in items if c.state == LATE), "total": len(items)}


@login_required
def home(request):
    scope = scope_for(request.user)
    unit = current_unit(request)
    year = clock.working_year()
    counts = []
    if unit is not None:
        counted = datacache.cached("web.home", (unit.pk, year), lambda: _year_counts(scope, unit, year), scope=scope)
        counts = [{"rt": registry.get(key), "n": n} for key, n in counted]
    tree = datacache.cached("web.home_tree", (unit.pk,), lambda: unit_tree(scope, unit, max_depth=1),
                            scope=scope) if unit else []
    today = clock.today()
    todo = datacache.cached("web.home_todo", (unit.pk, year), lambda: _own_todo(scope, unit, year, today),
                            scope=scope) if unit else None
    return render(request, "web/home.html", {"unit": unit, "year": year, "counts": counts, "tree": tree,
                                             "todo": todo, "today": today})


@login_required
@require_POST
def switch_unit(request):
    unit = readable_unit(scope_for(request.user), request.POST.get("unit"))
    if unit is None:
        raise Http404("未找到该单位，或您无权查看。")
    request.session["unit_id"] = unit.pk
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def page_not_found(request, exception):
    """404 for a URL no route matches: JSON under /api/ (API clients read JSON), the Chinese page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "未找到该记录，或您无权查看。"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "服务器错误，请稍后重试或联系系统管理员。"}, status=500)
    return defaults.server_error(request)


def manifest(request):
    """The web-app manifest: installable on a phone's home screen from the intranet, icons served by us."""
    from django.templatetags.static import static

    icons = [{"src": static(f"lvzhi/icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"} for n in (192, 512)]
    icons.append({"src": static("lvzhi/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"})
    data = {"name": "履职 · 党委三项责任制与述职", "short_name": "履职", "lang": "zh-CN", "start_url": "/",
            "scope": "/", "display": "standalone", "background_color": "#f6f7f9", "theme_color": "#b3261e",
            "icons": icons}
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def favicon(request):
    """/favicon.ico, which browsers ask for on every page whatever the page links."""
    from django.contrib.staticfiles import finders
    from django.http import FileResponse

    response = FileResponse(open(finders.find("lvzhi/icons/favicon.ico"), "rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
