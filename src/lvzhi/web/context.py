"""What every page's layout needs: navigation by responsibility system, the unit switcher, the user."""

import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from lvzhi.org.scoping import SYSTEMS, scope_for, user_role_labels
from lvzhi.org.selectors import current_unit
from lvzhi.records import registry

from . import selectors
from .menus import primary_menu

# The three responsibility systems first, then the supporting areas.
NAV_GROUPS = [
    ("基层党建工作责任制", ["party_building", "cadres"]),
    ("党风廉政建设责任制", ["integrity", "governance"]),
    ("意识形态工作责任制", ["ideology"]),
    ("组织与人员", ["org"]),
]


ADMIN_ONLY = {"imports:dataset"}  # pages only a system administrator may open


@functools.cache
def _nav_groups(prefix: str, urlconf: str) -> tuple:
    """The record types' menu: the same for everyone (the registry and the URLconf are fixed once loaded)."""
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
    return tuple(groups)


@functools.cache
def _extra_nav(is_admin: bool, prefix: str, urlconf: str, nav: tuple) -> tuple:
    extra_nav = []
    for label, name in nav:
        if name in ADMIN_ONLY and not is_admin:
            continue
        try:
            extra_nav.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue  # that part is not installed
    return tuple(extra_nav)


# The record types' links and the extra links as the layout showed them from these two lists, one loop step per
# link (~50 a page, the same for every reader): rendered once per list, the current page's link marked after.
_NAV_LINKS = """{% for link in extra_nav %}<a href="{{ link.url }}" {% if path == link.url %}class="active"{% endif %}>{{ link.label }}</a>{% endfor %}
    {% for group in nav_groups %}
      <h3>{{ group.title }}</h3>
      {% for item in group.items %}<a href="{{ item.url }}" {% if path == item.url %}class="active"{% endif %}>{{ item.label }}</a>{% endfor %}
    {% endfor %}"""


_nav_links_done: dict[tuple[int, int], tuple[tuple, tuple, str]] = {}


def _nav_links_html(extra_nav: tuple, nav_groups: tuple) -> str:
    # keyed by the lists themselves (each built once per process above; their dicts cannot be hashed)
    key = (id(extra_nav), id(nav_groups))
    done = _nav_links_done.get(key)
    if done is None or done[0] is not extra_nav or done[1] is not nav_groups:
        from django.template import engines

        template = engines["django"].from_string(_NAV_LINKS)
        html = str(template.render({"extra_nav": extra_nav, "nav_groups": nav_groups, "path": None}))
        done = _nav_links_done[key] = (extra_nav, nav_groups, html)
    return done[2]


def nav_links(extra_nav: tuple, nav_groups: tuple, path: str) -> str:
    """The side navigation's record and extra links, the one to ``path`` marked active (every one to it, as the
    loop did)."""
    links = _nav_links_html(extra_nav, nav_groups)
    mark = f'<a href="{escape(path)}" >'
    return mark_safe(links.replace(mark, f'<a href="{escape(path)}" class="active">'))


# The layout's fixed links ({% url %} in base.html was ~15 reverse() calls a page): reversed once per process.
LAYOUT_URLS = {'admin_index': 'admin:index', 'api_docs': 'api-docs', 'audit_list': 'audit:list', 'logout': 'logout', 'org_role_requests': 'org:role_requests', 'org_tree': 'org:tree', 'tokens_list': 'tokens:list', 'web_home': 'web:home', 'web_manifest': 'web:manifest', 'web_switch_unit': 'web:switch_unit'}


@functools.cache
def _layout_urls(prefix: str, urlconf: str) -> dict[str, str]:
    return {key: conditional_escape(reverse(name)) for key, name in LAYOUT_URLS.items()}


def switcher_html(options: str, current) -> str:
    """The options with the current unit selected."""
    if current is not None:
        options = options.replace(f'<option value="{current.pk}">', f'<option value="{current.pk}" selected>', 1)
    return mark_safe(options)


def navigation(request):
    user = getattr(request, "user", None)
    urls = _layout_urls(get_script_prefix(), settings.ROOT_URLCONF)
    if user is None or not user.is_authenticated:
        return {"layout_urls": urls}
    scope = scope_for(user)
    unit = current_unit(request)
    options = selectors.switch_options(scope)
    primary = primary_menu(scope.roles)
    nav_groups = _nav_groups(get_script_prefix(), settings.ROOT_URLCONF)
    extra_nav = _extra_nav(scope.is_admin, get_script_prefix(), settings.ROOT_URLCONF,
                           tuple(getattr(settings, "LVZHI_NAV", [])))
    return {
        "nav_primary": primary,
        "nav_more_open": not primary or request.path not in {i["url"] for i in primary} | {"/"},
        # the same for everyone with the same URLs: built once per process (a hundred reversed URLs a page)
        "nav_groups": nav_groups,
        "extra_nav": extra_nav,
        "nav_links": lambda: nav_links(extra_nav, nav_groups, request.path),
        "layout_urls": urls,
        "current_unit": unit,
        "switch_units": bool(options),
        "switch_options": lambda: switcher_html(options, unit),  # only when a page's layout shows it
        "user_roles": user_role_labels(user),
        "systems": SYSTEMS,
        "scope": scope,
    }
