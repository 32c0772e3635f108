"""The year-end bulk run on Celery (an extra: ``lvzhi[bench]`` or ``lvzhi[queue]``): the app, the task and the
command that queues one task per secretary. What a task does is ``lvzhi.scale.yearend.render_duty_report``.

    LVZHI_UNOSERVER=127.0.0.1:2003 celery -A lvzhi.scale.yearend_worker worker --concurrency 1
    python -m lvzhi.scale.yearend_worker enqueue --year 2024 --unit SCP --out /srv/lvzhi/yearend
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")

import django  # noqa: E402

django.setup()

from celery import Celery  # noqa: E402

from lvzhi.scale.yearend import render_duty_report, secretaries_orgs  # noqa: E402

BROKER = os.environ.get("LVZHI_CELERY_BROKER", "redis://127.0.0.1:6379/15")
app = Celery("lvzhi_yearend", broker=BROKER, backend=BROKER)
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, result_expires=3600,
                task_serializer="json", result_serializer="json", accept_content=["json"])


@app.task(name="lvzhi.yearend.duty_report")
def duty_report(org_id: int, year: int, out_dir: str) -> dict:
    return render_duty_report(org_id, year, out_dir)


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m lvzhi.scale.yearend_worker")
    parser.add_argument("command", choices=["enqueue"])
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--unit", required=True, help="顶层单位编码")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    ids = list(secretaries_orgs(args.unit).values_list("pk", flat=True))
    for pk in ids:
        duty_report.delay(pk, args.year, args.out)
    print(f"已排队 {len(ids)} 份述职报告。")


if __name__ == "__main__":
    main(sys.argv[1:])
