"""The small text syntax rules use for conditions, so a committee can edit them in a form or a spreadsheet.

    kind=committee_meeting; is_ideology=是; kind__in=central_group,central_group_seminar

Pairs are separated by ";" (or "；"), lists by "," "，" or "、"; 是/否/true/false become booleans and plain
integers become numbers. The same syntax serves record filters, subject conditions, links and parameters.
"""

from __future__ import annotations

import re

from django.core.exceptions import FieldError, ValidationError

PAIR_SPLIT = re.compile(r"[;；\n]+")
LIST_SPLIT = re.compile(r"[,，、]+")
TRUE_WORDS = {"true", "是", "yes", "1"}
FALSE_WORDS = {"false", "否", "no", "0"}


def _scalar(text: str):
    low = text.strip().lower()
    if low in TRUE_WORDS - {"1"}:
        return True
    if low in FALSE_WORDS - {"0"}:
        return False
    if re.fullmatch(r"-?\d+", low):
        return int(low)
    return text.strip()


def parse(text: str | None) -> dict:
    """'a=1; b__in=x,y' → {'a': 1, 'b__in': ['x', 'y']}. Raises ValueError with a Chinese message."""
    out: dict = {}
    for part in PAIR_SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
            raise ValueError(f"“{part}”格式不对：应写成“字段=取值”，字段名用英文小写")
        if not sep:
            out[key] = True  # a bare name is a flag ("party_org" in a link means party_org=pk)
            continue
        if key.endswith("__in") or any(c in value for c in ",，、"):
            out[key] = [_scalar(v) for v in LIST_SPLIT.split(value) if v.strip()]
        else:
            out[key] = _scalar(value)
    return out


def as_list(value) -> list:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def check_filter(model, conditions: dict) -> None:
    """Raise ValidationError unless ``conditions`` is a valid filter on ``model`` (no query is run)."""
    try:
        str(model._default_manager.filter(**conditions).query)
    except (FieldError, ValidationError, ValueError, TypeError) as exc:
        raise ValidationError(f"条件在“{model._meta.verbose_name}”上无效：{exc}") from None


def link_pairs(text: str | None) -> list[tuple[str, str]]:
    """'party_org; lecturer=secretary' → [('party_org', 'pk'), ('lecturer', 'secretary')]."""
    pairs = []
    for key, value in parse(text).items():
        pairs.append((key, "pk" if value is True else str(value)))
    return pairs
