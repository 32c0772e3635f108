"""One “today” for every default: LVZHI_AS_OF pins the date of new forms, the 定稿 time, checks and metrics."""

import datetime as dt

from lvzhi.web import clock


def test_pinned_today_drives_now_and_defaults(settings):
    settings.LVZHI_AS_OF = "2023-01-10"
    assert clock.today() == dt.date(2023, 1, 10)
    moment = clock.now()
    assert moment.date() == dt.date(2023, 1, 10) and moment.tzinfo is not None
    settings.LVZHI_AS_OF = ""
    assert clock.now().date() == clock.today()


def test_engine_and_integrity_default_to_the_configured_today(settings, db):
    from lvzhi.integrity.models import Rectification
    from lvzhi.obligations.selectors import warnings_for
    from lvzhi.org.scoping import Scope

    settings.LVZHI_AS_OF = "2022-03-01"
    _, evaluations = warnings_for(Scope.everything())
    assert evaluations and {ev.as_of for ev in evaluations} == {dt.date(2022, 3, 1)}
    r = Rectification(deadline=dt.date(2022, 2, 15), status="open")
    assert r.is_overdue()  # 1 March 2022 is after the deadline
    settings.LVZHI_AS_OF = "2022-02-10"
    assert not r.is_overdue()
