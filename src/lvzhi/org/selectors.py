"""Scoped reads of the unit tree and people."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import PartyOrg, Person, Unit
from .scoping import Scope, scope_for


def top_units(scope: Scope) -> QuerySet:
    """The highest units the user may read (their roles' units, or the roots for the system scope)."""
    if scope.read_paths == ("",):
        return Unit.objects.get_root_nodes()
    return Unit.objects.filter(path__in=scope.read_paths).order_by("path")


def readable_unit(scope: Scope, value) -> Unit | None:
    """The unit a request names (``?unit=12``) if the user may read it; None for a missing, foreign or malformed id."""
    from lvzhi.web.params import int_param

    pk = int_param(value)
    return scope.units().filter(pk=pk).first() if pk is not None else None


def requested_unit(request, scope: Scope) -> Unit:
    """The unit a page is about, one rule for every page: the ``?unit=`` it names if the user may read it (a unit
    outside the scope is a 404, never a quiet fallback), else the unit chosen in the header, else their top unit."""
    from django.http import Http404

    if request.GET.get("unit"):
        unit = readable_unit(scope, request.GET["unit"])
        if unit is None:
            raise Http404("未找到该单位，或您无权查看。")
        return unit
    unit = current_unit(request)
    if unit is None:
        raise Http404("您尚未获得任何单位的角色授权。")
    return unit


def current_unit(request) -> Unit | None:
    """The unit chosen in the header's switcher (kept in the session), else the user's top unit."""
    scope = scope_for(request.user)
    unit_id = request.session.get("unit_id")
    # a page asks for it several times (the view, the layout): read once per request and chosen unit
    memo = getattr(request, "_lvzhi_current_unit", None)
    if memo is not None and memo[0] == (scope, unit_id):
        return memo[1]
    unit = scope.units().filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        unit = top_units(scope).first()
    request._lvzhi_current_unit = ((scope, unit_id), unit)
    return unit


def unit_tree(scope: Scope, root: Unit | None = None, max_depth: int | None = None) -> list[dict]:
    """Readable units in tree order with member and branch counts (three queries, whatever the size)."""
    qs = scope.units()
    if root is not None:
        qs = qs.filter(root.subtree_q())
    units = list(qs.order_by("path"))
    people = dict(
        Person.objects.filter(unit__in=qs, left_on__isnull=True)
        .exclude(party_status="none").values_list("unit").annotate(n=Count("pk"))
    )
    branches = dict(
        PartyOrg.objects.filter(unit__in=qs, kind="branch").values_list("unit").annotate(n=Count("pk"))
    )
    # Totals include every unit below: units are in path order, so a unit's subtree follows it directly.
    base_depth = units[0].depth if units else 0
    rows = []
    for i, u in enumerate(units):
        if max_depth is not None and u.depth > base_depth + max_depth:
            continue
        members = n_branches = 0
        for v in units[i:]:
            if not v.path.startswith(u.path):
                break
            members += people.get(v.pk, 0)
            n_branches += branches.get(v.pk, 0)
        rows.append({"unit": u, "indent": u.depth - base_depth, "members": members, "branches": n_branches})
    return rows


def search_people(scope: Scope, text: str, limit: int = 20) -> QuerySet:
    """By name, 工号, full pinyin or pinyin initials (张三 ← "zs", "zhangs")."""
    text = text.strip()
    qs = scope.filter(Person.objects.select_related("unit"))
    if not text:
        return qs.none()
    q = Q(name__icontains=text) | Q(code__iexact=text)
    if text.isascii():
        q |= Q(pinyin_initials__istartswith=text) | Q(pinyin__istartswith=text)
    return qs.filter(q).order_by("pinyin_initials", "code")[:limit]
