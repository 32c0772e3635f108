"""A record list's rows are built in Python (records.listing._row_html) as the template's row markup rendered them:
every record type of the demo, with 补录 badges (records entered long after their date), list states (整改), links,
numbers, dates and names needing escapes."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone

from lvzhi.records import registry, selectors
from lvzhi.records.listing import table as _table

pytestmark = pytest.mark.django_db

# records/_table.html's row before the rows were built in Python: the reference
ROW = ("""<tr{% if row.state %} class="state-{{ row.obj.row_state }}"{% endif %}>{% if row.url and row.first is not None %}"""
       """<td><a href="{{ row.url }}">{{ row.first }}</a>{% if row.backfill %} <span class="badge backfill" title="录入日期 """
       """{{ row.obj.created_at|date:'Y-m-d' }}，晚于记录日期 {{ backfill_days|default:30 }} 天以上">补录</span>{% endif %}"""
       """</td>{% endif %}{% for c in row.rest %}<td>{{ c }}</td>{% endfor %}{% if row.state %}<td><span class="badge """
       """{{ row.state.1 }}">{{ row.state.0 }}</span></td>{% endif %}</tr>""")


def test_rows_match_the_template_markup(users):
    from lvzhi.org.scoping import scope_for
    from lvzhi.partybuilding.models import BranchActivity

    template = engines["django"].from_string(ROW)
    # some activities entered long after their date (补录), one with a name that needs escaping
    late = list(BranchActivity.objects.order_by("pk")[:3])
    for a in late:
        BranchActivity.objects.filter(pk=a.pk).update(created_at=timezone.make_aware(
            dt.datetime.combine(a.date + dt.timedelta(days=90), dt.time(23, 30))))
    BranchActivity.objects.filter(pk=late[0].pk).update(title='<b>"学习" & 讨论</b>')
    scope = scope_for(users["shuji"])
    today = dt.date(2030, 1, 1)
    compared = badges = states = 0
    for rt in registry.all_types():
        objs = list(selectors.with_related(rt, selectors.ordered(rt, selectors.visible(rt, scope), today))[:30])
        for days in (None, 0, 45):
            table = _table(rt, objs, today, days)
            for row in table["rows"]:
                expected = template.render({"row": row, "backfill_days": days})
                assert row["html"] == expected, (rt.key, row["obj"].pk)
                compared += 1
                badges += bool(row["backfill"])
                states += bool(row["state"])
    assert compared > 500 and badges >= 3 and states > 0


def test_list_rows_read_no_more_queries_than_with_every_relation(users):
    """The list page fetches only its shown columns' relations: its rows then cost no query more than before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lvzhi.org.scoping import scope_for

    scope = scope_for(users["shuji"])
    for rt in registry.all_types():
        counted = []
        for fields in (None, rt.list_columns):
            with CaptureQueriesContext(connection) as queries:
                objs = list(selectors.with_related(rt, selectors.ordered(rt, selectors.visible(rt, scope)), fields)[:50])
                html = [row["html"] for row in _table(rt, objs, dt.date(2030, 1, 1), None)["rows"]]
            counted.append((len(queries), html))
        assert counted[1][0] <= counted[0][0] and counted[1][1] == counted[0][1], rt.key


CARDS = ("""{% for c in counts %}<a class="stat" href="{% url 'records:list' c.rt.key %}?year={{ year }}"><div class="n">"""
         """{{ c.n }}</div><div class="l">{{ c.rt.verbose_name }}</div></a>{% endfor %}""")
BACKFILLED = """{% for b in backfilled %}<tr><td>{{ b.unit }}</td><td class="num">{{ b.n }}</td></tr>{% endfor %}"""
UNITS = ("""{% for row in tree %}<tr><td style="padding-left:{{ row.indent|add:1 }}em"><a href="{% url 'org:unit' row.unit.pk %}">"""
         """{{ row.unit.name }}</a></td>\n    <td>{{ row.unit.get_kind_display }} · {{ row.unit.get_category_display }}</td>"""
         """<td class="num">{{ row.branches }}</td><td class="num">{{ row.members }}</td></tr>{% endfor %}""")


def test_workbench_cards_and_unit_rows_match_the_template_markup(users, settings):
    from lvzhi.org.models import Unit
    from lvzhi.org.scoping import scope_for
    from lvzhi.org.selectors import top_units
    from lvzhi.web import fragments, selectors

    settings.USE_THOUSAND_SEPARATOR = True  # numbers localised alike (12,345)
    top = top_units(scope_for(users["shuji"])).first()
    Unit.objects.filter(pk=top.pk).update(name='<i>"总部"</i> & 机关')
    scope = scope_for(users["shuji"])
    for user, year in (("shuji", 2022), ("zhibu", 2023), ("dangban", 12345)):
        scope = scope_for(users[user])
        unit = top_units(scope).first()
        counts = [{"rt": registry.get(key), "n": n * 1001} for key, n in selectors.year_counts(scope, unit, 2022)]
        tree = selectors.home_tree.__wrapped__(scope, unit)
        assert counts and tree
        context = {"counts": counts, "year": year, "tree": tree}
        assert fragments.count_cards(counts, year) == engines["django"].from_string(CARDS).render(context)
        assert fragments.unit_rows(tree) == engines["django"].from_string(UNITS).render(context)
    backfilled = [{"unit": '<b>"一"</b> & 二', "n": 12345}, {"unit": "三", "n": 0}]
    assert fragments.backfill_rows(backfilled) == engines["django"].from_string(BACKFILLED).render({"backfilled": backfilled})


def test_fragments_rendered_once_follow_every_value(users):
    """The report page's side lists are reused by their values: a change anywhere in them renders anew."""
    from django.template.loader import render_to_string

    from lvzhi.reports.suggest import Paragraph, Suggestion
    from lvzhi.web import fragments

    evidence = [{"key": "late", "title": "逾期", "items": [
        {"text": '<b>"甲"</b>', "url": "/x/", "state": "open", "state_label": "未完成",
         "records": [{"text": "记录", "url": "/r/1/"}]}]}, {"key": "open", "title": "整改", "items": []}]
    context = {"evidence": evidence, "can_write": True, "report": {"pk": 1, "is_final": False}, "writer_sections": True}
    first = fragments.rendered("reports/_evidence.html", context)
    assert first == render_to_string("reports/_evidence.html", context) and "data-insert-evidence" in first
    evidence[0]["items"][0]["records"][0]["text"] = "另一条记录"
    second = fragments.rendered("reports/_evidence.html", context)
    assert "另一条记录" in second and second == render_to_string("reports/_evidence.html", context)
    assert "data-insert-evidence" not in fragments.rendered("reports/_evidence.html", {**context, "can_write": False})
    suggestions = [Suggestion("problems", "存在的问题和不足", [Paragraph("一段", [{"text": "依据", "url": "/c/"}])])]
    context = {"suggestions": suggestions, "can_write": True, "report": {"pk": 7, "is_final": False}, "llm": True}
    assert fragments.rendered("reports/_suggestions.html", context) == render_to_string("reports/_suggestions.html", context)
    suggestions[0].paragraphs[0].cites[0]["url"] = "/d/"
    assert 'href="/d/"' in fragments.rendered("reports/_suggestions.html", context)
    # a model object is not plain data: rendered each time, still right
    context = {**context, "report": users["shuji"]}
    assert fragments.rendered("reports/_suggestions.html", context) == render_to_string("reports/_suggestions.html", context)


def test_fragment_keys_tell_apart_what_renders_apart():
    from django.utils.safestring import mark_safe

    from lvzhi.web.fragments import _plain_key

    def key(v):
        return repr(_plain_key(v))

    assert len({key(v) for v in ("1", 1, True, 1.0, mark_safe("1"), ["1"], ("1",), {"a": "1"}, None)}) == 9
    with pytest.raises(TypeError):
        _plain_key({"unit": object()})
