"""Progress of a running import, kept outside the database transaction that writes its records.

A small JSON file per job under $LVZHI_VAR_DIR/jobs/ (the uploaded files live under the same folder, which the
workers of a multi-machine setup share): phase, rows done, total, and a heartbeat with the worker's host and pid.
The page reads it while the data transaction is still open; when the heartbeat stops, the job is known dead."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from django.conf import settings

STALE_SECONDS = 120  # no heartbeat for this long: the worker is gone (a busy import beats every 0.5 s)
_EVERY = 0.5


def _path(job_id: int) -> Path:
    return Path(settings.VAR_DIR) / "jobs" / f"{job_id}.json"


class Reporter:
    """progress(phase, done, total) for one job, writing at most twice a second (and on a phase change)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0
        self.phase = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < _EVERY:
            return
        self.last, self.phase = now, phase
        write(self.job_id, phase, done, total)


def write(job_id: int, phase: str, done: int, total: int | None) -> None:
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total, "beat": time.time(),
                               "host": socket.gethostname(), "pid": os.getpid()}, ensure_ascii=False))
    os.replace(tmp, path)  # readers see the old or the new state, never half of one


def read(job_id: int) -> dict | None:
    try:
        return json.loads(_path(job_id).read_text())
    except (OSError, ValueError):
        return None


def clear(job_id: int) -> None:
    _path(job_id).unlink(missing_ok=True)


def alive(state: dict | None) -> bool:
    """Whether the worker that wrote ``state`` still runs: its process exists (same host) and it beat recently."""
    if not state:
        return False
    if time.time() - state.get("beat", 0) > STALE_SECONDS:
        return False
    if state.get("host") == socket.gethostname():
        try:
            os.kill(int(state["pid"]), 0)
        except ProcessLookupError:
            return False
        except (PermissionError, ValueError, KeyError):
            pass
    return True
