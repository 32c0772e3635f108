import datetime as dt

import pytest

from lvzhi.appraisal import services
from lvzhi.org.scoping import Scope

from . import builders

EVERYTHING = Scope.everything()


@pytest.fixture
def inst(db):
    return builders.institute()


@pytest.fixture
def make(inst):
    """make(groups=[(name, weight, expected)], indicators=[…]) → an open appraisal of the institute for 2022."""

    def build(groups=(("党委委员", 40, 6), ("职工代表", 60, 6)), indicators=(), **settings):
        a = services.create_appraisal(unit=inst.root, year=2022, meeting_date=dt.date(2023, 1, 15), actor="测试",
                                      scope=EVERYTHING, groups=list(groups), indicators=list(indicators))
        if settings:
            services.update_settings(a, actor="测试", scope=EVERYTHING, **settings)
        services.set_status(a, "open", actor="测试", scope=EVERYTHING)
        return a

    return build


@pytest.fixture
def vote():
    """vote(a, group_name, [rating per reportee in order or None], indicators={…}) casts one online ballot."""

    def cast(a, group_name, ratings, indicators=None):
        group = a.groups.get(name=group_name)
        code = services.issue_codes(a, group, 1, actor="测试", scope=EVERYTHING)[0]
        reps = list(a.reportees.all())
        marks = {}
        for r, value in zip(reps, ratings, strict=False):
            marks[str(r.pk)] = {services.OVERALL: value or ""}
            for ind_name, v in (indicators or {}).items():
                marks[str(r.pk)][str(a.indicators.get(name=ind_name).pk)] = v
        return services.cast_ballot(a, code, marks)

    return cast


def close(a):
    services.set_status(a, "closed", actor="测试", scope=EVERYTHING, today=dt.date(2023, 1, 15))
