import datetime as dt

import pytest

from lvzhi.org.models import Unit
from lvzhi.reports import services, templating


@pytest.fixture
def builtin_body(db):
    return services.builtin_template().body


@pytest.fixture
def render_company(builtin_body):
    def render(year=2022, unit_code="JH01", **kwargs):
        unit = Unit.objects.get(code=unit_code)
        return templating.render(kwargs.pop("body", builtin_body), unit=unit, year=year,
                                 secretary=services.default_secretary(unit, dt.date(year + 1, 1, 10)), **kwargs)

    return render
