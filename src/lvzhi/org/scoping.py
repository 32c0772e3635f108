"""Who may read and write which units, and who may see confidential records.

This is the one place that answers the question. Views, API, exports, reports and CLI-as-user calls all
ask ``scope_for(user)`` and filter with ``Scope.filter`` — never with an ad-hoc condition.
A role on a unit covers that unit's whole subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Role, RoleAssignment, Unit

# Record systems: every record type belongs to exactly one.
SYSTEMS = {
    "org": "组织与人员",
    "party_building": "基层党建",
    "cadres": "干部人才",
    "governance": "三重一大",
    "integrity": "党风廉政",
    "ideology": "意识形态",
    "obligations": "规则与检查",
    "reports": "述职报告",
}

WRITE_SYSTEMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(SYSTEMS),
    Role.SECRETARY: frozenset(SYSTEMS),
    Role.ORGANIZER: frozenset({"org", "party_building", "cadres", "governance", "obligations", "reports"}),
    Role.DISCIPLINE: frozenset({"integrity", "obligations"}),
    Role.PROPAGANDA: frozenset({"ideology"}),
    Role.BRANCH_SECRETARY: frozenset({"party_building"}),
    Role.READONLY: frozenset(),
}

# Names and content of 提醒/诫勉/函询/调查 talks, findings about named people and 问责: 纪委 and the secretary only.
CONFIDENTIAL_ROLES = frozenset({Role.SECRETARY, Role.DISCIPLINE})


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths that lie under another path of the set."""
    kept: list[str] = []
    for p in sorted(paths):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(kept)


def _path_q(paths: tuple[str, ...], field_name: str) -> Q:
    lookup = f"{field_name}__path__startswith" if field_name else "path__startswith"
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{lookup: p}) for p in paths))


def _covers(paths: tuple[str, ...], path: str) -> bool:
    return any(path.startswith(p) for p in paths)


@dataclass(frozen=True)
class Scope:
    read_paths: tuple[str, ...]
    write_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    confidential_paths: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    label: str = ""

    @classmethod
    def everything(cls, label: str = "系统") -> "Scope":
        """The operator at the command line (no --user): the whole tree, every system."""
        roots = ("",)  # the empty prefix matches every path, including roots added later
        return cls(
            read_paths=roots,
            write_paths={s: roots for s in SYSTEMS},
            confidential_paths=roots,
            roles=frozenset({Role.ADMIN}),
            label=label,
        )

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    # --- querysets -------------------------------------------------------------------------------
    def filter(self, qs: QuerySet, unit_field: str = "unit") -> QuerySet:
        """Restrict a queryset to objects whose unit (via ``unit_field``; '' for Unit itself) is readable."""
        if self.read_paths == ("",):
            return qs
        return qs.filter(_path_q(self.read_paths, unit_field))

    def filter_writable(self, qs: QuerySet, system: str, unit_field: str = "unit") -> QuerySet:
        paths = self.write_paths.get(system, ())
        if paths == ("",):
            return qs
        return qs.filter(_path_q(paths, unit_field))

    def confidential_q(self, unit_field: str = "unit") -> Q:
        """Q of objects whose confidential content this user may see."""
        if self.confidential_paths == ("",):
            return Q()
        return _path_q(self.confidential_paths, unit_field)

    def units(self) -> QuerySet:
        return self.filter(Unit.objects.all(), unit_field="")

    # --- single objects --------------------------------------------------------------------------
    def can_read(self, unit: Unit) -> bool:
        return _covers(self.read_paths, unit.path)

    def can_write(self, system: str, unit: Unit) -> bool:
        return _covers(self.write_paths.get(system, ()), unit.path)

    def can_write_any(self, system: str) -> bool:
        return bool(self.write_paths.get(system))

    def sees_confidential(self, unit: Unit) -> bool:
        return _covers(self.confidential_paths, unit.path)

    def get_or_404(self, qs: QuerySet, unit_field: str = "unit", **lookup):
        """Out-of-scope objects are reported exactly like missing ones: 404, never 403."""
        obj = self.filter(qs, unit_field).filter(**lookup).first()
        if obj is None:
            raise Http404("未找到该记录，或您无权查看。")
        return obj


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    cached = getattr(user, "_lvzhi_scope", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated or not user.is_active:
        scope = Scope(read_paths=(), label="匿名")
    else:
        assignments = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
        if user is not None:
            user._lvzhi_assignments = assignments  # the header's role labels read them too
        read: set[str] = set()
        write: dict[str, set[str]] = {}
        confidential: set[str] = set()
        roles: set[str] = set()
        for a in assignments:
            roles.add(a.role)
            read.add(a.unit.path)
            for system in WRITE_SYSTEMS.get(a.role, ()):
                write.setdefault(system, set()).add(a.unit.path)
            if a.role in CONFIDENTIAL_ROLES:
                confidential.add(a.unit.path)
        scope = Scope(
            read_paths=_minimal(read),
            write_paths={s: _minimal(p) for s, p in write.items()},
            confidential_paths=_minimal(confidential),
            roles=frozenset(roles),
            label=user.get_username(),
        )
    if user is not None:
        user._lvzhi_scope = scope
    return scope


def user_role_labels(user) -> list[str]:
    """'党务干事 @ 某公司' strings for the page header."""
    assignments = getattr(user, "_lvzhi_assignments", None)  # read with the scope, once per request
    if assignments is None:
        assignments = RoleAssignment.objects.filter(user=user).select_related("unit")
    return [f"{a.get_role_display()}（{a.unit.name}）" for a in sorted(assignments, key=lambda a: a.unit.path)]
