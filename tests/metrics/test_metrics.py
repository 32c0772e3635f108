import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvzhi.cadres.models import Appointment
from lvzhi.metrics import catalogue
from lvzhi.metrics.compute import Period, compute, compute_many, missing_people
from lvzhi.org.models import Unit

pytestmark = pytest.mark.django_db
Y2022 = Period.year(2022)


def test_every_catalogue_metric_computes_for_the_company(company):
    from lvzhi.reports.services import default_secretary

    secretary = default_secretary(company, dt.date(2023, 1, 10))  # personal figures are the person reporting's
    figures = compute_many([m.id for m in catalogue.CATALOGUE], company, Y2022, secretary)
    assert set(figures) == set(catalogue.BY_ID)
    missing = [f.metric.id for f in figures.values() if f.is_missing]
    assert missing == [], missing
    personal = {f.metric.id: f.value for f in figures.values() if f.metric.person_field}
    assert personal["personal.contact_visits"] > 0 and personal["personal.speeches"] > 0, personal
    without = compute_many([m.id for m in catalogue.CATALOGUE], company, Y2022)
    assert sorted(f.metric.id for f in without.values() if f.is_missing) == sorted(personal)


def test_compute_many_groups_queries_by_record_type(company):
    ids = [m.id for m in catalogue.CATALOGUE if m.aggregate in ("count", "sum")]
    types = {catalogue.get(i).record_type for i in ids}
    with CaptureQueriesContext(connection) as ctx:
        compute_many(ids, company, Y2022)
    assert len(ctx.captured_queries) <= len(types) + 2


def test_figures_equal_the_direct_count_and_list_their_records(company):
    from lvzhi.integrity.models import Inspection

    f = compute("integrity.inspections.bidding", company, Y2022)
    direct = Inspection.objects.filter(company.subtree_q("unit__"), kind="bidding", date__year=2022)
    assert f.value == direct.count() and sorted(f.record_ids()) == sorted(direct.values_list("pk", flat=True))


def test_post_80s_share_change_is_end_of_year_against_previous_end(company):
    def share(day):
        held = Appointment.objects.filter(company.subtree_q("unit__"), level="middle", date__lte=day).exclude(
            ended_on__lte=day)
        people = set(held.values_list("person", flat=True))
        young = set(held.filter(person__birth_date__year__range=(1980, 1989)).values_list("person", flat=True))
        return len(young) * 100 / len(people)

    f = compute("cadres.middle_80s_share_change", company, Y2022)
    expected = share(dt.date(2022, 12, 31)) - share(dt.date(2021, 12, 31))
    assert abs(float(f.value) - expected) < 0.06
    assert f.value > 0


def test_talk_coverage_and_who_is_missing(company):
    f = compute("integrity.talk_coverage", company, Y2022)
    assert f.value == 100 and f.detail["required"] > 150
    assert not missing_people("integrity.talk_coverage", company, Y2022).exists()


def test_a_subtree_figure_is_within_the_whole(company):
    plant = Unit.objects.get(code="JH01-P03")
    whole = compute("branch.activities", company, Y2022).value
    part = compute("branch.activities", plant, Y2022).value
    assert 0 < part < whole


def test_metric_api_is_scoped(api_as, company):
    r = api_as("zhibu").get(f"/api/metrics/branch.activities/?unit={company.pk}&year=2022")
    assert r.status_code == 404
    own = api_as("zhibu").get("/api/metrics/branch.activities/?year=2022").json()
    whole = api_as("dangban").get(f"/api/metrics/branch.activities/?unit={company.pk}&year=2022").json()
    assert 0 < int(own["value"]) < int(whole["value"])
    assert len(whole["record_ids"]) == 500 and whole["records_total"] == int(whole["value"]) > 500
    ids, answer, pages = [], whole, 0
    while True:  # every record behind the figure, a page at a time, each once
        ids += answer["record_ids"]
        pages += 1
        if answer["next"] is None:
            break
        assert answer["next"].startswith("http://testserver/api/metrics/branch.activities/?")
        answer = api_as("dangban").get(answer["next"]).json()
    assert len(ids) == len(set(ids)) == int(whole["value"]) and ids == sorted(ids)
    assert pages == -(-int(whole["value"]) // 500)
    last = api_as("dangban").get(f"/api/metrics/branch.activities/?unit={company.pk}&year=2022&limit=5000").json()
    assert last["record_ids"] == ids and last["next"] is None and last["hidden_records"] == 0
    beyond = api_as("dangban").get(f"/api/metrics/branch.activities/?unit={company.pk}&year=2022&offset=99999").json()
    assert beyond["record_ids"] == [] and beyond["records_total"] == int(whole["value"]) and beyond["next"] is None
    bad = api_as("dangban").get(f"/api/metrics/branch.activities/?unit={company.pk}&year=2022&limit=0")
    assert bad.status_code == 400 and "翻页参数无效" in bad.json()["detail"][0]


def test_metric_api_rejects_bad_periods(api_as):
    r = api_as("dangban").get("/api/metrics/branch.activities/?date_from=2022-13-01&date_to=2022-01-01")
    assert r.status_code == 400 and "期间参数无效" in r.json()["detail"][0]
    assert api_as("dangban").get("/api/metrics/no.such/").status_code == 404
    assert len(api_as("dangban").get("/api/metrics/").json()) == len(catalogue.CATALOGUE)


def test_confidential_records_are_counted_but_not_listed(api_as, company):
    from lvzhi.integrity.models import IntegrityTalk
    from lvzhi.org.models import Person

    person = Person.objects.filter(unit__code__startswith="JH01-P01").first()
    talk = IntegrityTalk.objects.create(unit=company, kind="admonition", date=dt.date(2022, 6, 1), title="诫勉")
    talk.people.add(person)
    assert compute("integrity.accountability", company, Y2022).value is not None
    from lvzhi.metrics.catalogue import Metric
    from lvzhi.metrics.compute import _simple

    m = Metric("test.admonitions", "诫勉谈话", "次", "integrity_talk", filter={"kind": "admonition"})
    f = _simple(m, company, Y2022)
    from lvzhi.org.models import User
    from lvzhi.org.scoping import scope_for

    assert f.value >= 1
    assert not f.visible_records(scope_for(User.objects.get(username="dangban"))).filter(pk=talk.pk).exists()
    assert f.visible_records(scope_for(User.objects.get(username="jiwei"))).filter(pk=talk.pk).exists()


def test_metrics_pages_render(client_as, company):
    c = client_as("shuji")
    r = c.get("/metrics/?year=2022")
    assert r.status_code == 200 and "班子集中跟进学习次数" in r.content.decode()
    r = c.get(f"/metrics/study.follow_up/records/?unit={company.pk}&year=2022")
    assert r.status_code == 200 and "班子集中跟进学习" in r.content.decode()
