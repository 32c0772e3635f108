"""Query counts must not grow with the size of the tree (units, branches, people, records) or the page size.

Two synthetic groups of different sizes are generated with the scale generator inside each test (rolled back
afterwards); every set-based computation must cost them exactly the same number of queries. A later change
that loops over units, branches or rows fails here, whatever the timings.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lvzhi.metrics import catalogue
from lvzhi.metrics.compute import Period, compute_many
from lvzhi.obligations.engine import evaluate
from lvzhi.org.access import grant_seed_role
from lvzhi.org.models import Role, User
from lvzhi.reports import services, templating
from lvzhi.scale.generate import generate
from lvzhi.scale.scenarios import TINY, Scenario

pytestmark = pytest.mark.django_db
YEAR = 2024
AS_OF = dt.date(2025, 1, 31)
# Three times the tiny group: more companies, plants, branches, people and records of every kind.
LARGER = Scenario("tiny3", "微型测试集团（三倍）", "SCU", (6,), 18, 36, 600)


@pytest.fixture
def trees():
    small = generate(TINY, years=2, end_year=YEAR).top
    large = generate(LARGER, years=2, end_year=YEAR).top
    return small, large


def queries(fn) -> int:
    fn()  # warm: content types, rule versions, templates are looked up once per process
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def secretary_client(unit) -> Client:
    user = User.objects.create(username=f"scale-{unit.code}")
    with transaction.atomic():
        grant_seed_role(user, unit, Role.SECRETARY)
    client = Client()
    client.force_login(user)
    return client


def test_the_larger_tree_really_is_larger(trees):
    from lvzhi.partybuilding.models import BranchActivity

    small, large = trees
    counts = [BranchActivity.objects.filter(unit__path__startswith=u.path).count() for u in trees]
    assert counts[1] > 2.5 * counts[0] > 0


def test_compute_many_costs_the_same_for_any_tree(trees):
    ids = [m.id for m in catalogue.CATALOGUE]
    small, large = (queries(lambda u=u: compute_many(ids, u, Period.year(YEAR))) for u in trees)
    assert small == large
    types = {m.record_type for m in catalogue.CATALOGUE}
    assert small <= 2 * len(types) + 20  # grouped per record type, plus people-based figures


def test_report_render_costs_the_same_for_any_tree(trees):
    body = services.BUILTIN_FILE.read_text(encoding="utf-8")

    def render(unit):
        doc = templating.render(body, unit=unit, year=YEAR, secretary=services.default_secretary(unit))
        assert not [w for w in doc.warnings if "模板" in w]

    small, large = (queries(lambda u=u: render(u)) for u in trees)
    assert small == large


def test_obligation_engine_costs_the_same_for_any_tree(trees):
    small, large = (queries(lambda u=u: evaluate(u, year=YEAR, as_of=AS_OF)) for u in trees)
    assert small == large
    cells = [sum(1 for _ in evaluate(u, year=YEAR, as_of=AS_OF).cells()) for u in trees]
    assert cells[1] > 2.5 * cells[0]


@pytest.mark.parametrize("url", [
    "/records/branch_activity/", "/records/study_session/", "/records/integrity_talk/", "/records/rectification/",
    "/records/person/", "/",
])
def test_pages_cost_the_same_for_any_tree(trees, url):
    counts = []
    for unit in trees:
        client = secretary_client(unit)
        counts.append(queries(lambda c=client: _ok(c.get(url))))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("slug", ["branch-activities", "study-sessions", "integrity-talks", "committee-meetings",
                                  "inspections", "people"])
def test_api_lists_cost_the_same_for_any_tree_and_page_size(trees, slug):
    counts = []
    for unit in trees:
        client = secretary_client(unit)
        for limit in (5, 50):  # a query per row would show as a difference between page sizes
            counts.append(queries(lambda c=client, n=limit: _ok(c.get(f"/api/{slug}/?limit={n}"))))
    assert len(set(counts)) == 1, counts


def test_metric_api_costs_the_same_for_any_tree(trees):
    counts = []
    for unit in trees:
        client = secretary_client(unit)
        counts.append(queries(lambda c=client: _ok(c.get(f"/api/metrics/integrity.talk_coverage/?year={YEAR}"))))
    assert counts[0] == counts[1]


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response
