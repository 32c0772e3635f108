"""How a number is written in a report. Every placeholder chooses its phrasing explicitly; nothing rounds silently.

    exact   52 → 52; 34.10 → 34.1 (as computed; a metric's precision is part of its definition)
    duo     137 → 130多；60 → 60（a round number is not “more than” itself）
    yu      137 → 130余
    jin     286.5 → 近300；98.6 → 近100（only when the value is within 10 % below the round number）
    wan     23,456 → 2.3万；868,123 → 86.8万（truncated, never rounded up）
    fixed   34.16 → 34.2 with n decimals, rounding half up (explicit rounding)
Each approximation errs on the safe side: 多/余/万 never state more than the value, 近 never states less.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation


class PhrasingError(ValueError):
    """The value cannot be phrased that way (e.g. 近 for a value far from any round number)."""


def _dec(value) -> Decimal:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise PhrasingError(f"“{value}”不是数字") from None


def _plain(d: Decimal) -> str:
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    text = format(d.normalize(), "f")
    return text


def exact(value) -> str:
    return _plain(_dec(value))


def fixed(value, digits: int = 1) -> str:
    d = _dec(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format(d, "f")


def _round_step(d: Decimal) -> Decimal:
    """The step that 多/余 round down to: tens below 1,000, hundreds below 10,000, thousands above."""
    if d < 1000:
        return Decimal(10)
    if d < 10000:
        return Decimal(100)
    return Decimal(1000)


def _floor_round(value) -> tuple[Decimal, bool]:
    d = _dec(value)
    if d < 10:
        raise PhrasingError(f"{exact(d)} 小于 10，不能写成“多/余”")
    step = _round_step(d)
    floored = (d / step).to_integral_value(rounding=ROUND_DOWN) * step
    return floored, floored != d


def duo(value) -> str:
    floored, more = _floor_round(value)
    return f"{_plain(floored)}多" if more else _plain(floored)


def yu(value) -> str:
    floored, more = _floor_round(value)
    return f"{_plain(floored)}余" if more else _plain(floored)


def jin(value, within: float = 0.10) -> str:
    d = _dec(value)
    if d <= 0:
        raise PhrasingError("“近”只用于正数")
    digits = len(str(int(d))) if d >= 1 else 1
    for significant in (1, 2):
        step = Decimal(10) ** max(digits - significant, 0)
        target = (d / step).to_integral_value(rounding="ROUND_CEILING") * step
        if target == d:
            return _plain(d)  # exactly round: say it exactly
        if d >= target * (1 - Decimal(str(within))):
            return f"近{_plain(target)}"
    raise PhrasingError(f"{exact(d)} 离整数较远，不宜写成“近……”，请改用 exact 或 duo")


def wan(value, digits: int = 1) -> str:
    d = _dec(value) / Decimal(10000)
    q = d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)
    return f"{_plain(q)}万"


CN_DIGITS = "零一二三四五六七八九十"


def cn(value) -> str:
    """Small whole numbers in Chinese numerals (第一名, 三季度): 1 → 一, 12 → 十二, 25 → 二十五."""
    d = _dec(value)
    if d != d.to_integral_value() or not 0 <= d < 100:
        raise PhrasingError(f"{exact(d)} 不能写成中文数字（只支持 0—99 的整数）")
    n = int(d)
    if n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")


FILTERS = {"exact": exact, "fixed": fixed, "duo": duo, "yu": yu, "jin": jin, "wan": wan, "cn": cn}
