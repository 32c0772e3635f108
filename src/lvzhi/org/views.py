"""Pages of the unit tree and people search (the generic record pages do lists, forms and details)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lvzhi.records import cells

from .models import PartyOrg, Person, Unit
from .scoping import scope_for
from .selectors import current_unit, readable_unit, search_people, unit_tree
from .services import unit_move


@login_required
def tree(request):
    scope = scope_for(request.user)
    root = current_unit(request)
    return render(request, "org/tree.html", {"rows": unit_tree(scope, root), "root": root})


@login_required
def unit_detail(request, pk):
    scope = scope_for(request.user)
    unit = scope.units().filter(pk=pk).first()
    if unit is None:
        raise Http404("未找到该单位，或您无权查看。")
    orgs = PartyOrg.objects.filter(unit=unit).select_related("secretary").order_by("code")
    people = Person.objects.filter(unit=unit, left_on__isnull=True).order_by("code")[:200]
    targets = scope.filter_writable(Unit.objects.exclude(path__startswith=unit.path), "org", "").order_by("path")[:500]
    return render(request, "org/unit.html", {
        "unit": unit, "orgs": orgs, "people": people, "children": unit_tree(scope, unit, max_depth=1)[1:],
        "ancestors": unit.ancestors(), "move_targets": targets if scope.can_write("org", unit) else [],
    })


@login_required
@require_POST
def unit_move_view(request, pk):
    scope = scope_for(request.user)
    unit = scope.units().filter(pk=pk).first()
    target = readable_unit(scope, request.POST.get("parent"))
    if unit is None or target is None:
        raise Http404("未找到该单位，或您无权查看。")
    try:
        unit_move(unit, target, actor=request.user, scope=scope)
        messages.success(request, f"已将“{unit.name}”及其下级单位移至“{target.name}”之下。")
    except ValidationError as exc:  # a refused permission is a 403
        messages.error(request, "；".join(exc.messages))
    return redirect("org:unit", pk)


@login_required
def people_lookup(request):
    """Suggestions for person fields (htmx): name, 工号 or pinyin initials."""
    people = search_people(scope_for(request.user), request.GET.get("q", ""))
    return render(request, "org/people_options.html", {"options": [cells.ref_label(p) for p in people], "people": people})
