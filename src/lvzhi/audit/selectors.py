"""Reading the audit trail within the user's scope; confidential before/after values are redacted."""

from __future__ import annotations

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Q

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope

from .humanize import humanize
from .models import AuditEntry


def visible_entries(scope: Scope):
    """Entries about units the user may read; entries about no unit (accounts, roles) for administrators."""
    qs = AuditEntry.objects.all()
    if scope.read_paths == ("",):
        return qs
    unit_ids = scope.units().values("pk")
    q = Q(unit_id__in=unit_ids)
    if scope.is_admin:
        q |= Q(unit_id__isnull=True)
    return qs.filter(q)


def readable_entries(scope: Scope):
    """Entries the user may read in full: ``visible_entries`` less the confidential ones (written as such, or about a
    record that is confidential now) outside the units where the user sees confidential content. The Django admin
    lists only these; the audit page lists the others too, redacted."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from lvzhi.records import registry

    qs = visible_entries(scope)
    if scope.confidential_paths == ("",):
        return qs
    secret = Q(confidential=True)
    for rt in registry.all_types():
        if rt.confidential_rows is not None:
            keys = rt.model._default_manager.filter(rt.confidential_rows()).annotate(
                key=Cast("pk", CharField())).values("key")
            secret |= Q(model=rt.model._meta.label_lower, object_id__in=keys)
    allowed = Q(unit_id__in=Unit.objects.filter(scope.confidential_q("")).values("pk")) if scope.confidential_paths \
        else Q(pk__in=[])
    return qs.exclude(secret & ~allowed)


def _confidential_now(entries) -> set[tuple[str, str]]:
    """Records that are confidential today (e.g. a rectification whose finding has since been tied to a named
    person): their older entries, written when they were not, are redacted too. One query per record type."""
    from lvzhi.records import registry

    by_model: dict[str, set[str]] = {}
    for e in entries:
        by_model.setdefault(e.model, set()).add(e.object_id)
    out: set[tuple[str, str]] = set()
    for label, ids in by_model.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        rt = registry.for_model(model)
        if rt is None or rt.confidential_rows is None:
            continue
        pks = [i for i in ids if i.isdigit()]
        secret = model._default_manager.filter(rt.confidential_rows(), pk__in=pks).values_list("pk", flat=True)
        out.update((label, str(pk)) for pk in secret)
    return out


def present(scope: Scope, entries) -> list[AuditEntry]:
    """Attach ``changes`` [(label, (before, after))] and ``redacted`` to each entry for display."""
    entries = list(entries)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={e.unit_id for e in entries if e.unit_id})}
    confidential_now = _confidential_now(entries)
    for e in entries:
        unit = units.get(e.unit_id)
        secret = e.confidential or (e.model, e.object_id) in confidential_now
        e.redacted = secret and not (unit is not None and scope.sees_confidential(unit))
        if e.redacted:
            e.object_repr = "（保密记录）"
    humanize(entries, scope)  # names and Chinese labels, before → after
    return entries


def entries_for_object(scope: Scope, obj, limit: int = 50) -> list[AuditEntry]:
    qs = visible_entries(scope).filter(model=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")[:limit]
    return present(scope, qs)


def model_choices(scope: Scope) -> list[tuple[str, str]]:
    """The record types the audit page can be narrowed to, by their Chinese names."""
    from lvzhi.records import registry

    return sorted({(rt.model._meta.label_lower, str(rt.verbose_name)) for rt in registry.all_types()},
                  key=lambda c: c[1])


def page_of_entries(scope: Scope, page: str | int | None, model: str = "", actor: str = ""):
    """The audit page: entries the user may read in full. A confidential entry is left out rather than shown
    redacted: its type, unit and time alone would say that a 问责 or 诫勉谈话 was entered there that day."""
    qs = readable_entries(scope).order_by("-seq")
    if model:
        qs = qs.filter(model=model)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    p = Paginator(qs, 50).get_page(page)
    p.object_list = present(scope, p.object_list)
    return p
