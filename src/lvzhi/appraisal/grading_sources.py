"""What a grading indicator may count: record types that name a Party organisation and carry a date (and, per
type, each of its kinds), and the check rules whose subjects are Party organisations — each with its Chinese
label, so the scheme page offers names, never identifiers."""

from __future__ import annotations

from lvzhi.records import registry


def record_sources() -> dict[tuple[str, str], str]:
    """(record type key, kind or '') → label, e.g. ('branch_activity', 'themed_day') → 支部活动 · 主题党日."""
    out: dict[tuple[str, str], str] = {}
    for rt in registry.all_types():
        names = {f.name: f for f in rt.model._meta.get_fields()}
        org = names.get("party_org")
        if org is None or getattr(org, "related_model", None) is None or not rt.date_field:
            continue
        label = rt.model._meta.verbose_name
        out[(rt.key, "")] = f"{label}（全部类别）" if rt.kind_field else str(label)
        if rt.kind_field:
            for value, text in rt.model_field(rt.kind_field).choices or ():
                out[(rt.key, value)] = f"{label} · {text}"
    return out


def check_rules() -> list[tuple[str, str]]:
    """(rule id, name) of the current default rules judged per Party organisation, in rule-id order."""
    from lvzhi.obligations.models import ObligationRule

    seen: dict[str, str] = {}
    for rule_id, name in (ObligationRule.objects.filter(unit__isnull=True, subject="party_org")
                          .order_by("rule_id", "effective_from").values_list("rule_id", "name")):
        seen[rule_id] = name
    return sorted(seen.items())
