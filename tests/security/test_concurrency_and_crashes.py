"""Concurrent edits and crashes, on a database of their own in processes of their own (SQLite, and PostgreSQL
when the suite runs on it, as in CI's second round):

* two users save the same record at the same moment, each through their own database connection: one save
  wins, the other is refused with a clear message — never a silent overwrite;
* a large import killed with SIGKILL half-way through writing leaves every table exactly as it was.

The same refusal through the edit page and the API, with two signed-in users, is tested below on the suite's
own database.
"""

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openpyxl
import pytest

from lvzhi.records import registry

SCRIPT = Path(__file__).with_name("dbscript.py")
ROWS = 12_000  # the import writes in batches of 2000: killed once 4000 are in, two thirds are still to come


def _env(db_url: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(LVZHI_DATABASE_URL=db_url, LVZHI_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def _script(env, *args, timeout=300) -> str:
    r = subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _big_file(path: Path) -> None:
    rt = registry.get("person")
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append([rt.header(c) for c in rt.columns if c.field in ("code", "name", "gender", "unit")])
    for i in range(ROWS):
        ws.append([f"B{i:06d}", f"导入{i}", "男" if i % 2 else "女", "测试公司（T1）"])
    wb.save(path)


def _import_and_kill(env, path: Path) -> int:
    """Start `lvzhi import`, watch its progress bar, SIGKILL it once a third of the rows are written."""
    import pty

    # Progress bars are drawn on a terminal only: give the import one (a pseudo-terminal) to draw them on.
    reader, writer = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "lvzhi.cli", "import", str(path), "--type", "person"], env=env,
                            stdout=subprocess.PIPE, stderr=writer)
    os.close(writer)
    seen, written = b"", 0
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([reader], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(reader, 65536)
                except OSError:  # the terminal closed with the process
                    break
                # 写入:  33%|███| 4000/12000 — or, when a sheet does not say its size (a chunked sheet), 写入: 4000行
                done = re.findall(r"写入:\s+(?:\d+%\|[^|]*\| (\d+)/|(\d+)行)", seen.decode(errors="replace"))
                written = int(done[-1][0] or done[-1][1]) if done else 0
                if written >= ROWS // 3:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(30)
                    return written
        pytest.fail(f"the import ended before it could be killed half-way ({proc.poll()}): "
                    f"{seen.decode(errors='replace')[-500:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        os.close(reader)
    return written


def _exercise(env, tmp_path):
    _script(env, "setup")
    out = _script(env, "race", "8")
    assert out.startswith("RACE-OK"), out

    before = json.loads(_script(env, "checksums"))
    path = tmp_path / "大量人员.xlsx"
    _big_file(path)
    written = _import_and_kill(env, path)
    assert written >= ROWS // 3
    after = json.loads(_script(env, "checksums"))
    assert after == before, [t for t in before if before[t] != after.get(t)]
    verify = subprocess.run([sys.executable, "-m", "lvzhi.cli", "audit", "verify"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.slow
def test_sqlite_concurrent_edits_and_a_killed_import(tmp_path):
    _exercise(_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path), tmp_path)


@pytest.mark.slow
def test_postgresql_concurrent_edits_and_a_killed_import(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("LVZHI_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("PostgreSQL 的并发与崩溃测试在 LVZHI_DATABASE_URL 指向 PostgreSQL 时运行（CI 的第二轮）")
    name = f"lvzhi_hardening_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        _exercise(_env(url.rsplit("/", 1)[0] + "/" + name, tmp_path), tmp_path)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the same refusal through the page and the API ---------------------------------------------------------

@pytest.mark.django_db
def test_two_users_on_the_edit_page_the_second_save_is_refused(client_as, contact_plant):
    from lvzhi.org.scoping import Scope
    from lvzhi.records import services

    rt = registry.get("study_session")
    obj = services.create_record(rt, {"unit": contact_plant, "kind": "central_group", "date": "2023-03-15",
                                      "title": "两人同时编辑"}, actor="测试", scope=Scope.everything())
    url = f"/records/{rt.key}/{obj.pk}/edit/"
    first, second = client_as("shuji"), client_as("dangban")
    forms = []
    for c in (first, second):  # both open the form before either saves
        initial = c.get(url).context["form"].initial
        forms.append({k: v for k, v in initial.items() if v not in (None, False, "")})
    forms[0]["title"], forms[1]["title"] = "书记的修改", "党务干事的修改"
    assert first.post(url, forms[0]).status_code == 302
    r = second.post(url, forms[1])
    assert r.status_code == 200
    message = " ".join(r.context["form"].non_field_errors())
    assert "已被他人修改（您编辑的是第 1 版，当前是第 2 版）" in message and "本次保存未生效" in message
    assert message in r.content.decode()
    obj.refresh_from_db()
    assert obj.title == "书记的修改" and obj.version == 2


@pytest.mark.django_db
def test_two_api_clients_the_second_save_is_refused_with_409(api_as, contact_plant):
    from lvzhi.org.scoping import Scope
    from lvzhi.records import services

    rt = registry.get("study_session")
    obj = services.create_record(rt, {"unit": contact_plant, "kind": "central_group", "date": "2023-03-15",
                                      "title": "两个接口同时修改"}, actor="测试", scope=Scope.everything())
    url = f"/api/{rt.slug}/{obj.pk}/"
    a, b = api_as("shuji"), api_as("dangban")
    seen_a, seen_b = a.get(url).json(), b.get(url).json()
    assert a.patch(url, {"title": "甲的修改", "version": seen_a["version"]}, format="json").status_code == 200
    r = b.put(url, {**{k: v for k, v in seen_b.items() if k != "id"}, "title": "乙的修改"}, format="json")
    assert r.status_code == 409 and "已被他人修改" in r.json()["detail"]
    obj.refresh_from_db()
    assert obj.title == "甲的修改" and obj.version == 2


@pytest.mark.django_db
def test_a_finalisation_failing_after_its_files_are_stored_leaves_a_draft_and_no_files(users, company, settings,
                                                                                      tmp_path, monkeypatch):
    """tests/reports/test_lifecycle.py fails the render, before anything is stored; here the failure comes last,
    inside the transaction, after the DOCX and PDF were written: they are removed and the draft is untouched."""
    from lvzhi.audit.models import AuditAction
    from lvzhi.org.scoping import scope_for
    from lvzhi.reports import pdf_render, services
    from lvzhi.reports.models import DutyReport

    settings.MEDIA_ROOT = tmp_path / "media"
    shuji = users["shuji"]
    draft = services.create_report(unit=company, year=2022, template=services.builtin_template(), actor=shuji,
                                   scope=scope_for(shuji))
    monkeypatch.setattr(pdf_render, "soffice", lambda: "/usr/bin/true")
    monkeypatch.setattr(pdf_render, "docx_to_pdf", lambda data: b"%PDF-1.4 test\n")
    audit = services._audit

    def failing_audit(actor, action, obj, **kwargs):
        if action == AuditAction.FINALISE:
            assert list((tmp_path / "media").rglob("*.docx")) and list((tmp_path / "media").rglob("*.pdf"))
            raise RuntimeError("模拟定稿最后一步失败")
        return audit(actor, action, obj, **kwargs)

    monkeypatch.setattr(services, "_audit", failing_audit)
    with pytest.raises(RuntimeError, match="模拟定稿最后一步失败"):
        services.finalise(draft, actor=shuji, scope=scope_for(shuji))
    again = DutyReport.objects.get(pk=draft.pk)
    assert not again.is_final and again.version == draft.version and not again.snapshot and not again.content_hash
    assert not again.docx and not again.pdf
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
