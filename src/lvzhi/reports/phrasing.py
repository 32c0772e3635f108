"""How a number is written in a report: a writer's table. Every placeholder chooses its phrasing explicitly; nothing
rounds silently, and a phrasing that does not fit a value raises ``PhrasingError`` (the report then prints the exact
figure and records a warning the writer sees).

    exact   52 → 52; 34.10 → 34.1 (as computed; a metric's precision is part of its definition)
    fixed   34.16 → 34.2 with n decimals, rounding half up (explicit rounding)

    多/余 (duo, yu) — “more than a round number”; never states more than the value:
      0–9            不适用（写精确值）
      10–999         137 → 130多；60 → 60（a round number is not “more than” itself）
      1,000–9,999    1,234 → 1200多
      1万–10万        23,456 → 2.3万多；20,500 → 2万多；30,000 → 3万
      10万–1亿        868,123 → 80多万；12,345,678 → 1200多万
      1亿 and above   the same with 亿: 234,567,890 → 2.3亿多；1,234,567,890 → 12亿多
    近 (jin) — “just under a round number”; never states less than the value. The round number has one or two
      significant digits (two only from 100 up) and the value is within half its last digit and within 10 % of it:
      98.6 → 近100；286.5 → 近300；137 → 近140；9,870 → 近1万；798,000 → 近80万；99,000 → 近10万
      0–9, 101, 121, 63, 1,234 → 不适用（“近110”“近130”“近70”都会误导读者，写“100多”或精确值）
    万 (wan) — truncated to one decimal, never rounded up; 亿 from 100,000,000:
      under 10,000 → 不适用；23,456 → 2.3万；868,123 → 86.8万；123,456,789 → 1.2亿
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

WAN = Decimal(10) ** 4
YI = Decimal(10) ** 8


class PhrasingError(ValueError):
    """The value cannot be phrased that way (e.g. 近 for a value far from any round number)."""


def _dec(value) -> Decimal:
    if isinstance(value, bool):
        raise PhrasingError(f"“{value}”不是数字")
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise PhrasingError(f"“{value}”不是数字") from None


def _plain(d: Decimal) -> str:
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def exact(value) -> str:
    return _plain(_dec(value))


def fixed(value, digits: int = 1) -> str:
    d = _dec(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format(d, "f")


def big(value) -> str:
    """A round number in the writer's form: 13,000 → 1.3万, 800,000 → 80万, 230,000,000 → 2.3亿; below 1万 as is."""
    d = _dec(value)
    if d >= YI:
        return _plain(d / YI) + "亿"
    if d >= WAN:
        return _plain(d / WAN) + "万"
    return _plain(d)


def _floor(d: Decimal, step: Decimal) -> Decimal:
    return (d / step).to_integral_value(rounding=ROUND_DOWN) * step


def _round_step(d: Decimal) -> Decimal:
    """The step that 多/余 round down to (in the value's own units)."""
    if d < 1000:
        return Decimal(10)
    if d < WAN:
        return Decimal(100)
    scale = YI if d >= YI else WAN
    n = d / scale
    if n < 10:
        return scale / 10  # 2.3万多
    return scale * (10 if n < 1000 else 100)  # 80多万, 1200多万


def _more(value, word: str) -> str:
    d = _dec(value)
    if d < 10:
        raise PhrasingError(f"{exact(d)} 小于 10，不能写成“{word}”")
    step = _round_step(d)
    floored = _floor(d, step)
    if floored == d:
        return big(d)
    if d < WAN:
        return f"{_plain(floored)}{word}"
    scale = YI if d >= YI else WAN
    n, suffix = floored / scale, "亿" if scale == YI else "万"
    if d / scale < 10:
        return f"{_plain(n)}{suffix}{word}"  # 2.3万多
    return f"{_plain(n)}{word}{suffix}"  # 80多万


def duo(value) -> str:
    return _more(value, "多")


def yu(value) -> str:
    return _more(value, "余")


def jin(value, within: float = 0.10, or_exact: bool = False) -> str:
    """“近N”: the round number just above, when the value is close to it. Otherwise an error for the template's
    writer — or, with ``or_exact`` (the built-in template, which must read right for any organisation’s figures: ``jin(0.1, true)``),
    the exact value."""
    d = _dec(value)
    if or_exact:
        try:
            return jin(d, within)
        except PhrasingError:
            return exact(d)
    if d < 10:
        raise PhrasingError(f"{exact(d)} 小于 10，不能写成“近……”")
    digits = len(str(int(d))) if d >= 1 else 1
    steps = [Decimal(10) ** (digits - 1)]
    if digits >= 3:
        steps.append(Decimal(10) ** (digits - 2))
    for step in steps:
        target = (d / step).to_integral_value(rounding=ROUND_CEILING) * step
        if target == d:
            return big(d)  # exactly round: say it exactly
        gap = target - d
        if gap * 2 <= step and gap <= target * Decimal(str(within)):
            return f"近{big(target)}"
    raise PhrasingError(f"{exact(d)} 离整数较远，不宜写成“近……”")


def wan(value, digits: int = 1) -> str:
    d = _dec(value)
    if d < WAN:
        raise PhrasingError(f"{exact(d)} 不足一万，不能写成“万”")
    scale, suffix = (YI, "亿") if d >= YI else (WAN, "万")
    q = (d / scale).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)
    return f"{_plain(q)}{suffix}"


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
