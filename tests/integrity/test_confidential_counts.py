"""Counts that protect people: the narrowing attacks — one day, a sliding window, an open period, one small branch,
a larger unit minus its parts, one kind — get 【保密】 instead of a count for roles without confidential rights,
on an organisation built here (not the demo company), while 纪委 keeps every figure."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from lvzhi.integrity.models import Accountability, IntegrityTalk
from lvzhi.metrics import catalogue
from lvzhi.metrics.selectors import touches_confidential
from lvzhi.org.access import grant_seed_role
from lvzhi.org.models import Person, Role, RoleAssignment, Unit, User
from lvzhi.records.disclosure import disclosable, disclosable_units

pytestmark = pytest.mark.django_db
K = 50


@pytest.fixture
def org(settings):
    """试验集团 → 试验公司 (5 people of its own) → 甲厂 (车间一 20, 车间二 40) and 乙厂 (60): 3 问责 in 2022."""
    settings.CONFIDENTIAL_MIN_PEOPLE = K
    settings.CONFIDENTIAL_PERIOD_MONTHS = 3
    settings.LVZHI_AS_OF = "2023-03-10"
    def add(parent, code, name, kind):
        node = Unit(code=code, name=name, kind=kind)
        return Unit.objects.add_root(instance=node) if parent is None else \
            Unit.objects.add_child(Unit.objects.get(pk=parent.pk), instance=node)

    root = add(None, "SY", "试验集团", "group")
    company = add(root, "SY01", "试验公司", "company")
    plant_a, plant_b = add(company, "SY01-A", "甲厂", "plant"), add(company, "SY01-B", "乙厂", "plant")
    w1, w2 = add(plant_a, "SY01-A1", "甲厂车间一", "workshop"), add(plant_a, "SY01-A2", "甲厂车间二", "workshop")
    people = []
    for unit, n in ((company, 5), (w1, 20), (w2, 40), (plant_b, 60)):
        people += [Person(code=f"{unit.code}-{i:03d}", name=f"试验{unit.code[-2:]}{i}", gender="male", unit=unit,
                          pinyin="shiyan", pinyin_initials="sy") for i in range(n)]
    Person.objects.bulk_create(people)
    first = {u.pk: Person.objects.filter(unit=u).first() for u in (company, w1, plant_b)}
    for unit, day, form in ((w1, dt.date(2022, 6, 14), "criticism"), (plant_b, dt.date(2022, 2, 3), "admonition"),
                            (company, dt.date(2022, 11, 20), "criticism")):
        Accountability.objects.create(unit=unit, person=first[unit.pk], date=day, reason="试验事由", form=form)
    talker = first[company.pk]
    for kind in ("routine", "admonition"):
        t = IntegrityTalk.objects.create(unit=plant_b, kind=kind, date=dt.date(2022, 5, 5), talker=talker, title=kind)
        t.people.set([talker])
    clerk = User.objects.create(username="sy_dangban")
    RoleAssignment.objects.create(user=clerk, unit=company, role=Role.ORGANIZER)
    discipline = User.objects.create(username="sy_jiwei")
    with transaction.atomic():
        grant_seed_role(discipline, company, Role.DISCIPLINE)
    return {"company": company, "a": plant_a, "b": plant_b, "w1": w1, "w2": w2}


def figure(api_as, user, unit, **period):
    query = "&".join(f"{k}={v}" for k, v in {"unit": unit.pk, **period}.items())
    r = api_as(user).get(f"/api/metrics/integrity.accountability/?{query}")
    assert r.status_code == 200
    return r.json()


def test_a_single_day_is_withheld(org, api_as):
    day = {"date_from": "2022-06-14", "date_to": "2022-06-14"}
    clerk = figure(api_as, "sy_dangban", org["company"], **day)
    assert clerk["value"] is None and clerk["hidden_records"] is None and "整季度" in clerk["withheld"]
    assert clerk["missing"] == "" and clerk["detail"] == {}
    assert figure(api_as, "sy_jiwei", org["company"], **day)["value"] == "1"  # 纪委 sees the records anyway


def test_a_sliding_window_is_withheld_and_whole_quarters_are_given(org, api_as):
    sliding = figure(api_as, "sy_dangban", org["company"], date_from="2022-01-15", date_to="2022-04-14")
    assert sliding["value"] is None and sliding["withheld"].startswith("【保密】")
    q2 = figure(api_as, "sy_dangban", org["company"], date_from="2022-04-01", date_to="2022-06-30")
    assert q2["value"] == "1" and q2["hidden_records"] == 1 and q2["withheld"] == ""
    assert figure(api_as, "sy_dangban", org["company"], year=2022)["value"] == "3"


def test_a_period_not_over_yet_is_withheld(org, api_as, settings):
    settings.LVZHI_AS_OF = "2022-08-15"
    assert "尚未结束" in figure(api_as, "sy_dangban", org["company"], year=2022)["withheld"]
    assert figure(api_as, "sy_dangban", org["company"], date_from="2022-04-01", date_to="2022-06-30")["value"] == "1"


def test_a_small_branch_is_withheld(org, api_as):
    small = figure(api_as, "sy_dangban", org["w1"], year=2022)
    assert small["value"] is None and "少于 50 人" in small["withheld"]


def test_a_unit_minus_its_parts_cannot_isolate_a_few_people(org, api_as):
    """试验公司 (125) − 甲厂 (60) − 乙厂 (60) would be the 5 people of the company's own staff: one plant is withheld."""
    given_ = {name: figure(api_as, "sy_dangban", org[name], year=2022)["value"] is not None
              for name in ("company", "a", "b", "w1", "w2")}
    assert given_["company"] and not (given_["a"] and given_["b"]) and (given_["a"] or given_["b"])
    assert not given_["w1"] and not given_["w2"]
    assert disclosable_units() >= {org["company"].pk}


def test_the_list_note_follows_the_same_rules(org, client_as):
    c = client_as("sy_dangban")
    base = "/records/accountability/"
    assert "另有 3 条保密记录" in c.get(base, {"unit": org["company"].pk, "year": 2022}).content.decode()
    for narrowing, why in (({"unit": org["w1"].pk, "year": 2022}, "少于 50 人"),
                           ({"unit": org["company"].pk, "year": 2022, "kind": "criticism"}, "按类型筛选"),
                           ({"unit": org["company"].pk, "year": 2023}, "尚未结束")):
        html = c.get(base, narrowing).content.decode()
        assert "保密记录数：【保密】" in html and why in html and "另有" not in html, narrowing
    # all years: counted up to the end of the last finished quarter, and says so
    html = c.get(base, {"unit": org["company"].pk}).content.decode()
    assert "另有 3 条保密记录（截至2022年12月31日）" in html
    # a kind that is never confidential: no note at all; one that always is: 【保密】
    talks = "/records/integrity_talk/"
    assert "保密记录" not in c.get(talks, {"unit": org["company"].pk, "year": 2022, "kind": "routine"}).content.decode()
    assert "【保密】" in c.get(talks, {"unit": org["company"].pk, "year": 2022, "kind": "admonition"}).content.decode()
    assert "保密记录" not in client_as("sy_jiwei").get(base, {"unit": org["w1"].pk, "year": 2022}).content.decode()


def test_the_metric_pages_follow_the_same_rules(org, client_as):
    label = catalogue.get("integrity.accountability").label
    small = client_as("sy_dangban").get("/metrics/", {"unit": org["w1"].pk, "year": 2022}).content.decode()
    row = small[small.index(label):small.index("</tr>", small.index(label))]
    assert row.count("【保密】") == 5  # five years, a branch of 20 people
    records = client_as("sy_dangban").get("/metrics/integrity.accountability/records/",
                                          {"unit": org["w1"].pk, "year": 2022}).content.decode()
    assert "【保密】" in records and "另有" not in records
    big = client_as("sy_dangban").get("/metrics/integrity.accountability/records/",
                                      {"unit": org["company"].pk, "year": 2022}).content.decode()
    assert "问责人数：3人" in big and "另有 3 条保密记录计入该数字" in big
    open_ = client_as("sy_jiwei").get("/metrics/", {"unit": org["w1"].pk, "year": 2022}).content.decode()
    assert "【保密】" not in open_[open_.index(label):open_.index("</tr>", open_.index(label))]


def test_which_metrics_count_confidential_rows():
    assert touches_confidential("integrity.accountability") and touches_confidential("integrity.findings")
    assert touches_confidential("integrity.rectification_rate")
    assert not touches_confidential("integrity.routine_talks") and not touches_confidential("integrity.talk_coverage")
    assert not touches_confidential("branch.activities")


@st.composite
def trees(draw):
    n = draw(st.integers(1, 25))
    parents = {0: None}
    for pk in range(1, n):
        parents[pk] = draw(st.integers(0, pk - 1))
    own = {pk: draw(st.sampled_from([0, 1, 3, 10, 20, 49, 50, 60, 200])) for pk in parents}
    return parents, own, draw(st.sampled_from([1, 10, 50]))


@given(trees())
@hsettings(max_examples=300, deadline=None)
def test_no_difference_of_given_counts_covers_fewer_than_the_minimum(tree):
    """For every unit whose count is given: its subtree has at least k people, and what is left after subtracting
    its nearest given descendants is nobody or at least k people."""
    parents, own, k = tree
    given_ = disclosable(parents, own, k)
    children = {pk: [c for c, p in parents.items() if p == pk] for pk in parents}

    def size(pk):
        return own[pk] + sum(size(c) for c in children[pk])

    def frontier(pk):
        return [d for c in children[pk] for d in ([c] if c in given_ else frontier(c))]

    for pk in given_:
        assert size(pk) >= k
        rest = size(pk) - sum(size(d) for d in frontier(pk))
        assert rest == 0 or rest >= k, (pk, rest)
    # the top of a tree large enough is always given (the company's figure is the one that matters)
    assert (size(0) >= k) == (0 in given_)
