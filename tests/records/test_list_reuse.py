"""A list page's rows are rendered once and reused while the tables they read are unchanged
(records.listing.page_rows): a second reader costs no query on the records, and a write shows on the next page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvzhi.org.scoping import Scope
from lvzhi.records import listing, registry, selectors
from lvzhi.web import datacache
from obligations import builders as b  # tests/ is on the path (its conftest)

pytestmark = pytest.mark.django_db(transaction=True)  # committed data: a transaction that wrote reuses nothing


def test_page_rows_are_reused_until_a_write_and_then_show_it(settings):
    settings.RESULTS_REFRESH = "inline"
    datacache.forget()
    tc = b.company()
    for month in range(1, 4):
        b.activity(tc.branch, "themed_day", dt.date(2022, month, 10))
    rt = registry.get("branch_activity")
    qs = selectors.with_related(rt, selectors.filter_records(rt, Scope.everything(), unit=tc.company), rt.list_columns)
    today = dt.date(2023, 3, 1)
    first = listing.page_rows(rt, qs, 1, today, 30)
    assert len(first["rows"]) == 3
    with CaptureQueriesContext(connection) as seen:
        again = listing.page_rows(rt, qs, 1, today, 30)
    assert again == first and not any("partybuilding_branchactivity" in q["sql"] for q in seen.captured_queries)
    made = b.activity(tc.dept_branch, "party_lecture", dt.date(2022, 12, 20))
    after = listing.page_rows(rt, qs, 1, today, 30)
    assert len(after["rows"]) == 4 and f"/{made.pk}/" in "".join(r["html"] for r in after["rows"])
    assert after == listing.page_rows.__wrapped__(rt, qs, 1, today, 30)
