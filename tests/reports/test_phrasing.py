from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lvzhi.reports import phrasing


@pytest.mark.parametrize("value, duo, jin", [(137, "130多", "近140"), (63, "60多", "近70"), (60, "60", "60"),
                                             (1234, "1200多", "近1300"), (286.5, "280多", "近300"), (98.6, "90多", "近100")])
def test_examples(value, duo, jin):
    assert phrasing.duo(value) == duo
    assert phrasing.jin(value) == jin


def test_wan_and_fixed():
    assert phrasing.wan(23456) == "2.3万"
    assert phrasing.wan(868123) == "86.8万"
    assert phrasing.fixed(Decimal("34.15"), 1) == "34.2"
    assert phrasing.exact(Decimal("34.10")) == "34.1"
    assert phrasing.cn(1) == "一" and phrasing.cn(12) == "十二" and phrasing.cn(25) == "二十五"


def test_refusals():
    with pytest.raises(phrasing.PhrasingError):
        phrasing.duo(7)
    with pytest.raises(phrasing.PhrasingError):
        phrasing.jin(Decimal("1.5"))  # 2 is not “near” 1.5
    with pytest.raises(phrasing.PhrasingError):
        phrasing.cn(Decimal("1.5"))


def _number(text: str) -> Decimal:
    return Decimal(text.replace("多", "").replace("余", "").replace("近", "").replace("万", ""))


@given(st.decimals(min_value=10, max_value=10**7, allow_nan=False, allow_infinity=False, places=2))
def test_duo_and_yu_never_overstate(value):
    for f in (phrasing.duo, phrasing.yu):
        text = f(value)
        assert _number(text) <= value
        assert value - _number(text) < phrasing._round_step(value)
        assert text.endswith(("多", "余")) == (_number(text) != value)


@given(st.decimals(min_value=1, max_value=10**7, allow_nan=False, allow_infinity=False, places=2))
def test_jin_never_understates_and_stays_close(value):
    try:
        text = phrasing.jin(value)
    except phrasing.PhrasingError:
        return
    target = _number(text)
    assert target >= value
    assert value >= target * Decimal("0.9")


@given(st.integers(min_value=0, max_value=10**9))
def test_wan_never_overstates(value):
    assert _number(phrasing.wan(value)) * 10000 <= value
    assert value - _number(phrasing.wan(value)) * 10000 < 1000


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_exact_round_trips_integers(value):
    assert int(phrasing.exact(value)) == value
