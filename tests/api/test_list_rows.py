"""The record list API read as values (records.api_rows) answers byte for byte what DRF's serializer answers: every
record type of the demo (people lists, dates, decimals, choices, the list state, confidential rows), for a reader
who sees confidential rows and one who does not, a branch reader, and other pages and filters."""

import json

import pytest
from rest_framework.test import APIClient

from lvzhi.records import api_rows, registry
from lvzhi.records.api import serializer_for

READERS = ("jiwei", "dangban", "zhibu")  # 纪委书记 (confidential rows), 党务干事 (none of them), a branch's secretary


def _get(settings, user, url, values: bool):
    settings.API_LIST_AS_VALUES = values
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(url)
    return response.status_code, response.content


def _both(settings, user, url):
    fast = _get(settings, user, url, True)
    slow = _get(settings, user, url, False)
    return fast, slow


@pytest.mark.django_db
def test_every_type_answers_the_same_bytes(users, settings):
    seen: dict[str, int] = {}  # field class → non-empty values compared
    counts: dict[tuple[str, str], int] = {}
    for rt in registry.all_types():
        for reader in READERS:
            for query in ("?limit=1000", "?limit=3&offset=2"):
                url = f"/api/{rt.slug}/{query}"
                fast, slow = _both(settings, users[reader], url)
                assert fast[0] == slow[0] == 200, (url, reader, fast[0], slow[0])
                assert fast[1] == slow[1], (url, reader)
                body = json.loads(fast[1])
                if query == "?limit=1000":
                    counts[(rt.key, reader)] = body["count"]
                    _note_fields(rt, body["results"], seen)
    # What the comparison covered: the kinds of value a list carries, not empty.
    for kind in ("ManyRelatedField", "DateField", "DecimalField", "ChoiceField", "PrimaryKeyRelatedField",
                 "BooleanField", "CharField"):
        assert seen.get(kind, 0) > 0, (kind, seen)
    # The confidential rows are left out for the 党务干事 and shown to the 纪委书记 (the same bytes on both paths).
    confidential = [rt.key for rt in registry.all_types() if rt.confidential_rows is not None]
    assert any(counts[(k, "jiwei")] > counts[(k, "dangban")] for k in confidential), counts
    # A branch reader sees fewer rows than the company's readers (scoping, unchanged).
    assert any(counts[(rt.key, "zhibu")] < counts[(rt.key, "dangban")] for rt in registry.all_types())


def _note_fields(rt, results, seen):
    serializer = serializer_for(rt)(context={})
    for name, field in serializer.fields.items():
        kind = type(field).__name__
        n = sum(1 for row in results if row.get(name) not in (None, "", []))
        seen[kind] = seen.get(kind, 0) + n


@pytest.mark.django_db
def test_filters_and_out_of_scope_units_answer_the_same(users, settings):
    from lvzhi.org.models import Unit
    from lvzhi.org.scoping import scope_for

    other = Unit.objects.exclude(pk__in=scope_for(users["zhibu"]).units().values("pk")).order_by("-depth").first()
    for url in ("/api/branch-activities/?year=2022&limit=5", "/api/integrity-talks/?search=谈", "/api/committee-meetings/?offset=10000",
                f"/api/branch-activities/?unit={other.pk}", "/api/rectifications/?limit=50&offset=1"):
        for reader in READERS:
            fast, slow = _both(settings, users[reader], url)
            assert fast == slow, (url, reader)


def test_only_virtual_columns_keep_drf():
    """Every generated serializer but the unit's (its parent is a computed column) is read as values."""
    kept = sorted(rt.key for rt in registry.all_types() if api_rows.plan_for(serializer_for(rt)) is None)
    assert kept == sorted(rt.key for rt in registry.all_types() if any(rt.is_virtual(c) for c in rt.columns))


@pytest.mark.django_db
def test_browsable_page_and_errors_unchanged(users, settings):
    client = APIClient()
    client.force_authenticate(users["dangban"])
    settings.API_LIST_AS_VALUES = True
    assert client.get("/api/branch-activities/?limit=0").status_code == 400
    assert client.get("/api/branch-activities/?colour=red").status_code == 400
    page = client.get("/api/branch-activities/?limit=2", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"<html" in page.content.lower()
