"""Visible numbers for records that have no code of their own: 检查编号 JC-2022-0012, 问题编号 WT-2022-0003 ….

A person reads, types and quotes them (on pages, in sheets that refer to the record, on the phone); the database id
never leaves the system. The number is the model's prefix, the year of the record's date and a sequence within
that year. A number the user gives (an import of an exported sheet) is kept. ``records.models.Numbered`` assigns
them on every path that stores a record (save, bulk_create); the scale generator uses ``Sequence``.

The highest number given so far is kept per prefix (``NumberCounter``, written in the transaction that inserts the
rows) so that numbering a record reads one row instead of scanning the year's numbers — 0.3–0.7 s per saved
支部活动 on the province, 3–4 s on the central group. The counter is trusted only while the number after it is
free: rows written around lvzhi (a restore of an older counter, raw SQL) make it rescan once and catch up. A
deleted record's number is not handed out again.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models.functions import Length

SEQ_WIDTH = 4
_TAIL = re.compile(r"(\d+)$")


def _get(row, name):
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def prefix_for(model, day) -> str:
    year = day.year if isinstance(day, dt.date) else _today().year
    return f"{model.NUMBER_PREFIX}-{year}-"


def _today() -> dt.date:
    from lvzhi.web.clock import today

    return today()


def _key(model, prefix: str) -> str:
    return f"{model._meta.label_lower}:{prefix}"


def highest(model, prefix: str) -> int:
    """The highest sequence already used under ``prefix``: the counter when the number after it is free, else
    a scan of the stored numbers."""
    from .models import NumberCounter

    last = NumberCounter.objects.filter(key=_key(model, prefix)).values_list("last", flat=True).first()
    if last is not None and not model._default_manager.filter(number=f"{prefix}{last + 1:0{SEQ_WIDTH}d}").exists():
        return last
    return scan_highest(model, prefix)


def scan_highest(model, prefix: str) -> int:
    """The highest sequence stored under ``prefix`` (longest, then greatest number: 10000 after 9999)."""
    # Only numbers of the system's own form count (a number someone typed, JC-2022-0012-补, is no sequence).
    last = (model._default_manager.filter(number__startswith=prefix, number__regex=rf"^{re.escape(prefix)}\d+$")
            .order_by(Length("number").desc(), "-number").values_list("number", flat=True).first())
    m = _TAIL.search(last or "")
    return int(m.group(1)) if m else 0


class Sequence:
    """Next numbers per prefix for one batch of rows: one query per year, not per row."""

    def __init__(self, model, taken=()):
        self.model = model
        self.taken = [n for n in taken if n]
        self.next: dict[str, int] = {}

    def number(self, day) -> str:
        prefix = prefix_for(self.model, day)
        if prefix not in self.next:
            given = [int(n[len(prefix):]) for n in self.taken if n.startswith(prefix) and n[len(prefix):].isdigit()]
            self.next[prefix] = max([highest(self.model, prefix), *given]) + 1
        number = f"{prefix}{self.next[prefix]:0{SEQ_WIDTH}d}"
        self.next[prefix] += 1
        return number


def note_numbers(model, rows) -> None:
    """Move the counters past the system-form numbers of ``rows`` being inserted (in the inserting transaction,
    so a rolled-back insert leaves the counter as it was)."""
    from .models import NumberCounter

    prefix = getattr(model, "NUMBER_PREFIX", "")
    if not prefix:
        return
    form = re.compile(rf"({re.escape(prefix)}-\d{{4}}-)(\d+)")
    top: dict[str, int] = {}
    for row in rows:
        m = form.fullmatch(_get(row, "number") or "")
        if m:
            top[m.group(1)] = max(top.get(m.group(1), 0), int(m.group(2)))
    for year_prefix, seq in top.items():
        key = _key(model, year_prefix)
        if NumberCounter.objects.filter(key=key, last__lt=seq).update(last=seq):
            continue
        if not NumberCounter.objects.filter(key=key).exists():  # first time: start from what is stored
            NumberCounter.objects.get_or_create(key=key, defaults={"last": max(seq, scan_highest(model, year_prefix))})


def assign_numbers(model, rows) -> None:
    """Give every row (a model object or a dict of its values) without a number the next free one of its year.
    Numbers given in the same batch are never handed out again."""
    prefix = getattr(model, "NUMBER_PREFIX", "")
    if not prefix:
        return
    pending = [r for r in rows if not _get(r, "number")]
    if not pending:
        return
    seq = Sequence(model, {_get(r, "number") for r in rows})
    for row in pending:
        number = seq.number(_get(row, model.NUMBER_DATE_FIELD))
        if isinstance(row, dict):
            row["number"] = number
        else:
            row.number = number
