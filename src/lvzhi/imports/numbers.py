"""Visible numbers across the chunks of one sheet (``imports.streaming``).

A row left blank is numbered when its chunk is written; a number the user typed further down the same sheet is not
known yet at that moment. When a later row types a number this import has already handed to a blank row, the
typed number wins — it is the user's — and the earlier row (written in this same, still open transaction) moves to
the next free number, recorded in its audit trail as a change made by the import.
"""

from __future__ import annotations

from lvzhi.records.numbering import Sequence, note_numbers
from lvzhi.records.registry import RecordType


class GivenNumbers:
    """The numbers one sheet's import gave to rows left blank, so far."""

    def __init__(self, rt: RecordType):
        self.rt = rt
        self.given: set[str] = set()

    def blank_rows(self, rows) -> list:
        return [r for r in rows if not r.values.get("number")] if self.rt.number_prefix else []

    def note_written(self, blank_rows) -> None:
        self.given.update(r.values["number"] for r in blank_rows if r.values.get("number"))

    def give_way(self, rows, *, actor, scope) -> None:
        """Before ``rows`` (the next chunk) are matched: numbers they type that this import gave away move on."""
        if not self.given:
            return
        from lvzhi.records.services import update_record

        typed = {r.values["number"] for r in rows if r.values.get("number")}
        clashes = sorted(typed & self.given)
        if not clashes:
            return
        model = self.rt.model
        seq = Sequence(model, typed)
        for number in clashes:
            obj = model._default_manager.get(number=number)
            new = seq.number(getattr(obj, getattr(model, "NUMBER_DATE_FIELD", "date")))
            note_numbers(model, [{"number": new}])
            update_record(self.rt, obj, {"number": new}, actor=actor, scope=scope)
            self.given.discard(number)
            self.given.add(new)
