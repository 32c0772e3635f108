"""Reads of a report that take a while: its draft's preview, reused while the data is unchanged."""

from __future__ import annotations

from lvzhi.web.datacache import reused

from . import html_render, services
from .models import DutyReport


@reused("reports.preview", subtree=lambda args: args["report"].unit)
def preview(report: DutyReport) -> tuple[str, list]:
    """The draft rendered now: its HTML and the template's warnings (raises ``TemplateProblem``)."""
    document = services.render_document(report)
    return html_render.to_html_fragment(document, report.year), list(document.warnings)
