"""Benchmark 5 — rendering the built-in report for the top unit: DOCX (python-docx) and PDF (LibreOffice, both
started per document and kept warm by unoserver), time and memory.

    python bench/render.py [--scenario province]

There is no numeric goal in the issue; the reference for the PDF is a cold LibreOffice start per document,
which is what ``lvzhi report --format pdf`` does, against the warm server the year-end run uses.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
from pathlib import Path

import common


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="province")
    args = parser.parse_args()
    common.setup(args.scenario)
    from lvzhi.reports import docx_render, pdf_render, services, templating
    from lvzhi.scale.yearend import unoserver_command, wait_for_port

    top = common.top_unit(args.scenario)
    body = services.BUILTIN_FILE.read_text(encoding="utf-8")
    secretary = services.default_secretary(top)
    t_doc, document = common.timed(lambda: templating.render(body, unit=top, year=common.REPORT_YEAR,
                                                             secretary=secretary), repeat=3)
    t_docx, docx = common.timed(lambda: docx_render.to_bytes(document), repeat=5)
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t_cold, pdf = common.timed(lambda: pdf_render.docx_to_pdf(docx), repeat=3, warmup=1)
    rss_soffice = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    scratch = Path(f"/tmp/lvzhi-bench-render-{os.getpid()}")
    scratch.mkdir()
    cmd, env = unoserver_command(2033, 2034, str(scratch))
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(2033)
        os.environ["LVZHI_UNOSERVER"] = "127.0.0.1:2033"
        t_warm, pdf_warm = common.timed(lambda: pdf_render.docx_to_pdf(docx), repeat=5)
        import psutil

        lo_rss = sum(c.memory_info().rss for c in psutil.Process(server.pid).children(recursive=True)) / 1048576
    finally:
        os.environ.pop("LVZHI_UNOSERVER", None)
        from yearend import stop

        stop([server])
        shutil.rmtree(scratch, ignore_errors=True)
    figures = [
        common.figure("render.document_model", t_doc, None, "数字、事实与模板 → 文档模型", met=None),
        common.figure("render.docx", t_docx, None, "GB/T 9704 DOCX", met=None, bytes=len(docx)),
        common.figure("render.pdf_warm_libreoffice", t_warm, t_cold, "常驻 LibreOffice（unoserver）vs 每份启动",
                      met=t_warm < t_cold, bytes=len(pdf_warm)),
        common.figure("render.peak_rss_python", round(rss_self, 1), None, "Python 进程峰值内存", met=None, unit="MB"),
        common.figure("render.peak_rss_soffice_cold", round(rss_soffice, 1), None, "每份启动的 soffice 峰值内存",
                      met=None, unit="MB"),
        common.figure("render.rss_warm_libreoffice", round(lo_rss, 1), None, "常驻 LibreOffice 内存", met=None, unit="MB"),
    ]
    common.write_results("render", figures, pdf_bytes=len(pdf))


if __name__ == "__main__":
    main()
