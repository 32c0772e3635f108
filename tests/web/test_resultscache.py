"""The shared results cache on PostgreSQL writes an entry in one statement (web/resultscache.py) with Django's
cache semantics: ``add`` takes an absent or expired key only, and the table is kept within MAX_ENTRIES."""

import time

import pytest
from django.core.cache import caches
from django.db import connection  # read by the skipif condition
from django.test.utils import CaptureQueriesContext

from lvzhi.web import resultscache

pytestmark = [pytest.mark.django_db(transaction=True),  # autocommit, as a request writes the cache
              pytest.mark.skipif("connection.vendor != 'postgresql'")]


@pytest.fixture
def cache():
    c = caches["results"]
    assert isinstance(c, resultscache.ResultsCache)
    c.clear()
    yield c
    c.clear()


def test_set_and_add_are_one_statement_each_with_djangos_meaning(cache, monkeypatch):
    monkeypatch.setattr(resultscache, "CULL_EVERY", 10**9)  # no culling in this test
    with CaptureQueriesContext(connection) as seen:
        cache.set("k", {"value": [1, 2]}, 60)
        assert cache.add("lock", "mine", 60) is True
    assert len(seen.captured_queries) == 2 and all("ON CONFLICT" in q["sql"] for q in seen.captured_queries)
    assert cache.get("k") == {"value": [1, 2]}
    assert cache.add("lock", "theirs", 60) is False and cache.get("lock") == "mine"  # held: not taken
    cache.set("k", "new", 60)
    assert cache.get("k") == "new"
    cache.set("gone", "old", 1)
    time.sleep(1.1)
    assert cache.get("gone") is None
    assert cache.add("gone", "again", 60) is True and cache.get("gone") == "again"  # expired: taken
    cache.delete("lock")
    assert cache.add("lock", "next", 60) is True


def test_the_table_is_culled_to_its_limit(cache, monkeypatch):
    monkeypatch.setattr(resultscache, "CULL_EVERY", 1)  # cull on every write
    monkeypatch.setattr(cache, "_max_entries", 10)
    for i in range(40):
        cache.set(f"entry-{i:02d}", i, 60)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {cache._table}")
        assert cur.fetchone()[0] <= 11
    assert cache.get("entry-39") == 39

