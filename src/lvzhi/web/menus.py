"""Navigation by role: each role's menu names what it does, first; everything else it may open is one level down
(“更多功能”). A person with several roles sees the union of their menus, in the order of their roles."""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, reverse

from lvzhi.org.models import Role

# (label, URL name, record-type key or None). A record type's list is ("records:list", key).
ROLE_MENUS: dict[str, list[tuple[str, str, str | None]]] = {
    Role.BRANCH_SECRETARY: [("待办", "obligations:warnings", None), ("本支部记录", "records:list", "branch_activity"),
                            ("党员", "records:list", "person"), ("报告材料", "reports:index", None)],
    Role.SECRETARY: [("待办", "obligations:warnings", None), ("合规看板", "obligations:dashboard", None),
                     ("述职报告", "reports:index", None), ("党委会", "records:list", "committee_meeting"),
                     ("三重一大事项", "records:list", "major_matter"), ("指标", "metrics:index", None)],
    Role.ORGANIZER: [("待办", "obligations:warnings", None), ("合规看板", "obligations:dashboard", None),
                     ("党委会", "records:list", "committee_meeting"), ("学习", "records:list", "study_session"),
                     ("支部活动", "records:list", "branch_activity"), ("人员", "records:list", "person"),
                     ("述职报告", "reports:index", None)],
    Role.DISCIPLINE: [("待办", "obligations:warnings", None), ("合规看板", "obligations:dashboard", None),
                      ("监督检查", "records:list", "inspection"), ("整改", "records:list", "rectification"),
                      ("廉政谈话", "records:list", "integrity_talk"), ("问责", "records:list", "accountability")],
    Role.PROPAGANDA: [("待办", "obligations:warnings", None), ("意识形态工作报告", "records:list", "ideology_report"),
                      ("推送", "records:list", "media_post"), ("宣传稿件", "records:list", "publication"),
                      ("主题宣传教育活动", "records:list", "campaign")],
    Role.READONLY: [("合规看板", "obligations:dashboard", None), ("指标", "metrics:index", None),
                    ("述职报告", "reports:index", None)],
    Role.ADMIN: [("待办", "obligations:warnings", None), ("合规看板", "obligations:dashboard", None),
                 ("单位树", "org:tree", None), ("检查规则", "obligations:rules", None),
                 ("数据导入导出", "imports:dataset", None), ("审计日志", "audit:list", None)],
}
ROLE_ORDER = [Role.ADMIN, Role.SECRETARY, Role.ORGANIZER, Role.DISCIPLINE, Role.PROPAGANDA, Role.BRANCH_SECRETARY,
              Role.READONLY]


def primary_menu(roles) -> list[dict]:
    """The role-shaped first level: label and URL, without repeats (a URL shown once, under its first label)."""
    return list(_primary_menu(frozenset(roles), get_script_prefix(), settings.ROOT_URLCONF))


@functools.cache
def _primary_menu(roles: frozenset, prefix: str, urlconf: str) -> tuple[dict, ...]:
    # the same for every request of the same roles (and URL prefix): reversing a dozen URLs per page is not free
    items, seen = [], set()
    for role in ROLE_ORDER:
        if role not in roles:
            continue
        for label, name, key in ROLE_MENUS[role]:
            try:
                url = reverse(name, args=[key] if key else [])
            except NoReverseMatch:
                continue  # that part is not installed
            if url not in seen:
                seen.add(url)
                items.append({"label": label, "url": url})
    return tuple(items)
