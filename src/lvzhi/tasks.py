"""Long work off the request — imports today, the year-end batch and recomputations as they come.

Embedded default: a thread of the web process (one PC, SQLite). Production extra: Celery workers, on as many
machines as reach the database, the broker and the shared var folder — set ``LVZHI_CELERY_BROKER``
(e.g. redis://127.0.0.1:6379/0), install ``pip install 'lvzhi[queue]'`` and start
``celery -A lvzhi.celery_app worker``. A task is a dotted function path taking plain arguments; its state lives in
the database row it works on, never in the queue.
"""

from __future__ import annotations

import threading
from importlib import import_module

from django.conf import settings
from django.db import close_old_connections

TASKS = {
    "import_job": "lvzhi.imports.services.run_job_by_id",
    "recompute": "lvzhi.obligations.management.commands.recompute.run",
}


def resolve(name: str):
    module, func = TASKS[name].rsplit(".", 1)
    return getattr(import_module(module), func)


def submit(name: str, *args, inline: bool = False) -> None:
    """Run task ``name`` with ``args``: inline (tests, CLI), on Celery when a broker is configured, else a thread."""
    if inline:
        resolve(name)(*args)
    elif getattr(settings, "CELERY_BROKER", ""):
        from lvzhi.celery_app import app

        app.send_task(f"lvzhi.{name}", args=list(args))
    else:
        threading.Thread(target=_in_thread, args=(name, args), daemon=True).start()


def _in_thread(name: str, args) -> None:
    close_old_connections()
    try:
        resolve(name)(*args)
    finally:
        close_old_connections()
