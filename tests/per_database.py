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


def cases(values, on_postgresql, on_sqlite=None) -> list:
    """``values`` as parameters; those not in ``on_postgresql`` are skipped when the tests run on PostgreSQL, and,
    when ``on_sqlite`` is given, those not in it on SQLite. Every value must run on one of the two."""
    keep_pg = set(on_postgresql)
    keep_sqlite = set(values if on_sqlite is None else on_sqlite)
    assert keep_pg | keep_sqlite >= set(values), "每个用例至少在一种数据库上运行"
    out = []
    for v in values:
        skip = v not in (keep_pg if ON_POSTGRESQL else keep_sqlite)
        where = "PostgreSQL" if v in keep_pg else "SQLite"
        out.append(pytest.param(v, marks=pytest.mark.skipif(skip, reason=f"{v}：只在 {where} 上运行")))
    return out


only_on_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="只在 PostgreSQL 上运行（CI 时间）")
