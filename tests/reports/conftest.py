import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import override_settings

from lvzhi.appraisal.models import Appraisal, AppraisalProblem, Reportee
from lvzhi.integrity.models import Finding, Inspection, Rectification
from lvzhi.org.access import grant_seed_role
from lvzhi.org.models import PartyOrg, Person, Role, RoleAssignment, Unit, User
from lvzhi.reports import families, services, templating
from lvzhi.reports.models import DutyReport, ReportStatus


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

# --- a small organisation for the evidence and suggestions (sections 二 and 三) -----------------------------------
# 建议实业 (JY01, 党委 周书记) → 一车间 (JY01-W1, 党支部). 2022: a finding “台账不全” rectified in 2023, a finding
# “物资出库未登记” still open, last year's 述职评议 with one problem done and one open, last year's report (final) whose
# plans name both findings and one line naming nothing. 2023: one more open rectification of a finding naming a person
# (confidential: 纪委 only). Today is 2024-01-10.
PLANS_2022 = "一是抓好“台账不全”问题的整改。\n二是推动“物资出库未登记”问题整改到位。\n三是持续提升政治能力。"


@pytest.fixture
def small_org(db):
    group = Unit.objects.add_root(instance=Unit(code="JY", name="建议控股", kind="group", category="organ"))
    company = Unit.objects.add_child(group, instance=Unit(code="JY01", name="建议实业", kind="company", category="organ"))
    shop = Unit.objects.add_child(Unit.objects.get(pk=company.pk), instance=Unit(
        code="JY01-W1", name="一车间", kind="workshop", category="production"))
    company = Unit.objects.get(pk=company.pk)
    sec = Person.objects.create(code="JY-1", name="周书记", gender="male", unit=company, cadre_level="leadership")
    worker = Person.objects.create(code="JY-2", name="钱保管", gender="male", unit=shop)
    committee = PartyOrg.objects.create(code="DW-JY01", name="中共建议实业委员会", kind="committee", unit=company,
                                        secretary=sec)
    PartyOrg.objects.create(code="ZB-JY01-W1", name="一车间党支部", kind="branch", unit=shop, parent=committee,
                            secretary=sec)
    rect = {}
    for day, desc, person, done in ((dt.date(2022, 5, 9), "台账不全", None, dt.date(2023, 3, 1)),
                                    (dt.date(2022, 9, 1), "物资出库未登记", None, None),
                                    (dt.date(2023, 4, 2), "私车公养", worker, None)):
        insp = Inspection.objects.create(unit=shop, kind="other", date=day, title=f"{desc}检查")
        f = Finding.objects.create(inspection=insp, unit=shop, date=day, description=desc, person=person)
        rect[desc] = Rectification.objects.create(
            finding=f, unit=shop, owner=sec, measures="逐项整改", date=day, deadline=day + dt.timedelta(days=90),
            status="done" if done else "open", completed_on=done)
    appraisal = Appraisal.objects.create(unit=company, year=2022, title="2022年度述职评议", meeting_date=dt.date(2023, 1, 20))
    reportee = Reportee.objects.create(appraisal=appraisal, person=sec, unit=company, role="committee_secretary")
    for desc, done in (("理论学习不够深入", dt.date(2023, 6, 1)), ("谈心谈话覆盖不全", None)):
        AppraisalProblem.objects.create(reportee=reportee, unit=company, description=desc, owner=sec, measures="制定计划",
                                        date=dt.date(2023, 1, 20), deadline=dt.date(2023, 9, 30),
                                        status="done" if done else "open", completed_on=done)
    template = families.default_template(company, "annual")
    last = DutyReport.objects.create(unit=company, year=2022, template=template, secretary=sec,
                                     status=ReportStatus.FINAL, writer_texts={"plans": PLANS_2022},
                                     snapshot={"writer_texts": {"plans": PLANS_2022}})
    clerk = User.objects.create(username="jy_dangban")
    RoleAssignment.objects.create(user=clerk, unit=company, role=Role.ORGANIZER)
    discipline = User.objects.create(username="jy_jiwei")
    with transaction.atomic():
        grant_seed_role(discipline, company, Role.DISCIPLINE)
    with override_settings(LVZHI_AS_OF="2024-01-10"):
        yield {"company": company, "shop": shop, "sec": sec, "rect": rect, "last": last, "template": template,
               "clerk": clerk, "discipline": discipline, "appraisal": appraisal}


# --- a language model: a real HTTP server in a thread speaking OpenAI chat completions --------------------------
class FakeModel:
    """What the fake endpoint answers next: a reply text, a status, or a delay; and what it was asked."""

    def __init__(self):
        self.reply, self.status, self.delay, self.requests = "", 200, 0.0, []


@pytest.fixture
def fake_model():
    state = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            time.sleep(state.delay)
            data = json.dumps({"id": "x", "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": state.reply}, "finish_reason": "stop"}]}
                              if state.status == 200 else {"error": {"message": "boom"}}).encode()
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout)
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with override_settings(LLM_URL=f"http://127.0.0.1:{server.server_port}/v1", LLM_MODEL="qwen-local",
                           LLM_API_KEY="k-test", LLM_TIMEOUT=1.0):
        yield state
    server.shutdown()
    server.server_close()
