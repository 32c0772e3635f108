"""A list page's table: headers and rows already rendered (50 rows × 5 columns a page), and the page of rows
reused as a whole while the tables it read are unchanged (``page_rows``) — rendering them was most of the record
list's CPU per request (10 ms on the province)."""

from __future__ import annotations

import datetime as dt

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from lvzhi.web import fragments
from lvzhi.web.datacache import reused

from . import backfill, cells

PER_PAGE = 50


@reused("records.page_rows")
def page_rows(rt, qs, number: int, today: dt.date, backfill_days) -> dict:
    """The headers and the rendered rows of page ``number`` of ``qs`` (the query holds the reader's scope and the
    order; ``today`` decides the 补录 marks)."""
    start = (number - 1) * PER_PAGE
    shown = table(rt, qs[start:start + PER_PAGE], today, backfill_days)
    return {"headers": shown["headers"], "rows": [{"html": row["html"]} for row in shown["rows"]]}


def table(rt, objs, today=None, backfill_days=None) -> dict:
    """Headers and formatted rows of a list of records (the list page and a parent's detail page): each cell
    already as shown — the first with its link, the others cut to 40 characters — since the template's
    per-cell filters and URL tags cost more than the rows' query (50 rows × 5 columns a page)."""
    by_field = {c.field: c for c in rt.columns}
    columns = [by_field[f] for f in rt.list_columns if f in by_field]
    headers = [rt.header(c) for c in columns]
    if rt.list_state is not None:
        headers.append(rt.list_state.header)
    # one reverse() for the page: the detail URL with the key's place marked, filled per row
    marker = 987654321
    detail_url = reverse("records:detail", args=[rt.key, marker])
    marks_backfill = today is not None and backfill.applies(rt)
    rows = []
    for o in objs:
        state = rt.list_state.labels.get(getattr(o, "row_state", None)) if rt.list_state is not None else None
        shown = [cells.display_cell(rt, c, o) for c in columns]
        row = {"obj": o, "url": detail_url.replace(str(marker), str(o.pk)),
               "first": (shown[0] or "（未填）") if shown else None,
               "rest": [_cut(v) for v in shown[1:]], "state": state,
               "backfill": marks_backfill and backfill.is_backfill(rt, o, today)}
        row["html"] = _row_html(row, backfill_days)
        rows.append(row)
    return {"headers": headers, "rows": rows}


def _row_html(row: dict, backfill_days) -> str:
    """One ``<tr>`` of records/_table.html, as its row markup rendered it (kept here: 50 rows × ~10 template nodes
    cost more than the page's queries)."""
    state = row["state"]
    out = [f'<tr class="state-{fragments.out(row["obj"].row_state)}">' if state else "<tr>"]
    if row["url"] and row["first"] is not None:
        out.append(f'<td><a href="{fragments.out(row["url"])}">{fragments.out(row["first"])}</a>')
        if row["backfill"]:
            created = date_filter(localtime(row["obj"].created_at), "Y-m-d")
            out.append(f' <span class="badge backfill" title="录入日期 {fragments.out(created)}，晚于记录日期 '
                       f'{fragments.out(backfill_days or 30)} 天以上">补录</span>')
        out.append("</td>")
    out.extend(f"<td>{fragments.out(c)}</td>" for c in row["rest"])
    if state:
        out.append(f'<td><span class="badge {fragments.out(state[1])}">{fragments.out(state[0])}</span></td>')
    out.append("</tr>")
    return mark_safe("".join(out))


CUT = 40  # characters of a cell in a list (the rest on the record's page)


def _cut(value) -> str:
    """``value|truncatechars:40``, without the template filter's cost for the many values that fit."""
    from django.utils.text import Truncator

    text = str(value)  # as the filter did (it is a string filter)
    return text if len(text) <= CUT else Truncator(text).chars(CUT)
