"""API fuzzing at the authorisation boundary: as a branch secretary (zhibu) and a read-only user — the demo's
chakan, who reads the whole company, and one who reads a single plant (有机硅厂, made here).

For every operation on one object (``/api/<slug>/{id}/…``, every method) schemathesis generates requests —
valid and invalid bodies and query parameters — aimed at an object that exists but lies outside the user's
units (or belongs to someone else): every answer must be 404, never 200/400/403 that would confirm it exists.
Every list and every answer is also read for confidential content (visible numbers and texts of 纪委 records),
which neither role may see.
"""

import re

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_api_fuzz import FUZZ_EXAMPLES, OPERATIONS, _one_connection, _wsgi

pytestmark = pytest.mark.django_db
ROLES = ("zhibu", "readonly_plant")  # users with objects out of their reach
LIST_ROLES = ("zhibu", "chakan", "readonly_plant")
ONE_OBJECT = [op for op in OPERATIONS if "{id}" in op and not op.split()[1].startswith("/api/metrics/")]
LISTS = [op for op in OPERATIONS if op.startswith("GET ") and "{" not in op]


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    from lvzhi.org.models import User
    from lvzhi.tokens.services import create_token

    with django_db_blocker.unblock(), _one_connection(), transaction.atomic():
        _, token = create_token(User.objects.get(username="admin_demo"), name="模糊测试", actor="测试")
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", _wsgi(),
                                                headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
    return schema


def _user(username):
    """A demo account, or the plant's read-only user (made inside the test's transaction)."""
    from lvzhi.org.models import Role, RoleAssignment, Unit, User

    if username != "readonly_plant":
        return User.objects.get(username=username)
    user, made = User.objects.get_or_create(username=username)
    if made:
        RoleAssignment.objects.create(user=user, unit=Unit.objects.get(code="JH01-P03"), role=Role.READONLY)
    return user


def _auth(username):
    from lvzhi.tokens.services import create_token

    _, token = create_token(_user(username), name="模糊测试", actor="测试")
    return {"Authorization": f"Bearer {token}"}


def _foreign_id(slug: str, username: str):
    """An object that exists but that the user may not reach (None when the demo has none)."""
    from lvzhi.imports.models import ImportJob
    from lvzhi.org.scoping import Scope, scope_for
    from lvzhi.records import registry, selectors
    from lvzhi.records.models import Attachment
    from lvzhi.reports.models import DutyReport
    from lvzhi.tokens.models import AccessToken

    user = _user(username)
    scope = scope_for(user)
    if slug == "reports":
        qs = DutyReport.objects.exclude(pk__in=scope.filter(DutyReport.objects.all(), "unit").values("pk"))
    elif slug == "imports":
        qs = ImportJob.objects.exclude(created_by=user)
    elif slug == "tokens":
        qs = AccessToken.objects.exclude(user=user)
    elif slug == "attachments":
        for a in Attachment.objects.select_related("content_type").order_by("pk"):
            rt = registry.for_model(a.content_type.model_class())
            if rt is not None and not selectors.visible(rt, scope).filter(pk=a.object_id).exists():
                return a.pk
        return None
    else:
        rt = next(rt for rt in registry.all_types() if rt.slug == slug)
        everything = selectors.visible(rt, Scope.everything())
        qs = everything.exclude(pk__in=selectors.visible(rt, scope).values("pk"))
        if rt.key == "obligation_rule":
            qs = qs.exclude(unit__isnull=True)  # the default rules apply to everyone: everyone reads them
    obj = qs.order_by("pk").first()
    return obj.pk if obj is not None else None


def _confidential_markers() -> set[str]:
    """Texts only confidential records carry: their visible numbers, and titles/descriptions no open row shares."""
    from lvzhi.records import registry

    markers: set[str] = set()
    for rt in registry.all_types():
        if rt.confidential_rows is None:
            continue
        rows = rt.model._default_manager.filter(rt.confidential_rows())
        open_rows = rt.model._default_manager.exclude(rt.confidential_rows())
        names = {f.name for f in rt.model._meta.concrete_fields}
        for field in ("number", "title", "description", "subject"):
            if field not in names:
                continue
            shared = set(open_rows.values_list(field, flat=True))
            markers |= {v for v in rows.values_list(field, flat=True) if v and len(v) >= 6 and v not in shared}
    return markers


@pytest.fixture(scope="module")
def markers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        found = _confidential_markers()
    assert len(found) >= 5  # the demo's 纪委 records: enough to mean something
    return found


def _assert_nothing_confidential(response, markers, label):
    body = response.content.decode("utf-8", "replace") if hasattr(response, "content") else response.text
    body = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), body)  # JSON escapes
    leaked = [m for m in markers if m in body]
    assert not leaked, f"{label}: confidential content {leaked[:3]}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", ONE_OBJECT)
def test_an_object_out_of_reach_is_404_whatever_is_sent(label, role, api_schema, markers, settings_media):
    from schemathesis import GenerationMode

    operation = api_schema.find_operation_by_label(label)
    foreign = _foreign_id(operation.path.split("/")[2], role)
    if foreign is None:
        pytest.skip("the demo has no object of this kind out of this user's reach")
    auth = _auth(role)
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": foreign}),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters={"id": foreign}))
    statuses = []

    @given(case=strategy)
    @settings(max_examples=max(3, FUZZ_EXAMPLES // 2), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        if case.path_parameters.get("id") != foreign:  # a negative case may replace the id itself
            return
        response = case.call(headers=auth)
        statuses.append(response.status_code)
        assert response.status_code == 404, f"{case.method} {case.formatted_path}: {response.status_code}"
        _assert_nothing_confidential(response, markers, label)

    with _one_connection():
        run()
    assert statuses, "no request reached the object"


@pytest.mark.parametrize("role", LIST_ROLES)
@pytest.mark.parametrize("label", LISTS)
def test_no_list_carries_confidential_content(label, role, api_schema, markers, settings_media):
    from schemathesis import GenerationMode

    operation = api_schema.find_operation_by_label(label)
    auth = _auth(role)

    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(max_examples=3, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(headers=auth)
        assert response.status_code < 500
        _assert_nothing_confidential(response, markers, label)

    with _one_connection():
        run()


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
