"""What a template gets for something not recorded: a value that prints as 【待补充：中文名称】, never “None”."""

from __future__ import annotations

# Parts of a fact as a reader names them (a missing part shows as 【待补充：书记联系点投产年数】, never an
# internal field name).
PART_LABELS = {
    "amount": "金额", "measure": "计量单位", "years_since_start": "投产年数", "form": "形式", "title": "名称",
    "unit_obj": "单位", "platform": "依托平台", "best": "最好名次", "latest": "最近名次", "best_cn": "最好名次",
    "periods": "排行期数", "owner": "所属单位", "brand": "品牌", "always_first": "名次", "value": "内容",
}


def part_label(label: str, part: str) -> str:
    return f"{label}{PART_LABELS.get(part, '相关内容')}"


class MissingValue:
    """``.value`` of a missing figure or fact: prints as 【待补充：…】 (never “None”), is false, compares false
    and stays missing through arithmetic."""

    def __init__(self, ctx: "object", label: str, reason: str, metric: str = ""):
        self._ctx, self._label, self._reason, self._metric = ctx, label, reason, metric

    def __str__(self):
        return self._ctx._missing(self._label, self._reason, self._metric)

    def __bool__(self):
        return False

    def _same(self, *_):
        return self

    def _false(self, *_):
        return False

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _same
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __abs__ = _same
    __lt__ = __le__ = __gt__ = __ge__ = _false

    def __eq__(self, other):
        return isinstance(other, MissingValue)

    def __ne__(self, other):
        return not isinstance(other, MissingValue)

    __hash__ = object.__hash__
