"""The stored rows' bulk writer (``obligations.stored_rows``) differs per database — COPY on PostgreSQL, one prepared
INSERT in batches on SQLite —: what goes in comes back unchanged through the ORM (text with tabs, newlines,
backslashes and Chinese; empty strings and NULLs; dates; an aware time), and ``take`` deletes exactly the rows
asked for and returns their fields. Run on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lvzhi.obligations import stored_rows
from lvzhi.obligations.models import ObligationRule, StoredResult

from . import builders as b

pytestmark = pytest.mark.django_db
D = dt.date


def _row(unit, version, seq, **over):
    values = dict(
        year=2031, rule_id="test.rows", version_id=version.pk, seq=seq, subject_kind="party_org", subject_type="",
        subject_pk=1000 + seq, subject_label=f"第{seq}支部\t（含制表符）\n第二行 \\N 反斜杠", masked_label="",
        unit_id=unit.pk, period_key=f"2031-{seq % 12 + 1:02d}", period_start=D(2031, seq % 12 + 1, 1),
        period_end=D(2031, seq % 12 + 1, 28), period_label="1月", period_short="1", fixed_state="",
        count=seq % 3, required=1, due=D(2032, 1, 10), warn_from=None, record_type="branch_activity",
        record_ids="1,2,3", detail="", masked_detail="保密\\说明", stale_from=None, computed_on=D(2031, 6, 1),
        computed_at=dt.datetime(2031, 6, 1, 8, 30, 15, 123456, tzinfo=dt.timezone.utc))
    values.update(over)
    return tuple(values[n] for n in stored_rows.NAMES)


def test_rows_written_in_bulk_read_back_unchanged_and_take_removes_exactly_those():
    tc = b.company()
    version = ObligationRule.objects.filter(unit__isnull=True).order_by("pk").first()
    n = stored_rows.BATCH + 7  # more than one batch on SQLite
    rows = [_row(tc.plant, version, i) for i in range(n)]
    rows.append(_row(tc.workshop, version, n, due=None, detail="x" * 5000, stale_from=D(2031, 7, 1)))
    with transaction.atomic(), CaptureQueriesContext(connection) as q:
        assert stored_rows.insert(iter(rows)) == n + 1
    assert len(q) <= (1 if connection.vendor == "postgresql" else 3)  # one COPY / a few executemany

    got = {r.seq: r for r in StoredResult.objects.filter(year=2031)}
    assert len(got) == n + 1
    for row in (rows[0], rows[1234], rows[-1]):
        want = dict(zip(stored_rows.NAMES, row, strict=True))
        r = got[want["seq"]]
        assert {name: getattr(r, name) for name in stored_rows.NAMES} == want
    assert timezone.is_aware(got[0].computed_at)

    with transaction.atomic():
        taken = stored_rows.take(StoredResult.objects.filter(year=2031, unit=tc.workshop), "seq", "subject_pk")
    assert taken == [(n, 1000 + n)]
    assert StoredResult.objects.filter(year=2031).count() == n
    assert stored_rows.take(StoredResult.objects.filter(year=2031, seq__lt=0), "seq") == []
