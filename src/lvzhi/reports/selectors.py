"""Reads of a report that take a while: its draft's preview, reused while the data is unchanged."""

from __future__ import annotations

from lvzhi.metrics.catalogue import CATALOGUE
from lvzhi.metrics.compute import Period, compute_many, grouped
from lvzhi.web.datacache import reused

from . import html_render, services
from .models import DutyReport


@reused("reports.preview", subtree=lambda args: args["report"].unit)
def preview(report: DutyReport) -> tuple[str, list]:
    """The draft rendered now: its HTML and the template's warnings (raises ``TemplateProblem``)."""
    # The year's grouped figures found (or counted) here first: the render process, a fork of this one, then finds
    # them in its copy of this process's memory instead of asking this process for each — a fork lives shorter,
    # and a busy web process copies fewer of its pages for it.
    compute_many([m.id for m in CATALOGUE if grouped(m)], report.unit, Period.year(report.year), with_records=False)
    document = services.render_document(report)
    return html_render.to_html_fragment(document, report.year), list(document.warnings)
