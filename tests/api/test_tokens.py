"""Personal access tokens: stored hashed, acting as their user (scope, optionally read-only), ending on expiry,
revocation or deactivation; created and revoked through the account page, the API and ``lvzhi token``."""

import base64
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from lvzhi.audit.models import AuditEntry
from lvzhi.tokens import services
from lvzhi.tokens.models import AccessToken

pytestmark = pytest.mark.django_db


def _basic(user, secret):
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def test_only_a_digest_is_stored(users):
    token, plain = services.create_token(users["dangban"], name="人事系统同步", actor=users["dangban"])
    row = AccessToken.objects.filter(pk=token.pk).values().get()
    assert plain.startswith("lvzhi_") and len(plain) > 40
    assert all(plain not in str(v) for v in row.values())
    assert row["digest"] == services.digest(plain) and row["prefix"] == plain[:12]
    # the audit trail names the token, never its text
    assert all(plain not in str(e.after) for e in AuditEntry.objects.filter(model="tokens.accesstoken"))


def test_a_token_acts_as_its_user_within_their_units(bearer, company):
    own = bearer("zhibu").get("/api/branch-activities/?limit=1000").json()
    assert own["count"] > 0
    assert bearer("zhibu").get(f"/api/units/{company.pk}/").status_code == 404  # the company lies above the branch
    assert bearer("dangban").get(f"/api/units/{company.pk}/").status_code == 200


def test_basic_auth_takes_the_token_as_password_never_the_login_password(token_for, demo_password):
    plain = token_for("dangban")
    c = APIClient()
    assert c.get("/api/units/", HTTP_AUTHORIZATION=_basic("dangban", plain)).status_code == 200
    for who, secret in (("dangban", demo_password), ("shuji", plain)):
        r = c.get("/api/units/", HTTP_AUTHORIZATION=_basic(who, secret))
        assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Bearer")
        assert "接口令牌" in r.json()["detail"]


@pytest.mark.parametrize("spoil", ["expired", "revoked", "deactivated", "garbled"])
def test_a_spoilt_token_is_refused_with_401(users, spoil):
    user = users["dangban"]
    token, plain = services.create_token(user, name="测试", actor=user)
    if spoil == "expired":
        AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif spoil == "revoked":
        services.revoke_token(token, actor=user)
    elif spoil == "deactivated":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        plain = plain[:-2] + ("AA" if not plain.endswith("AA") else "BB")
    r = APIClient().get("/api/units/", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert r.status_code == 401 and r["WWW-Authenticate"] == 'Bearer realm="lvzhi"'
    assert "令牌无效" in r.json()["detail"]


def test_a_read_only_token_reads_but_never_writes(bearer, company):
    c = bearer("dangban", read_only=True)
    assert c.get("/api/study-sessions/").status_code == 200
    r = c.post("/api/study-sessions/", {"unit": company.pk, "date": "2022-03-01", "title": "只读令牌"})
    assert r.status_code == 403 and "只读" in r.json()["detail"]
    # and the user's scope behind it is read-only too, whatever door a write goes through
    from lvzhi.org.scoping import scope_for
    from lvzhi.tokens.authentication import _login

    token = AccessToken.objects.filter(read_only=True).latest("pk")
    user, _ = _login(token)
    assert not scope_for(user).can_write_any("party_building")


def test_tokens_through_the_api(bearer, users):
    c = bearer("dangban")
    r = c.post("/api/tokens/", {"name": "报表脚本", "days": 7, "read_only": True})
    assert r.status_code == 201, r.content
    plain = r.json()["token"]
    listed = c.get("/api/tokens/").json()["results"]
    assert {t["name"] for t in listed} >= {"报表脚本", "测试"} and all("token" not in t for t in listed)
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert fresh.get("/api/tokens/").status_code == 200
    assert fresh.post("/api/tokens/", {"name": "再来一个"}).status_code == 403  # read-only
    assert c.delete(f"/api/tokens/{r.json()['id']}/").status_code == 204
    assert fresh.get("/api/tokens/").status_code == 401
    # another user's token is not there at all
    other, _ = services.create_token(users["shuji"], name="书记的", actor=users["shuji"])
    assert c.get(f"/api/tokens/{other.pk}/").status_code == 404
    assert c.delete(f"/api/tokens/{other.pk}/").status_code == 404


def test_a_token_cannot_mint_a_longer_lived_one(bearer):
    c = bearer("dangban", days=5)
    r = c.post("/api/tokens/", {"name": "更长", "days": 30})
    assert r.status_code == 400 and "不能晚于" in r.json()["days"][0]
    assert c.post("/api/tokens/", {"name": "更短", "days": 2}).status_code == 201
    assert c.post("/api/tokens/", {"name": "", "days": 2}).status_code == 400
    assert c.post("/api/tokens/", {"name": "太久", "days": 400}).status_code == 400


def test_the_account_page_creates_shows_once_and_revokes(client_as, users):
    page = client_as("xuanchuan")
    r = page.post("/account/tokens/", {"name": "新媒体平台", "days": 30, "read_only": "on"})
    html = r.content.decode()
    plain = re.search(r"lvzhi_[A-Za-z0-9_-]{40,}", html).group(0)
    token = AccessToken.objects.get(digest=services.digest(plain))
    assert token.read_only and token.user == users["xuanchuan"] and "新媒体平台" in html
    again = page.get("/account/tokens/").content.decode()
    assert plain not in again and token.prefix in again
    assert page.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.state == "revoked"
    other, _ = services.create_token(users["shuji"], name="书记的", actor=users["shuji"])
    assert page.post(f"/account/tokens/{other.pk}/revoke/").status_code == 404


def test_the_command_line_creates_lists_and_revokes(users):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "--user", "jiwei", "--read-only", "--days", "3", stdout=out, stderr=err)
    plain = out.getvalue().strip()
    token = AccessToken.objects.get(digest=services.digest(plain))
    assert token.read_only and token.user == users["jiwei"] and "只显示这一次" in err.getvalue()
    assert (token.expires_at - timezone.now()).days == 2  # three days from now, less the seconds elapsed
    r = APIClient().get("/api/units/", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert r.status_code == 200
    listing = io.StringIO()
    call_command("token", "list", "--user", "jiwei", stdout=listing)
    assert token.prefix in listing.getvalue() and plain not in listing.getvalue()
    call_command("token", "revoke", str(token.pk), stdout=io.StringIO())
    assert APIClient().get("/api/units/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_a_renamed_path_redirects_to_its_plural_and_says_it_is_deprecated(bearer):
    """/api/branch-activitys/ (the naive plural of earlier releases) → /api/branch-activities/, method kept (308)."""
    client = bearer("zhibu")
    old = client.get("/api/branch-activitys/?limit=1")
    assert old.status_code == 308
    assert old["Location"] == "/api/branch-activities/?limit=1"
    assert old["Deprecation"] == "true"
    new = client.get(old["Location"])
    assert new.status_code == 200 and new.json()["count"] >= 1
