"""The default rules shipped with lvzhi (fixtures/default_rules.json, built from RULES.md).

The data migration loads them into every new database; ``ensure_default_rules`` puts back any that are missing
(a test database emptied by a transactional test, an installation that deleted them by mistake).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

DATA_FILE = Path(__file__).with_name("fixtures") / "default_rules.json"


def default_rule_rows() -> list[dict]:
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))["rules"]
    out = []
    for row in rows:
        row = dict(row)
        row["effective_from"] = dt.date.fromisoformat(row["effective_from"])
        out.append(row)
    return out


def load_default_rules(model) -> int:
    """Create the default (unit-less) version of every shipped rule that has none yet. ``model`` may be the
    historical model of a migration. Returns how many were created."""
    existing = set(model.objects.filter(unit__isnull=True).values_list("rule_id", flat=True))
    new = [model(**row) for row in default_rule_rows() if row["rule_id"] not in existing]
    model.objects.bulk_create(new)
    return len(new)


def ensure_default_rules() -> int:
    from .models import ObligationRule

    return load_default_rules(ObligationRule)
