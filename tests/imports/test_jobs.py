"""Import jobs tell the truth after a crash, refuse a file imported before, and run on a real Celery worker."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

SCRIPT = Path(__file__).with_name("jobs_script.py")
ROWS = 300
pytestmark = pytest.mark.slow


def _people_file(path: Path, rows: int = ROWS) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["工号", "姓名", "性别", "所在单位"])
    for i in range(rows):
        wb.active.append([f"J{i:05d}", f"任务{i}", "男", "T1"])
    wb.save(path)
    return path


def _script(env, *args, fault: str = "", check: bool = True):
    env = {**env, "LVZHI_FAULT": fault} if fault else env
    r = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=env, capture_output=True, text=True,
                       timeout=300)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def _json(r):
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_killed_after_its_commit_the_job_says_what_it_wrote_and_the_file_is_not_taken_twice(tmp_path, fresh_database):
    env = fresh_database("after")
    _script(env, "setup")
    path = _people_file(tmp_path / "人员.xlsx")
    job = _json(_script(env, "submit", path))["job"]
    r = _script(env, "run", job, fault="import-after-commit", check=False)
    assert r.returncode == 70 and "RUN-ENDED" not in r.stdout  # died before it could report anything
    state = _json(_script(env, "state", job))
    assert (state["status"], state["created"], state["people"]) == ("done", ROWS, ROWS)
    again = _json(_script(env, "submit", path))
    assert again["refused"].startswith("该文件已于") and f"导入任务 #{job}" in again["refused"]
    assert _json(_script(env, "state", job))["people"] == ROWS


def test_killed_before_its_commit_the_job_is_shown_interrupted_with_nothing_written(tmp_path, fresh_database):
    env = fresh_database("before")
    _script(env, "setup")
    path = _people_file(tmp_path / "人员.xlsx")
    job = _json(_script(env, "submit", path))["job"]
    r = _script(env, "run", job, fault="import-before-commit", check=False)
    assert r.returncode == 70
    state = _json(_script(env, "state", job))
    assert (state["status"], state["created"], state["people"]) == ("interrupted", 0, 0)
    assert "导入进程已中断" in state["errors"][0] and "没有写入任何记录" in state["errors"][0]
    retry = _json(_script(env, "submit", path))["job"]  # nothing was imported: the same file is welcome again
    _script(env, "run", retry)
    assert _json(_script(env, "state", retry))["people"] == ROWS


def _redis() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


def test_an_import_runs_on_a_celery_worker(tmp_path, fresh_database):
    if not _redis():
        pytest.skip("没有可用的 Redis（127.0.0.1:6379）：Celery 队列测试需要它")
    pytest.importorskip("celery")
    env = {**fresh_database("queue"), "LVZHI_CELERY_BROKER": f"redis://127.0.0.1:6379/{12}"}
    _script(env, "setup")
    queue = f"lvzhi-test-{time.monotonic_ns()}"
    env["LVZHI_CELERY_QUEUE"] = queue
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "lvzhi.celery_app", "worker", "--pool", "solo",
                               "--concurrency", "1", "-Q", queue, "--without-heartbeat", "--without-gossip",
                               "--without-mingle", "--loglevel", "WARNING"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        job = _json(_script(env, "submit", _people_file(tmp_path / "人员.xlsx")))["job"]
        deadline = time.monotonic() + 120
        state = {}
        while time.monotonic() < deadline:
            state = _json(_script(env, "state", job))
            if state["status"] not in ("pending", "running"):
                break
            time.sleep(1)
        assert (state["status"], state["people"]) == ("done", ROWS), state
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=30)
    assert "Traceback" not in out, out
