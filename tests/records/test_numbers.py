"""Visible numbers: records without a code get PREFIX-year-sequence on every path that stores them."""

import datetime as dt

import pytest

from lvzhi.integrity.models import Inspection
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, services
from lvzhi.records.numbering import Sequence

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything("测试")


def _inspection(unit, day, title, **extra):
    return services.create_record(registry.get("inspection"), {"unit": unit, "kind": "other", "date": day,
                                                               "title": title, **extra}, actor="测试", scope=EVERYTHING)


def test_numbers_follow_the_year_of_the_record(contact_plant):
    a = _inspection(contact_plant, dt.date(2031, 3, 1), "甲")
    b = _inspection(contact_plant, dt.date(2031, 5, 1), "乙")
    c = _inspection(contact_plant, dt.date(2032, 1, 9), "丙")
    assert (a.number, b.number, c.number) == ("JC-2031-0001", "JC-2031-0002", "JC-2032-0001")


def test_a_typed_number_is_kept_and_does_not_disturb_the_sequence(contact_plant):
    typed = _inspection(contact_plant, dt.date(2031, 3, 1), "补录", number="JC-2031-0007-补")
    assert typed.number == "JC-2031-0007-补"
    assert _inspection(contact_plant, dt.date(2031, 4, 1), "下一条").number == "JC-2031-0001"
    _inspection(contact_plant, dt.date(2031, 4, 2), "手工", number="JC-2031-0041")
    assert _inspection(contact_plant, dt.date(2031, 4, 3), "再下一条").number == "JC-2031-0042"


def test_bulk_writes_number_too_and_ten_thousand_comes_after_9999(contact_plant):
    Inspection.objects.bulk_create([Inspection(unit=contact_plant, kind="other", date=dt.date(2033, 1, 1),
                                               title=f"批量{i}", number=f"JC-2033-{i:04d}") for i in (9998, 9999)])
    Inspection.objects.bulk_create([Inspection(unit=contact_plant, kind="other", date=dt.date(2033, 2, 1),
                                               title=f"批量新{i}") for i in range(2)])
    assert sorted(Inspection.objects.filter(title__startswith="批量新").values_list("number", flat=True)) == [
        "JC-2033-10000", "JC-2033-10001"]
    assert Sequence(Inspection).number(dt.date(2033, 5, 1)) == "JC-2033-10002"


def test_the_counter_is_read_not_the_years_numbers_and_catches_up_with_rows_written_around_it(contact_plant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lvzhi.records.models import NumberCounter

    _inspection(contact_plant, dt.date(2034, 1, 1), "一")
    assert NumberCounter.objects.get(key="integrity.inspection:JC-2034-").last == 1
    with CaptureQueriesContext(connection) as queries:
        assert _inspection(contact_plant, dt.date(2034, 1, 2), "二").number == "JC-2034-0002"
    assert not [q for q in queries if "REGEXP" in q["sql"].upper() or "~" in q["sql"]]  # no scan of the numbers
    # a row written around lvzhi (raw SQL, an older restore) takes the next number: lvzhi rescans once
    Inspection.objects.filter(number="JC-2034-0002").update(number="JC-2034-0003")
    NumberCounter.objects.filter(key="integrity.inspection:JC-2034-").update(last=2)
    assert _inspection(contact_plant, dt.date(2034, 1, 3), "三").number == "JC-2034-0004"
    # a deleted record's number is not handed out again
    last = Inspection.objects.get(number="JC-2034-0004")
    services.delete_record(registry.get("inspection"), last, actor="测试", scope=EVERYTHING)
    assert _inspection(contact_plant, dt.date(2034, 1, 4), "四").number == "JC-2034-0005"
