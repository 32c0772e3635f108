"""The scale generator: deterministic, proportioned like DESIGN.md's table, and usable by every layer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from lvzhi.audit.models import AuditEntry
from lvzhi.audit.services import verify_chain
from lvzhi.obligations.engine import DONE, LATE, evaluate
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.records import registry
from lvzhi.scale.generate import generate
from lvzhi.scale.scenarios import TINY

pytestmark = pytest.mark.django_db


def records_in(top: Unit, year: int) -> dict[str, int]:
    out = {}
    for rt in registry.all_types():
        if rt.system in ("org", "obligations") or not rt.date_field or rt.unit_field != "unit":
            continue
        out[rt.key] = rt.model.objects.filter(unit__path__startswith=top.path,
                                              **{f"{rt.date_field}__year": year}).count()
    return out


def signature(top: Unit) -> tuple:
    people = Person.objects.filter(unit__path__startswith=top.path)
    return (tuple(people.order_by("code").values_list("code", "name", "birth_date", "party_org__code")[:50]),
            people.count(), tuple(sorted(records_in(top, 2024).items())))


class Rollback(Exception):
    pass


def test_same_arguments_give_the_same_data():
    signatures = []
    for _ in range(2):
        try:
            with transaction.atomic():
                signatures.append(signature(generate(TINY, years=1, seed=7).top))
                raise Rollback
        except Rollback:
            pass
    assert signatures[0] == signatures[1]
    other = signature(generate(TINY, years=1, seed=8).top)
    assert other != signatures[0]


def test_company_scenario_has_the_seed_companys_proportions():
    out = io.StringIO()
    call_command("scale_data", scenario="company", years=1, no_progress=True, stdout=out)
    top = Unit.objects.get(code="SCC")
    assert "已生成" in out.getvalue()
    assert Unit.objects.filter(path__startswith=top.path).count() == 12
    assert PartyOrg.objects.filter(unit__path__startswith=top.path, kind="branch").count() == 60
    members = Person.objects.filter(unit__path__startswith=top.path).exclude(party_status="none").count()
    assert 1_400 <= members <= 1_700
    total = sum(records_in(top, 2024).values())
    assert 6_000 <= total <= 11_000, total  # of which 党费 and 培训学时: about one row each per member and year
    assert top.tracked_since == dt.date(2024, 1, 1)
    assert not any(Unit.objects.find_problems())  # a valid materialised-path tree
    with pytest.raises(Exception, match="已存在"):
        call_command("scale_data", scenario="company", no_progress=True, stdout=io.StringIO())


def test_generated_records_feed_the_checks_and_the_audit_chain_holds():
    before = AuditEntry.objects.count()
    top = generate(TINY, years=2).top
    counts = records_in(top, 2024)
    empty = [k for k, n in counts.items() if n == 0 and k not in ("initiative", "duty_list", "duty_item",
                                                                    "accountability", "contact_point", "co_building",
                                                                    "pre_review_rule", "media_channel", "unit_fact")]
    assert empty == []
    entries = AuditEntry.objects.order_by("-seq")[:AuditEntry.objects.count() - before]
    assert all(e.action == "import" and e.after["rows"] > 0 for e in entries)  # one entry per table written
    assert verify_chain().ok
    ev = evaluate(top, year=2024, as_of=dt.date(2025, 1, 31))
    states = [c.state for c in ev.cells()]
    assert states.count(DONE) > 0.8 * len(states)
    assert 0 < states.count(LATE) < 0.2 * len(states)  # realistic gaps for the checks to find
