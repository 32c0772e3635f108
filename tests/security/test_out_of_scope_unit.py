"""One rule at every door: a unit outside the user's scope does not exist for them. Pages and API answer 404 (never
a quiet fallback to the user's own unit), the command line refuses with the same words. The branch secretary
(zhibu) sees their branch only; the company JH01 lies above it."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

PAGES = ["/records/study_session/?unit={pk}", "/records/branch_activity/?unit={pk}&year=2022", "/metrics/?unit={pk}",
         "/metrics/integrity.accountability/records/?unit={pk}&year=2022", "/obligations/dashboard/?unit={pk}",
         "/obligations/dashboard/rule/?unit={pk}&rule=branch.committee_meeting",
         "/obligations/dashboard/export.xlsx?unit={pk}", "/imports/study_session/export.xlsx?unit={pk}"]
API = ["/api/metrics/committee.meetings/?unit={pk}&year=2022", "/api/checks/?unit={pk}&year=2022",
       "/api/units/{pk}/"]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_answers_404_for_a_unit_outside_the_scope(client_as, company, url):
    c = client_as("zhibu")
    assert c.get(url.format(pk=company.pk)).status_code == 404
    own = client_as("dangban")  # the same page for someone whose scope holds the unit
    assert own.get(url.format(pk=company.pk)).status_code == 200


@pytest.mark.parametrize("url", API)
def test_the_api_answers_404_for_a_unit_outside_the_scope(api_as, company, url):
    assert api_as("zhibu").get(url.format(pk=company.pk)).status_code == 404
    assert api_as("dangban").get(url.format(pk=company.pk)).status_code == 200


@pytest.mark.parametrize("command", [["check_obligations", "--year", "2022", "--unit", "JH01"],
                                     ["report", "--year", "2022", "--unit", "JH01", "--format", "md"],
                                     ["export", "--all", "--unit", "JH01"]])
def test_the_command_line_refuses_a_unit_outside_the_scope(command, tmp_path):
    with pytest.raises(CommandError, match="找不到单位“JH01”，或无权访问"):
        call_command(*command, "--user", "zhibu", "--out", str(tmp_path / "out.x"))
