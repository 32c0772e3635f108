"""PDF from the DOCX through LibreOffice (headless), with lvzhi's font map so the free stand-ins are embedded."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from django.conf import settings

TIMEOUT = 180


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed: DOCX/HTML/Markdown still work."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def fontconfig_file() -> Path:
    """lvzhi's fonts.conf with this installation's var directory filled in."""
    target = settings.VAR_DIR / "fonts.conf"
    source = (Path(__file__).parent / "fonts.conf").read_text(encoding="utf-8")
    text = source.replace("@VAR@", str(settings.VAR_DIR))
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        (settings.VAR_DIR / "fonts").mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return target


def docx_to_pdf(docx_bytes: bytes) -> bytes:
    server = os.environ.get("LVZHI_UNOSERVER", "").strip()
    if server:
        return _via_unoserver(server, docx_bytes)
    binary = soffice()
    if binary is None:
        raise PdfUnavailable("未安装 LibreOffice（libreoffice-writer-nogui），无法生成 PDF；请以 root 运行 scripts/system-deps.sh。")
    with tempfile.TemporaryDirectory(prefix="lvzhi-pdf-") as tmp:
        src = Path(tmp) / "report.docx"
        src.write_bytes(docx_bytes)
        # A profile of its own per conversion: the default profile is locked while another conversion runs.
        profile = Path(tmp) / f"profile-{uuid.uuid4().hex}"
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file()), "HOME": tmp}
        cmd = [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "pdf",
               "--outdir", tmp, str(src)]
        try:
            result = subprocess.run(cmd, env=env, capture_output=True, timeout=TIMEOUT, text=True)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice 转换 PDF 超时（{TIMEOUT} 秒）。") from None
        out = Path(tmp) / "report.pdf"
        if result.returncode != 0 or not out.exists():
            raise RuntimeError(f"LibreOffice 转换 PDF 失败：{(result.stderr or result.stdout).strip()[:500]}")
        return out.read_bytes()


def _via_unoserver(server: str, docx_bytes: bytes) -> bytes:
    """Convert through a LibreOffice kept running by unoserver (LVZHI_UNOSERVER=host:port): starting soffice costs
    2–3 s per document, which a year-end run of thousands of reports cannot afford. The server must be started
    with lvzhi's font configuration (``lvzhi.scale.yearend.unoserver_command``), so the PDF is the same."""
    try:
        from unoserver.client import UnoClient
    except ImportError:
        raise PdfUnavailable("设置了 LVZHI_UNOSERVER，但未安装 unoserver（pip install lvzhi[bench]）。") from None
    host, _, port = server.rpartition(":")
    try:
        return UnoClient(server=host or "127.0.0.1", port=port or "2003").convert(indata=docx_bytes, convert_to="pdf")
    except Exception as exc:  # noqa: BLE001 - XML-RPC and connection errors of many kinds
        raise RuntimeError(f"通过 unoserver（{server}）转换 PDF 失败：{exc}") from None
