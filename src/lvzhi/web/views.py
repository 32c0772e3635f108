"""The workbench (home page) and the unit switcher."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit, readable_unit
from lvzhi.records import registry
from lvzhi.web import clock, fragments, selectors


@login_required
def home(request):
    scope = scope_for(request.user)
    unit = current_unit(request)
    year = clock.working_year()
    counts = []
    if unit is not None:
        counts = [{"rt": registry.get(key), "n": n} for key, n in selectors.year_counts(scope, unit, year)]
    tree = selectors.home_tree(scope, unit) if unit else []
    today = clock.today()
    todo = selectors.own_todo(scope, unit, year, today) if unit else None
    return render(request, "web/home.html", {"unit": unit, "year": year, "counts": counts, "tree": tree,
                                             "counts_html": fragments.count_cards(counts, year),
                                             "tree_html": fragments.unit_rows(tree), "todo": todo, "today": today})


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
