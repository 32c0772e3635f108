"""Four eyes for confidential access, end to end: the superuser cannot grant a confidential role through the admin
(add, change, the user's inline), nor act as someone who holds one (password, API token), nor through the ORM; a
request waits until a second authorised person approves it on its page; requester and grantee cannot approve;
every step is audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from lvzhi.audit.models import AuditEntry
from lvzhi.integrity.models import Accountability
from lvzhi.org.models import Role, RoleAssignment, RoleRequest, User

pytestmark = pytest.mark.django_db
DENIED = "须经第二位有权人员批准"


@pytest.fixture
def case():
    return Accountability.objects.filter(unit__code__startswith="JH01").first()


def _grants(user, role=Role.DISCIPLINE):
    return RoleAssignment.objects.filter(user=user, role=role).count()


def test_the_superuser_cannot_grant_a_confidential_role_in_the_admin(client_as, users, company):
    admin = client_as("admin_demo")
    chakan = users["chakan"]
    r = admin.post("/admin/org/roleassignment/add/", {"user": chakan.pk, "unit": company.pk, "role": Role.DISCIPLINE})
    assert r.status_code == 200 and DENIED in r.content.decode()
    # … nor turn an existing harmless role into one
    ra = RoleAssignment.objects.get(user=chakan)
    r = admin.post(f"/admin/org/roleassignment/{ra.pk}/change/", {"user": chakan.pk, "unit": company.pk,
                                                                 "role": Role.SECRETARY})
    assert r.status_code == 200 and DENIED in r.content.decode()
    assert _grants(chakan) == 0 and _grants(chakan, Role.SECRETARY) == 0
    # other roles are still granted in the admin
    r = admin.post("/admin/org/roleassignment/add/", {"user": chakan.pk, "unit": company.pk, "role": Role.PROPAGANDA})
    assert r.status_code == 302 and _grants(chakan, Role.PROPAGANDA) == 1


def test_the_user_page_inline_refuses_it_too(client_as, users, company):
    admin = client_as("admin_demo")
    chakan = users["chakan"]
    page = admin.get(f"/admin/org/user/{chakan.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("password", "groups", "user_permissions",
                                                                                  "last_login", "date_joined")}
    data.update({"date_joined_0": "2023-01-01", "date_joined_1": "08:00:00", "is_active": "on"})
    existing = RoleAssignment.objects.get(user=chakan)
    data.update({"roles-TOTAL_FORMS": "2", "roles-INITIAL_FORMS": "1", "roles-MIN_NUM_FORMS": "0",
                 "roles-MAX_NUM_FORMS": "1000", "roles-0-id": existing.pk, "roles-0-user": chakan.pk,
                 "roles-0-unit": existing.unit_id, "roles-0-role": existing.role,
                 "roles-1-user": chakan.pk, "roles-1-unit": company.pk, "roles-1-role": Role.DISCIPLINE})
    r = admin.post(f"/admin/org/user/{chakan.pk}/change/", data)
    assert r.status_code == 200 and DENIED in r.content.decode(), r.content.decode()[:2000]
    assert _grants(chakan) == 0


def test_no_door_below_the_admin_either(users, company):
    with pytest.raises(PermissionDenied):
        RoleAssignment.objects.create(user=users["chakan"], unit=company, role=Role.DISCIPLINE)
    ra = RoleAssignment.objects.get(user=users["chakan"])
    ra.role = Role.SECRETARY
    with pytest.raises(PermissionDenied):
        ra.save()


def test_the_superuser_cannot_take_over_an_account_that_sees_confidential_records(client_as, users):
    admin = client_as("admin_demo")
    jiwei = users["jiwei"]
    r = admin.post(f"/admin/org/user/{jiwei.pk}/password/", {"password1": "Takeover-2023x!", "password2": "Takeover-2023x!",
                                                            "usable_password": "true"}, follow=True)
    jiwei.refresh_from_db()
    assert not jiwei.check_password("Takeover-2023x!") and "密码只能由本人修改" in r.content.decode()
    # API tokens are made by their owner only (account page, API, command line): the admin has no page for them
    assert admin.get("/admin/tokens/accesstoken/add/").status_code == 404
    # an account without such a role: the administrator may still reset it
    r = admin.post(f"/admin/org/user/{users['chakan'].pk}/password/",
                   {"password1": "Reset-Chakan-2023!", "password2": "Reset-Chakan-2023!", "usable_password": "true"})
    assert r.status_code == 302


def test_there_is_no_api_for_role_assignments(api_as):
    assert api_as("admin_demo").post("/api/role-assignments/", {}, format="json").status_code == 404


def test_request_then_a_second_authorised_person_approves(client_as, users, company, case):
    admin, chakan = client_as("admin_demo"), users["chakan"]
    reader = client_as("chakan")
    assert reader.get(f"/records/accountability/{case.pk}/").status_code == 404
    page = admin.get("/org/access/")
    assert page.status_code == 200 and "申请授予保密角色" in page.content.decode()
    r = admin.post("/org/access/", {"username": "chakan", "unit": company.pk, "role": Role.DISCIPLINE,
                                    "reason": "江化纪〔2023〕1号任职"})
    assert r.status_code == 302
    req = RoleRequest.objects.get(user=chakan)
    assert req.status == "pending" and _grants(chakan) == 0
    assert reader.get(f"/records/accountability/{case.pk}/").status_code == 404  # pending grants nothing

    # the requester cannot approve; nor a second administrator (no confidential rights); nor 党务干事
    assert admin.post(f"/org/access/{req.pk}/approve/").status_code == 403
    admin2 = User.objects.create(username="admin2", is_staff=True, is_superuser=True)
    RoleAssignment.objects.create(user=admin2, unit=company, role=Role.ADMIN)
    client2 = client_as("admin2")
    assert client2.post(f"/org/access/{req.pk}/approve/").status_code == 403
    assert client_as("dangban").post(f"/org/access/{req.pk}/approve/").status_code == 404
    assert client_as("dangban").get("/org/access/").status_code == 403
    assert _grants(chakan) == 0

    # 纪委书记 sees it waiting and approves it
    waiting = client_as("jiwei").get("/org/access/")
    assert "待我批准" in waiting.content.decode() and "江化纪〔2023〕1号任职" in waiting.content.decode()
    r = client_as("jiwei").post(f"/org/access/{req.pk}/approve/", {"note": "同意"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "approved" and req.decided_by == users["jiwei"] and _grants(chakan) == 1
    assert client_as("chakan").get(f"/records/accountability/{case.pk}/").status_code == 200
    assert client_as("jiwei").post(f"/org/access/{req.pk}/approve/").status_code == 403  # once only

    trail = list(AuditEntry.objects.filter(model__in=["org.rolerequest", "org.roleassignment"]).order_by("-seq")[:3])
    assert [(e.action, e.model, e.actor_name) for e in reversed(trail)] == [
        ("create", "org.rolerequest", "系统管理员"), ("update", "org.rolerequest", users["jiwei"].get_full_name()),
        ("create", "org.roleassignment", users["jiwei"].get_full_name())]


def test_nobody_approves_their_own_grant(client_as, users, company):
    admin = client_as("admin_demo")
    admin.post("/org/access/", {"username": "jiwei", "unit": company.pk, "role": Role.SECRETARY, "reason": "兼任"})
    req = RoleRequest.objects.get(user=users["jiwei"], role=Role.SECRETARY)
    r = client_as("jiwei").post(f"/org/access/{req.pk}/approve/")
    assert r.status_code == 403 and "不能批准授予自己的角色" in r.content.decode()
    assert client_as("shuji").post(f"/org/access/{req.pk}/approve/").status_code == 302
    assert _grants(users["jiwei"], Role.SECRETARY) == 1


def test_the_requester_may_withdraw_and_a_decided_request_stays_decided(client_as, users, company):
    admin = client_as("admin_demo")
    admin.post("/org/access/", {"username": "chakan", "unit": company.pk, "role": Role.DISCIPLINE, "reason": "试"})
    req = RoleRequest.objects.get(user=users["chakan"])
    assert admin.post(f"/org/access/{req.pk}/reject/").status_code == 302
    req.refresh_from_db()
    assert req.status == "rejected"
    assert client_as("jiwei").post(f"/org/access/{req.pk}/approve/").status_code == 403
    assert _grants(users["chakan"]) == 0


def test_the_command_line_approves_only_the_first_grant(users, company):
    call_command("roles", "request", account="chakan", unit="JH01", role="discipline", reason="首次", user="admin_demo")
    req = RoleRequest.objects.get(user=users["chakan"])
    with pytest.raises(CommandError, match="已有可以审批的人员"):
        call_command("roles", "approve", req.pk)  # the operator, while 纪委 and the secretary can approve
    call_command("roles", "approve", req.pk, user="shuji")
    assert _grants(users["chakan"]) == 1


def test_the_demo_grants_went_through_four_eyes(users):
    approved = {r.user.username: r for r in RoleRequest.objects.filter(status="approved")}
    assert approved["shuji"].decided_by is None and approved["shuji"].requested_by == users["admin_demo"]
    assert approved["jiwei"].decided_by == users["shuji"]
