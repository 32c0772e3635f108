"""Long tests whose question does not depend on the database run some of their cases on one database only.

CI runs the whole suite on SQLite and on PostgreSQL (about 45 minutes on 2 cores). The permission matrix and the
browser layout walk ask the same Python on both; what differs between the databases is the SQL of the scope
filters, which the roles kept on PostgreSQL exercise. Decided at collection, so a case left out costs nothing
(docs/NOTES.md, "CI time").
"""

from __future__ import annotations

import pytest
from django.conf import settings

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def cases(values, on_postgresql) -> list:
    """``values`` as parameters; those not in ``on_postgresql`` are skipped when the tests run on PostgreSQL."""
    keep = set(on_postgresql)
    return [pytest.param(v, marks=pytest.mark.skipif(ON_POSTGRESQL and v not in keep,
                                                     reason=f"{v}：在 SQLite 上运行；PostgreSQL 上只运行 {'、'.join(on_postgresql)}"))
            for v in values]
