"""The writer's table: 多, 余, 近 and 万 (亿) at every magnitude, with the values where a phrasing does not fit."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lvzhi.reports import phrasing

# value, 多, 余, 近, 万 — None: the phrasing does not fit (the report prints the exact figure and warns)
TABLE = [
    ("0", None, None, None, None),
    ("1", None, None, None, None),
    ("5", None, None, None, None),
    ("9", None, None, None, None),
    ("9.5", None, None, None, None),
    ("10", "10", "10", "10", None),
    ("11", "10多", "10余", None, None),
    ("19", "10多", "10余", "近20", None),
    ("29.5", "20多", "20余", "近30", None),
    ("60", "60", "60", "60", None),
    ("63", "60多", "60余", None, None),  # not “近70”
    ("87", "80多", "80余", "近90", None),
    ("95", "90多", "90余", "近100", None),
    ("99", "90多", "90余", "近100", None),
    ("100", "100", "100", "100", None),
    ("101", "100多", "100余", None, None),  # never “近110”
    ("121", "120多", "120余", None, None),  # never “近130”
    ("128", "120多", "120余", "近130", None),
    ("137", "130多", "130余", "近140", None),
    ("195", "190多", "190余", "近200", None),
    ("286.5", "280多", "280余", "近300", None),
    ("300", "300", "300", "300", None),
    ("868", "860多", "860余", "近900", None),  # never “0万”
    ("999", "990多", "990余", "近1000", None),
    ("1000", "1000", "1000", "1000", None),
    ("1001", "1000多", "1000余", None, None),
    ("1234", "1200多", "1200余", None, None),
    ("1999", "1900多", "1900余", "近2000", None),
    ("2500", "2500", "2500", "2500", None),
    ("9870", "9800多", "9800余", "近1万", None),
    ("9999", "9900多", "9900余", "近1万", None),
    ("10000", "1万", "1万", "1万", "1万"),
    ("10001", "1万多", "1万余", None, "1万"),
    ("12980", "1.2万多", "1.2万余", "近1.3万", "1.2万"),
    ("20500", "2万多", "2万余", "近2.1万", "2万"),
    ("23456", "2.3万多", "2.3万余", None, "2.3万"),
    ("30000", "3万", "3万", "3万", "3万"),
    ("99000", "9.9万", "9.9万", "近10万", "9.9万"),  # never “99000多”
    ("99999", "9.9万多", "9.9万余", "近10万", "9.9万"),
    ("100000", "10万", "10万", "10万", "10万"),
    ("123456", "10多万", "10余万", None, "12.3万"),
    ("798000", "70多万", "70余万", "近80万", "79.8万"),  # never “近800000”
    ("800000", "80万", "80万", "80万", "80万"),
    ("868123", "80多万", "80余万", "近90万", "86.8万"),
    ("1000000", "100万", "100万", "100万", "100万"),
    ("1234567", "120多万", "120余万", None, "123.4万"),
    ("9990000", "990多万", "990余万", "近1000万", "999万"),
    ("12345678", "1200多万", "1200余万", None, "1234.5万"),
    ("99999000", "9900多万", "9900余万", "近1亿", "9999.9万"),
    ("100000000", "1亿", "1亿", "1亿", "1亿"),
    ("123456789", "1.2亿多", "1.2亿余", None, "1.2亿"),
    ("1234567890", "10多亿", "10余亿", None, "12.3亿"),
    ("99000000000", "990亿", "990亿", "近1000亿", "990亿"),
]
PHRASINGS = {"duo": 1, "yu": 2, "jin": 3, "wan": 4}


def test_the_table_has_at_least_forty_values_per_phrasing():
    assert len(TABLE) >= 40
    for column in PHRASINGS.values():
        assert len({row[0] for row in TABLE}) == len(TABLE)
        assert sum(1 for row in TABLE if row[column] is not None) >= 15, column


@pytest.mark.parametrize("name", sorted(PHRASINGS))
@pytest.mark.parametrize("row", TABLE, ids=[r[0] for r in TABLE])
def test_writers_table(name, row):
    value, expected = Decimal(row[0]), row[PHRASINGS[name]]
    f = getattr(phrasing, name)
    if expected is None:
        with pytest.raises(phrasing.PhrasingError):
            f(value)
    else:
        assert f(value) == expected
    # ints and floats are phrased like the Decimal
    if expected is not None and value == int(value):
        assert f(int(value)) == expected


def test_no_phrasing_writes_long_digits_or_zero_wan():
    for row in TABLE:
        for text in row[1:]:
            if text:
                assert not re.search(r"\d{6,}", text), text
                assert not text.startswith("0"), text


def test_wan_fixed_exact_cn():
    assert phrasing.fixed(Decimal("34.15"), 1) == "34.2"
    assert phrasing.exact(Decimal("34.10")) == "34.1"
    assert phrasing.cn(1) == "一" and phrasing.cn(12) == "十二" and phrasing.cn(25) == "二十五"
    assert phrasing.big(13000) == "1.3万" and phrasing.big(230000000) == "2.3亿" and phrasing.big(950) == "950"


def test_refusals():
    with pytest.raises(phrasing.PhrasingError):
        phrasing.duo(-20)
    with pytest.raises(phrasing.PhrasingError):
        phrasing.jin(Decimal("1.5"))
    with pytest.raises(phrasing.PhrasingError):
        phrasing.cn(Decimal("1.5"))
    with pytest.raises(phrasing.PhrasingError):
        phrasing.wan(True)


def _number(text: str) -> Decimal:
    scale = Decimal(10) ** 8 if "亿" in text else Decimal(10) ** 4 if "万" in text else Decimal(1)
    return Decimal(re.sub("[多余近万亿]", "", text)) * scale


@given(st.decimals(min_value=10, max_value=10**12, allow_nan=False, allow_infinity=False, places=2))
def test_duo_and_yu_never_overstate(value):
    for f in (phrasing.duo, phrasing.yu):
        text = f(value)
        assert _number(text) <= value
        assert value - _number(text) < phrasing._round_step(value)
        assert text.endswith(("多", "余", "多万", "余万", "多亿", "余亿")) or "多" not in text
        assert (("多" in text) or ("余" in text)) == (_number(text) != value)
        assert not re.search(r"\d{6,}", text)


@given(st.decimals(min_value=1, max_value=10**12, allow_nan=False, allow_infinity=False, places=2))
def test_jin_never_understates_and_stays_close(value):
    try:
        text = phrasing.jin(value)
    except phrasing.PhrasingError:
        return
    target = _number(text)
    assert target >= value
    assert value >= target * Decimal("0.9")
    assert not re.search(r"\d{6,}", text)


@given(st.integers(min_value=10**4, max_value=10**13))
def test_wan_never_overstates(value):
    text = phrasing.wan(value)
    scale = Decimal(10) ** 8 if "亿" in text else Decimal(10) ** 4
    assert _number(text) <= value
    assert value - _number(text) < scale / 10


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_exact_round_trips_integers(value):
    assert int(phrasing.exact(value)) == value


@pytest.mark.django_db
def test_percentage_points_and_percent_are_kept_apart(render_company):
    body = ('占比提高{{ m("cadres.middle_80s_share_change") }}%。\n'
            '占比提高{{ m("cadres.middle_80s_share_change") | measured }}。\n'
            '完成率{{ m("integrity.rectification_rate") }}个百分点。\n'
            '原文写法{{ m("cadres.middle_80s_share_change") | percent_sign }}。\n'
            '点赞{{ m("media.likes") | wan }}人次，访问{{ m("integrity.inspections") | jin }}次。')
    doc = render_company(body=body)
    lines = doc.plain_lines()
    change = doc.figures[("cadres.middle_80s_share_change", doc.tokens[0].unit_id)].value
    assert lines[0] == f"占比提高{phrasing.exact(change)}个百分点。"
    assert lines[1] == f"占比提高{phrasing.exact(change)}个百分点。"
    assert lines[2].endswith("%。") and "百分点" not in lines[2]
    assert lines[3] == f"原文写法{phrasing.exact(change)}%。"
    assert sum("已改为“个百分点”" in w for w in doc.warnings) == 1
    assert sum("已改为“%”" in w for w in doc.warnings) == 1
    assert "0万" not in lines[4]


@pytest.mark.django_db
def test_a_phrasing_that_does_not_fit_prints_the_exact_figure_and_warns(render_company):
    doc = render_company(body='共{{ m("integrity.inspections") | wan }}次，{{ m("integrity.inspections") | jin }}次。')
    inspections = next(iter(doc.figures.values())).value
    assert inspections < 10000
    assert doc.plain_lines() == [f"共{inspections}次，" + f"{phrasing.jin(inspections) if inspections >= 10 and _jin_fits(inspections) else inspections}次。"]
    assert any("不足一万" in w and "已写出精确值" in w for w in doc.warnings)


def _jin_fits(value) -> bool:
    try:
        phrasing.jin(value)
        return True
    except phrasing.PhrasingError:
        return False


def test_jin_or_exact_says_the_exact_value_where_near_would_not_be_true():
    # the built-in template's 减亏增效 figure: another organisation's 234.38万元 is not “近……” anything
    assert phrasing.jin(Decimal("234.38"), or_exact=True) == "234.38"
    assert phrasing.jin(Decimal("396.5"), or_exact=True) == "近400"
    with pytest.raises(phrasing.PhrasingError):
        phrasing.jin(Decimal("234.38"))
