"""The workbench (home page) and the unit switcher."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit, unit_tree
from lvzhi.records import registry, selectors
from lvzhi.web import clock


@login_required
def home(request):
    scope = scope_for(request.user)
    unit = current_unit(request)
    year = clock.working_year()
    counts = []
    if unit is not None:
        for rt in registry.all_types():
            if rt.system == "org" or rt.date_field is None:
                continue
            n = selectors.filter_records(rt, scope, unit=unit, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)).count()
            counts.append({"rt": rt, "n": n})
    tree = unit_tree(scope, unit, max_depth=1) if unit else []
    return render(request, "web/home.html", {"unit": unit, "year": year, "counts": counts, "tree": tree})


@login_required
@require_POST
def switch_unit(request):
    unit = scope_for(request.user).units().filter(pk=request.POST.get("unit")).first()
    if unit is None:
        raise Http404("未找到该单位，或您无权查看。")
    request.session["unit_id"] = unit.pk
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
