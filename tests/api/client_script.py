"""Run in its own process by test_generated_client.py, with the client that openapi-python-client generated from
/api/schema/ on sys.path — as an integrator's script would use it. Prints one JSON line of what it saw.

    python client_script.py BASE_URL TOKEN UNIT_ID CSV_FILE
"""

import datetime as dt
import importlib
import io
import json
import pkgutil
import sys
import time

import lvzhi_client.api
from lvzhi_client import AuthenticatedClient
from lvzhi_client.models import ImportUploadRequest, PatchedStudySessionRequest, RecordTypeEnum, StudySessionRequest
from lvzhi_client.types import File

OPERATIONS = {m.name.rsplit(".", 1)[-1]: m.name
              for m in pkgutil.walk_packages(lvzhi_client.api.__path__, "lvzhi_client.api.") if not m.ispkg}


def op(operation_id: str):
    """An operation's module by its operationId (the modules sit in packages named after the Chinese tags)."""
    return importlib.import_module(OPERATIONS[operation_id])


def main(base_url: str, token: str, unit_id: int, csv_file: str) -> dict:
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    seen: dict = {}

    # create → read → update → delete
    created = op("study_sessions_create").sync_detailed(client=client, body=StudySessionRequest.from_dict({
        "unit": unit_id, "kind": "central_group", "date": "2022-11-08", "title": "生成客户端写入的学习"}))
    seen["create_status"] = created.status_code
    session = created.parsed
    read = op("study_sessions_retrieve").sync(session.id, client=client)
    seen["read_title"] = read.title
    seen["read_date"] = read.date.isoformat() if isinstance(read.date, dt.date) else str(read.date)
    updated = op("study_sessions_partial_update").sync(session.id, client=client, body=PatchedStudySessionRequest.from_dict(
        {"title": "生成客户端修改后的学习", "version": read.version}))
    seen["updated_title"], seen["updated_version"] = updated.title, updated.version
    listed = op("study_sessions_list").sync(client=client, unit=unit_id, year=2022, search="生成客户端", limit=10)
    seen["listed"] = [r.id for r in listed.results]
    seen["delete_status"] = op("study_sessions_destroy").sync_detailed(session.id, client=client).status_code
    seen["after_delete_status"] = op("study_sessions_retrieve").sync_detailed(session.id, client=client).status_code

    # an import: upload, then follow the job
    with open(csv_file, "rb") as fh:
        csv = fh.read()
    job = op("imports_create").sync(client=client, body=ImportUploadRequest(
        record_type=RecordTypeEnum("study_session"),
        file=File(payload=io.BytesIO(csv), file_name="客户端导入.csv", mime_type="text/csv")))
    for _ in range(100):
        if job.status.value in ("done", "failed"):
            break
        time.sleep(0.2)
        job = op("imports_retrieve").sync(job.id, client=client)
    seen["import_status"], seen["import_created"] = job.status.value, job.created
    seen["import_errors"] = [e.text for e in job.errors]

    # a check result and the token list, read like any integrator would
    checks = op("checks_list").sync(client=client, unit=unit_id, year=2022, as_of=dt.date(2023, 1, 10), limit=5)
    seen["checks_count"] = checks.count
    seen["check_states"] = sorted({c.state.value for c in checks.results})
    seen["tokens"] = [t.name for t in op("tokens_list").sync(client=client).results]
    return seen


if __name__ == "__main__":
    print("CLIENT-JSON " + json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]), ensure_ascii=False))
