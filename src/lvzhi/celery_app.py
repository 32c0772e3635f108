"""The Celery application of lvzhi's production task queue (see ``lvzhi.tasks``)::

    LVZHI_CELERY_BROKER=redis://127.0.0.1:6379/0 celery -A lvzhi.celery_app worker --concurrency 2
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
django.setup()

from celery import Celery  # noqa: E402  (an extra: imported only where the queue is used)
from django.conf import settings  # noqa: E402

from lvzhi import tasks  # noqa: E402

app = Celery("lvzhi", broker=settings.CELERY_BROKER or "memory://")
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, task_serializer="json", accept_content=["json"],
                task_ignore_result=True, task_default_queue=settings.CELERY_QUEUE)

def _task(name: str):
    def run(*args):
        return tasks.resolve(name)(*args)

    run.__name__ = run.__qualname__ = name
    return app.task(name=f"lvzhi.{name}")(run)


for _name in tasks.TASKS:
    _task(_name)
