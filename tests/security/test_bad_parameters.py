"""Whatever a visitor types into a query string or a form field, a page answers without a server error: malformed
ids, years and dates fall back to defaults or give 404 (lvzhi.web.params). The API's parameters are fuzzed by
test_api_fuzz.py."""

import pytest

pytestmark = pytest.mark.django_db

VALUES = ["abc", "²", "9" * 30, "-1", "0", "99999", "9999-12-31", "0001-01-01", "2022-02-30", "1.5", "%00",
          "'; DROP TABLE org_unit; --", "<script>alert(1)</script>", "", "１２"]
PARAMS = ["unit", "year", "as_of", "start", "end", "page", "q", "kind", "state", "date", "rule", "subject", "period",
          "model", "actor", "subtree", "fmt"]
PAGES = ["/", "/records/study_session/", "/records/rectification/", "/imports/study_session/export.xlsx",
         "/metrics/", "/metrics/integrity.accountability/records/", "/obligations/warnings/", "/obligations/dashboard/",
         "/obligations/dashboard/export.xlsx", "/obligations/dashboard/rule/", "/obligations/cell/", "/obligations/missing/", "/obligations/rules/",
         "/obligations/rules/branch.committee_meeting/versions/", "/audit/", "/org/tree/", "/org/people/lookup/",
         "/reports/", "/reports/templates/"]


def test_no_query_string_breaks_a_page(client_as):
    c = client_as("dangban")
    for page in PAGES:
        for value in VALUES:
            r = c.get(page, {p: value for p in PARAMS})
            assert r.status_code < 500 and r.status_code in (200, 302, 404), (page, value, r.status_code)


def test_no_form_value_breaks_a_write(client_as, contact_plant):
    from lvzhi.org.scoping import Scope
    from lvzhi.reports import services
    from lvzhi.reports.models import ReportTemplate

    c = client_as("shuji")
    report = services.create_report(unit=contact_plant, year=2022, template=services.builtin_template(),
                                    actor="测试", scope=Scope.everything())
    template = ReportTemplate.objects.order_by("pk").first()
    for value in VALUES:
        for url, data in (("/unit/switch/", {"unit": value, "next": value}),
                          (f"/org/units/{contact_plant.pk}/move/", {"parent": value}),
                          ("/reports/", {"template": value, "year": value}),
                          (f"/reports/{report.pk}/text/", {"version": value, "report_date": value, "writer_x": value}),
                          (f"/reports/templates/{template.pk}/", {"name": value, "body": value}),
                          ("/records/study_session/new/", {"unit": value, "kind": value, "date": value, "title": value,
                                                           "attendees": value, "speaker": value})):
            r = c.post(url, data)
            assert r.status_code in (200, 302, 404), (url, value, r.status_code)
