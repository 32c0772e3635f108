"""Property tests (hypothesis) for the cell rules that forms, imports and exports share (records/cells.py):
what an export writes, an import reads back to the same value; what cannot be a value is refused with a
Chinese message. Number phrasing (多/近/余/万) has its own properties in tests/reports/test_phrasing.py."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lvzhi.imports.exporter import safe
from lvzhi.records import cells, registry
from lvzhi.web.params import FIRST_YEAR, LAST_YEAR

pytestmark = pytest.mark.django_db

TEXT = registry.get("inspection")  # title: a CharField of 200
TEXT_COL = next(c for c in TEXT.columns if c.field == "title")
LONG = registry.get("integrity_talk")  # content: a TextField (limit cells.MAX_TEXT)
LONG_COL = next(c for c in LONG.columns if c.field == "content")
AMOUNT = registry.get("business_result")  # value: DecimalField(14, 2)
AMOUNT_COL = next(c for c in AMOUNT.columns if c.field == "value")
YEAR = registry.get("ideology_report")
YEAR_COL = next(c for c in YEAR.columns if c.field == "year")

# Text as people type it: any characters but control characters and surrogates, no surrounding blanks (cells are
# trimmed), and at most the column's length.
typed = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=200).map(str.strip).filter(bool)
dates = st.dates(min_value=dt.date(FIRST_YEAR, 1, 1), max_value=dt.date(LAST_YEAR, 12, 31))


def through_export(rt, column, value):
    """A value as it travels: formatted into a cell, neutralised by the exporter, read back by the importer."""
    return cells.parse_cell(rt, column, safe(cells.format_value(rt, column, value)))


@given(typed)
@example("'=1+1")  # typed with Excel's own "text" quote: the export must keep it, not lose it on the way back
@example("''+86 138")
@example("'@某人")
@example("-（一）总体情况")
def test_text_survives_export_and_import(text):
    assert through_export(TEXT, TEXT_COL, text) == text


@given(typed)
def test_an_exported_cell_is_never_a_formula(text):
    out = safe(text)
    assert not (isinstance(out, str) and out[:1] in "=+-@\t\r")


@given(st.text(min_size=1, max_size=50).map(lambda s: "=" + s))
def test_a_formula_typed_into_a_cell_is_refused(formula):
    with pytest.raises(cells.CellError, match="单元格是公式"):
        cells.parse_cell(TEXT, TEXT_COL, formula)


@given(st.integers(min_value=1, max_value=400))
def test_text_longer_than_its_column_is_refused_and_shorter_kept(extra):
    limit = TEXT.model_field("title").max_length
    with pytest.raises(cells.CellError, match=f"内容过长（{limit + extra} 字，最多 {limit} 字）"):
        cells.parse_cell(TEXT, TEXT_COL, "字" * (limit + extra))
    assert cells.parse_cell(TEXT, TEXT_COL, "字" * limit) == "字" * limit
    with pytest.raises(cells.CellError, match=f"最多 {cells.MAX_TEXT} 字"):
        cells.parse_cell(LONG, LONG_COL, "字" * (cells.MAX_TEXT + extra))


@given(dates)
def test_dates_round_trip_in_every_written_form(day):
    assert cells.parse_date(cells.format_value(TEXT, _column(TEXT, "date"), day)) == day
    for text in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日", f"{day.year}/{day.month}/{day.day}",
                 f"{day.year}.{day.month:02d}.{day.day:02d}", day.strftime("%Y%m%d")):
        assert cells.parse_date(text) == day, text
    assert cells.parse_date(dt.datetime.combine(day, dt.time(15, 30))) == day  # Excel's date-time cells


@given(st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR), st.integers(1, 12), st.integers(1, 40))
def test_a_day_that_does_not_exist_is_refused(year, month, day):
    text = f"{year}-{month:02d}-{day:02d}"
    try:
        expected = dt.date(year, month, day)
    except ValueError:
        with pytest.raises(cells.CellError, match=f"日期“{text}”不存在"):
            cells.parse_date(text)
    else:
        assert cells.parse_date(text) == expected


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip_as_numbers_and_as_text(n):
    assert cells.parse_int(n) == n
    assert cells.parse_int(float(n)) == n  # Excel stores every number as a float
    assert cells.parse_int(str(n)) == n
    assert cells.parse_int(f"{n:,}") == n  # thousands separators, as Excel shows them
    assert cells.parse_cell(YEAR, YEAR_COL, str(n)) == n


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()),
                 st.sampled_from(["十二", "12abc", "1.5", "一二", "12 人", "--3", "", "NaN"]), st.booleans()))
def test_what_is_not_an_integer_is_refused(value):
    if value == "":
        return
    with pytest.raises(cells.CellError, match="应为整数"):
        cells.parse_int(value)


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2,
                   allow_nan=False, allow_infinity=False))
def test_amounts_round_trip_through_an_export(amount):
    assert through_export(AMOUNT, AMOUNT_COL, amount) == amount


@given(st.sampled_from(["NaN", "Infinity", "-inf", "一百", "1.2.3", "12元", "sNaN"]))
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(cells.CellError, match="应为数字"):
        cells.parse_decimal(text)


@given(st.booleans())
def test_yes_and_no_round_trip(flag):
    rt = registry.get("person")
    column = _column(rt, "is_key_post")
    assert through_export(rt, column, flag) is flag


@settings(max_examples=60)
@given(st.data())
def test_every_choice_reads_back_by_its_label_and_its_key(data):
    rt = data.draw(st.sampled_from([rt for rt in registry.all_types()
                                    if any(cells.kind_of(rt, c) == "choice" for c in rt.columns)]))
    column = data.draw(st.sampled_from([c for c in rt.columns if cells.kind_of(rt, c) == "choice"]))
    key, label = data.draw(st.sampled_from(list(rt.model_field(column.field).flatchoices)))
    assert through_export(rt, column, key) == key
    assert cells.parse_cell(rt, column, str(key)) == key


def test_every_unit_and_person_label_resolves_to_itself():
    """An export names units and people as 名称（编码）: every one of them, duplicate names included, reads back
    to the same object (one query per model, whatever the number)."""
    from lvzhi.org.models import Person, Unit
    from lvzhi.org.scoping import Scope

    resolver = cells.Resolver(Scope.everything())
    for model in (Unit, Person):
        objs = list(model.objects.all())
        refs = [cells.Ref(model, cells.ref_label(o)) for o in objs]
        resolver.resolve_all(refs)
        assert all(resolver.get(r) == o for r, o in zip(refs, objs, strict=False))


def _column(rt, field):
    return next(c for c in rt.columns if c.field == field)
