"""API fuzzing: schemathesis reads /api/schema/ (signed in) and generates requests for every operation in it —
valid and invalid bodies, query parameters and path ids — sent as the system administrator. No response may be a
server error (5xx) or break the schema (status, content type, headers, body), and invalid data must be refused.

The example count per operation is bounded (``FUZZ_EXAMPLES``, default 5) so the whole run stays short in CI;
``LVZHI_FUZZ_EXAMPLES=100`` digs deeper.
"""

import contextlib
import os
from collections import Counter

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

FUZZ_EXAMPLES = int(os.environ.get("LVZHI_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
USER = os.environ.get("LVZHI_FUZZ_USER", "admin_demo")
RAN: Counter = Counter()  # examples sent, per operation (printed at the end of the session)


def _operations() -> list[str]:
    """'METHOD /path' of every operation, read from the same generator that serves /api/schema/."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [f"{method.upper()} {path}" for path, item in paths.items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


OPERATIONS = _operations()


def _wsgi():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


@contextlib.contextmanager
def _one_connection():
    """Requests go through Django's real WSGI handler, which closes the database connection after each one (on
    PostgreSQL that ends the test's transaction). Like Django's test client, keep it open meanwhile."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    """The schema as /api/schema/ serves it to a signed-in user (the token used to fetch it is rolled back)."""
    from lvzhi.org.models import User
    from lvzhi.tokens.services import create_token

    with django_db_blocker.unblock(), _one_connection(), transaction.atomic():
        _, token = create_token(User.objects.get(username=USER), name="模糊测试", actor="测试")
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", _wsgi(),
                                                headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
    return schema


@pytest.fixture
def auth(db):
    from lvzhi.org.models import User
    from lvzhi.tokens.services import create_token

    _, token = create_token(User.objects.get(username=USER), name="模糊测试", actor="测试")
    return {"Authorization": f"Bearer {token}"}


def test_the_schema_lists_every_operation(api_schema):
    served = {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()}
    assert served == set(OPERATIONS) and len(OPERATIONS) > 200


def _existing_id(path: str):
    """The id of a record the user may read, for an operation on /api/<slug>/{id}/ (random ids mostly miss)."""
    from lvzhi.imports.models import ImportJob
    from lvzhi.metrics import catalogue
    from lvzhi.org.models import User
    from lvzhi.org.scoping import scope_for
    from lvzhi.records import registry, selectors
    from lvzhi.records.models import Attachment
    from lvzhi.reports.models import DutyReport
    from lvzhi.tokens.models import AccessToken

    slug = path.split("/")[2]
    if slug == "metrics":
        return catalogue.CATALOGUE[0].id
    user = User.objects.get(username=USER)
    special = {
        "reports": lambda: scope_for(user).filter(DutyReport.objects.all(), "unit"),
        "imports": lambda: ImportJob.objects.filter(created_by=user),
        "tokens": lambda: AccessToken.objects.filter(user=user),
        "attachments": lambda: Attachment.objects.all(),  # the demo's attachments lie within the administrator's units
    }
    if slug in special:
        obj = special[slug]().order_by("-pk").first()
        return obj.pk if obj is not None else None
    rt = next(rt for rt in registry.all_types() if rt.slug == slug)
    obj = selectors.visible(rt, scope_for(User.objects.get(username=USER))).order_by("-pk").first()
    return obj.pk if obj is not None else None  # 问责 are all confidential: the administrator sees none


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation(label, api_schema, auth, settings_media):
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    operation = api_schema.find_operation_by_label(label)
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    existing = _existing_id(operation.path) if "{id}" in operation.path else None
    if existing is not None:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": existing}))

    @given(case=st.one_of(strategies))
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        RAN[label] += 1
        case.call_and_validate(headers=auth, checks=CHECKS)

    with _one_connection():
        run()


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
