"""What the pages build once and reuse (BENCHMARKS.md 4, branch pg4) still says what it said when each request
built it: the unit switcher (the reader's units, the current one selected, names escaped, a new unit at once),
a record list's cells (cut to 40 characters, the first a link to the record), the metric API's answer (the
same JSON as a direct computation, and a new one after a write)."""

import html
import json
import re

import pytest
from django.utils.text import Truncator

pytestmark = pytest.mark.django_db


def _options(body: str) -> list[tuple[str, bool, str]]:
    select = re.search(r'<select name="unit".*?</select>', body, re.S).group(0)
    return [(pk, bool(sel), html.unescape(label))
            for pk, sel, label in re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', select)]


def test_switcher_lists_the_readers_units_with_the_current_one_selected(client_as, users, company):
    from lvzhi.org.models import Unit
    from lvzhi.org.scoping import scope_for
    from lvzhi.org.selectors import top_units

    c = client_as("dangban")
    scope = scope_for(users["dangban"])
    expected = []
    for top in top_units(scope)[:5]:
        for u in Unit.objects.filter(path__startswith=top.path, depth__lte=top.depth + 2).order_by("path"):
            expected.append((str(u.pk), "\u3000" * (u.depth - top.depth) + u.name))
    options = _options(c.get("/").content.decode())
    assert [(pk, label) for pk, _, label in options] == expected and len(expected) > 1
    top = top_units(scope).first()
    assert [pk for pk, sel, _ in options if sel] == [str(top.pk)]
    other = Unit.objects.get(pk=int(expected[1][0]))
    assert c.post("/unit/switch/", {"unit": other.pk, "next": "/"}).status_code == 302
    assert [pk for pk, sel, _ in _options(c.get("/").content.decode()) if sel] == [str(other.pk)]


def test_switcher_escapes_names_and_shows_a_new_unit(client_as, company):
    from lvzhi.org.models import Unit

    c = client_as("dangban")
    before = _options(c.get("/").content.decode())
    child = Unit.objects.add_child(company, instance=Unit(code="JH01-X9", name='<b>新"单位"</b>&', kind=company.kind,
                                                         category=company.category))
    body = c.get("/").content.decode()
    assert '<b>新"单位"</b>' not in body
    labels = {pk: label for pk, _, label in _options(body)}
    assert labels[str(child.pk)].strip("\u3000") == '<b>新"单位"</b>&'
    assert len(labels) == len(before) + 1
    Unit.objects.filter(pk=child.pk).delete()


def test_record_list_cells_are_cut_and_link_to_the_record(client_as, company):
    from lvzhi.records import registry

    rt = registry.get("branch_activity")
    c = client_as("dangban")
    url = f"/records/branch_activity/?unit={company.pk}"
    first_pk = int(re.search(r'href="/records/branch_activity/(\d+)/"', c.get(url).content.decode()).group(1))
    long = "支部活动内容" * 12
    rt.model.objects.filter(pk=first_pk).update(title=long, notes=long)
    body = c.get(url).content.decode()
    table = re.search(r'<table class="grid" id="records">.*?</table>', body, re.S).group(0)
    assert table.count('href="/records/branch_activity/') == 50  # every row's first cell links to its record
    assert f'href="/records/branch_activity/{first_pk}/"' in table
    cells = [html.unescape(c) for c in re.findall(r"<td>([^<]*)</td>", table)]
    assert Truncator(long).chars(40) in cells and long not in cells
    assert all(len(c) <= 40 for c in cells)


def test_metric_api_answer_is_the_direct_computation_and_follows_a_write(api_as, users, company):
    from lvzhi.metrics import catalogue
    from lvzhi.metrics.compute import Period
    from lvzhi.metrics.selectors import reader_figure
    from lvzhi.org.scoping import scope_for
    from lvzhi.records import registry

    url = f"/api/metrics/branch.activities/?unit={company.pk}&year=2022&limit=5000"  # every id on one page
    c = api_as("dangban")
    first, second = c.get(url), c.get(url)
    assert first.content == second.content
    direct = reader_figure.__wrapped__(catalogue.get("branch.activities"), company, Period.year(2022),
                                       scope_for(users["dangban"]), 0, 5000)
    assert json.loads(first.content) == json.loads(json.dumps(direct, default=str))
    rt = registry.get("branch_activity")
    obj = rt.model.objects.filter(unit__path__startswith=company.path, date__year=2022).first()
    rt.model.objects.filter(pk=obj.pk).delete()
    after = json.loads(c.get(url).content)
    assert obj.pk not in after["record_ids"] and obj.pk in json.loads(first.content)["record_ids"]
