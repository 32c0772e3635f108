"""Results over a unit's subtree kept piece by piece: the unit's own rows and each child's subtree. A page's count
over a province (its record list's total, its 补录 per unit) recounted every row of the province after any write
anywhere in it: 40 ms of PostgreSQL for 162,000 支部活动. Kept per piece, a write in one company recounts that
company's rows only. The pieces' versions come from one reading of the change counter
(``datachange.split_snapshot``), their kept values from one entry of the results cache (one read; as many entries
as the whole would take), and the pieces out of date are counted together in one grouped query — so neither the
statements nor the entries grow with the number of children.

Only for results that add up over disjoint rows (counts, counts per unit): the caller combines the pieces."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Q

from lvzhi.web import datacache, datachange

T = TypeVar("T")


def per_piece(name: str, parts: tuple, unit, compute: Callable[[list[str], bool], dict[str, T]], *,
              scope=None) -> list[T] | None:
    """The value of every piece of the unit's subtree — the unit's own rows (piece ``unit.path``) and each child's
    subtree (the child's path) — each reused while its piece of the data is unchanged; ``compute(paths)`` gives
    those out of date, ``{path: value}`` for each path asked (one grouped query: ``narrowed`` and ``piece_of``;
    ``whole``: every piece is asked, the rows need no narrowing).
    None where nothing is reused (a transaction that has written: the caller computes the whole)."""
    from lvzhi.org.models import Unit

    def read():
        split = datachange.split_snapshot(unit.path, len(unit.path) + Unit.steplen)
        children = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")
        return split, [unit.path, *children.values_list("path", flat=True)] if split is not None else []

    split, paths = datacache.once_per_computation(("pieces", unit.path), read)
    if split is None:
        return None
    found = datacache.cached_pieces(name, (*parts, unit.path), {p: split.of(p) for p in paths},
                                    lambda stale: compute(stale, len(stale) == len(paths)), scope=scope)
    return [found[p] for p in paths]


def narrowed(queryset, unit_field: str, unit, paths: list[str], whole: bool = False):
    """The rows of the pieces at ``paths`` (``unit.path``: the unit's own rows); ``whole``: they are every piece —
    the rows as they are (each piece's condition on every row cost more than the count)."""
    if whole:
        return queryset
    q = Q()
    for path in paths:
        q |= Q(**{unit_field: unit.pk}) if path == unit.path else Q(**{f"{unit_field}__path__startswith": path})
    return queryset.filter(q)


def piece_of(unit, path: str) -> str:
    """The piece a unit at ``path`` belongs to: the child's path it starts with (the unit's own: its path). Grouped
    queries group by the unit's path and cut it here — cutting 160,000 rows' paths in SQL cost more than the count."""
    from lvzhi.org.models import Unit

    return path[:len(unit.path) + Unit.steplen]
