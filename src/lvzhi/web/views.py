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
    return render(request, "web/home.html", {"unit": unit, "year": year, "counts": counts, "tree": tree})


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
