"""The pages: scoped (404 outside the user's units, 403 without the right to organise), the anonymous rating page,
and the spreadsheets."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from lvzhi.appraisal import services
from lvzhi.appraisal.models import Ballot

from .conftest import EVERYTHING

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_appraisal(company):
    a = services.create_appraisal(unit=company, year=2021, meeting_date=dt.date(2022, 1, 14), actor="测试",
                                  scope=EVERYTHING, groups=[("党委委员", 50, 5), ("党员代表", 50, 2)])
    services.set_status(a, "open", actor="测试", scope=EVERYTHING)
    return a


def test_scoped_pages(demo_appraisal, make, client_as):
    a = demo_appraisal
    other = make()  # the institute: nobody of the demo company may see it
    shuji, zhibu, chakan = client_as("shuji"), client_as("zhibu"), client_as("chakan")
    assert shuji.get(f"/appraisal/{a.pk}/").status_code == 200
    assert shuji.get(f"/appraisal/{other.pk}/").status_code == 404
    assert zhibu.get(f"/appraisal/{a.pk}/").status_code == 404  # a branch secretary's scope is the workshop
    assert chakan.get(f"/appraisal/{a.pk}/").status_code == 200
    assert chakan.post(f"/appraisal/{a.pk}/status/", {"status": "closed"}).status_code == 403
    assert shuji.get(f"/appraisal/{a.pk}/results.xlsx").status_code == 404  # not closed: no results
    page = shuji.get("/appraisal/").content.decode()
    assert a.title in page and other.title not in page
    assert Client().get(f"/appraisal/{a.pk}/").status_code == 302  # sign in first


def test_online_vote_on_the_anonymous_page_and_results(demo_appraisal, client_as):
    a = demo_appraisal
    group = a.groups.get(name="党委委员")
    shuji = client_as("dangban")
    page = shuji.post(f"/appraisal/{a.pk}/codes/", {"group": group.pk, "names": "张一\n李二\n王三\n赵四\n钱五\n孙六"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    codes = re.findall(r'class="code">([A-Z0-9]{5}-[A-Z0-9]{5})<', page.content.decode())
    assert len(codes) == 6
    reps = list(a.reportees.all())
    voter = Client(enforce_csrf_checks=False)
    step1 = voter.post("/appraisal/vote/", {"code": codes[0]})
    assert step1.status_code == 200 and reps[0].person.name in step1.content.decode()
    data = {"code": codes[0], "step": "cast", f"r{reps[0].pk}": "好", f"r{reps[1].pk}": "较好"}
    done = voter.post("/appraisal/vote/", data)
    assert "测评已提交" in done.content.decode()
    assert voter.post("/appraisal/vote/", data).status_code == 400  # used
    assert Ballot.objects.filter(appraisal=a).count() == 1
    for c in codes[1:5]:
        voter.post("/appraisal/vote/", {"code": c, "step": "cast", f"r{reps[0].pk}": "一般"})
    shuji.post(f"/appraisal/{a.pk}/status/", {"status": "closed"})
    a.refresh_from_db()
    assert a.status == "closed"
    detail = shuji.get(f"/appraisal/{a.pk}/").content.decode()
    assert "测评结果" in detail and "计算说明" in detail
    wb = load_workbook(io.BytesIO(shuji.get(f"/appraisal/{a.pk}/results.xlsx").content))
    ws = wb["测评汇总表"]
    header = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[1] == reps[0].person.name)
    assert row[header.index("好")] == 1 and row[header.index("一般")] == 4 and row[header.index("有效票")] == 5
    assert shuji.post("/appraisal/vote/", {"code": codes[5], "step": "cast"}).status_code == 400  # closed: void
