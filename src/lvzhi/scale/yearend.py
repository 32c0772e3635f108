"""The year-end bulk run: every Party organisation secretary's duty report (DOCX + PDF), one report per task.

What a task does and the warm LibreOffice it uses live here, free of Celery (an extra): the Celery app and the
command that queues the run are ``lvzhi.scale.yearend_worker``. Start workers anywhere that reaches the database
and the broker (Redis), each with a LibreOffice kept warm by unoserver::

    LVZHI_UNOSERVER=127.0.0.1:2003 celery -A lvzhi.scale.yearend_worker worker --concurrency 1
    python -m lvzhi.scale.yearend_worker enqueue --year 2024 --unit SCP --out /srv/lvzhi/yearend

Celery and unoserver come with the ``bench`` extra (pip install 'lvzhi[bench]'); unoserver's server runs with
a Python that can import LibreOffice's ``uno`` (``unoserver_command``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def render_duty_report(org_id: int, year: int, out_dir: str) -> dict:
    """Render one secretary's report for their organisation's unit and year: DOCX, then PDF (warm LibreOffice)."""
    from lvzhi.org.models import PartyOrg
    from lvzhi.reports import docx_render, pdf_render, services, templating

    org = PartyOrg.objects.select_related("unit", "secretary").get(pk=org_id)
    document = templating.render(services.BUILTIN_FILE.read_text(encoding="utf-8"), unit=org.unit, year=year,
                                 secretary=org.secretary)
    docx = docx_render.to_bytes(document)
    pdf = pdf_render.docx_to_pdf(docx)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{org.code}-{year}.docx").write_bytes(docx)
    (out / f"{org.code}-{year}.pdf").write_bytes(pdf)
    return {"org": org.code, "docx": len(docx), "pdf": len(pdf)}


def secretaries_orgs(unit_code: str):
    """Every committee, general branch and branch with a secretary under the unit (Party groups report within
    their branch)."""
    from lvzhi.org.models import PartyOrg, Unit

    top = Unit.objects.get(code=unit_code)
    return (PartyOrg.objects.filter(unit__path__startswith=top.path, secretary__isnull=False,
                                    kind__in=["committee", "general_branch", "branch"]).order_by("pk"))


def unoserver_command(port: int, uno_port: int, profile: str) -> tuple[list[str], dict]:
    """The command and environment of a warm LibreOffice for one worker, with lvzhi's fonts."""
    from lvzhi.reports.pdf_render import fontconfig_file, soffice

    env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file()), "HOME": profile,
           "PYTHONPATH": os.pathsep.join(p for p in ("/usr/lib/python3/dist-packages", os.environ.get("PYTHONPATH", ""))
                                         if p)}
    cmd = [sys.executable, "-m", "unoserver.server", "--interface", "127.0.0.1", "--uno-interface", "127.0.0.1",
           "--port", str(port), "--uno-port", str(uno_port), "--executable", soffice() or "soffice",
           "--user-installation", f"{profile}/lo-profile", "--quiet"]
    return cmd, env


def wait_for_port(port: int, timeout: float = 120) -> None:
    """Until something listens on 127.0.0.1:port (unoserver answers once LibreOffice is up)."""
    import socket
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"unoserver 未在 {timeout:.0f} 秒内启动（端口 {port}）")
