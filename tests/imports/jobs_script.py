"""Run in a process of its own on a database of its own (see test_jobs.py): set up, run and inspect import jobs."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from lvzhi.imports.models import ImportJob  # noqa: E402
from lvzhi.imports.services import create_job, job_state, run_job_by_id  # noqa: E402
from lvzhi.org.models import Person, Role, RoleAssignment, User  # noqa: E402
from lvzhi.org.scoping import Scope  # noqa: E402
from lvzhi.records import registry  # noqa: E402
from lvzhi.records.services import create_record  # noqa: E402

command, *args = sys.argv[1:]
if command == "setup":
    call_command("migrate", verbosity=0)
    unit = create_record(registry.get("unit"), {"code": "T1", "name": "测试公司", "kind": "company"}, actor="测试",
                         scope=Scope.everything())
    user = User.objects.create(username="clerk")
    RoleAssignment.objects.create(user=user, unit=unit, role=Role.ORGANIZER)
    print("SETUP-OK")
elif command == "submit":  # submit FILE → job id (or the refusal)
    path = args[0]
    upload = SimpleUploadedFile(os.path.basename(path), open(path, "rb").read())
    try:
        job = create_job(record_type="person", upload=upload, user=User.objects.get(username="clerk"),
                         background=bool(os.environ.get("LVZHI_CELERY_BROKER")), start=bool(os.environ.get("LVZHI_CELERY_BROKER")))
    except Exception as exc:  # the refusal is the answer
        print(json.dumps({"refused": "；".join(getattr(exc, "messages", [str(exc)]))}, ensure_ascii=False))
    else:
        print(json.dumps({"job": job.pk}))
elif command == "run":
    run_job_by_id(int(args[0]))
    print("RUN-ENDED")
elif command == "state":
    job = ImportJob.objects.get(pk=int(args[0]))
    state = job_state(job)
    print(json.dumps({"status": job.status, "created": job.created, "rows": job.rows, "people": Person.objects.count(),
                      "errors": [e["message"] for e in job.errors], "progress": state["progress"]}, ensure_ascii=False))
