"""What every page's layout needs: navigation by responsibility system, the unit switcher, the user."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from lvzhi.org.scoping import SYSTEMS, scope_for, user_role_labels
from lvzhi.org.selectors import current_unit, top_units
from lvzhi.records import registry

from .menus import primary_menu

# The three responsibility systems first, then the supporting areas.
NAV_GROUPS = [
    ("基层党建工作责任制", ["party_building", "cadres"]),
    ("党风廉政建设责任制", ["integrity", "governance"]),
    ("意识形态工作责任制", ["ideology"]),
    ("组织与人员", ["org"]),
]


ADMIN_ONLY = {"imports:dataset"}  # pages only a system administrator may open


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    types = registry.by_system()
    groups = []
    for title, systems in NAV_GROUPS:
        items = [
            {"label": rt.verbose_name, "url": reverse("records:list", args=[rt.key]), "key": rt.key}
            for system in systems for rt in types.get(system, [])
            if rt.in_navigation
        ]
        if items:
            groups.append({"title": title, "items": items})
    switch_units = []
    for top in top_units(scope)[:5]:
        for u in top.__class__.objects.filter(path__startswith=top.path, depth__lte=top.depth + 2).order_by("path"):
            switch_units.append({"unit": u, "indent": "\u3000" * (u.depth - top.depth)})
    extra_nav = []
    for label, name in getattr(settings, "LVZHI_NAV", []):
        if name in ADMIN_ONLY and not scope.is_admin:
            continue
        try:
            extra_nav.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue  # that part is not installed
    primary = primary_menu(scope.roles)
    return {
        "nav_primary": primary,
        "nav_more_open": not primary or request.path not in {i["url"] for i in primary} | {"/"},
        "nav_groups": groups,
        "extra_nav": extra_nav,
        "current_unit": current_unit(request),
        "switch_units": switch_units,
        "user_roles": user_role_labels(user),
        "systems": SYSTEMS,
        "scope": scope,
    }
