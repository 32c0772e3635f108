"""Creating and revoking access tokens (audited); finding the token behind a credential."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lvzhi.audit.actors import Actor, person
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import log_change

from .models import AccessToken

PREFIX = "lvzhi_"
DEFAULT_DAYS = 90
MAX_DAYS = 366
# last_used_at is written at most this often per token: not one UPDATE per API request.
USE_RESOLUTION = dt.timedelta(minutes=5)


def digest(token: str) -> str:
    # A token carries 256 random bits: a plain SHA-256 is enough (no salt or slow hash needed, unlike passwords),
    # and it lets a request find its token by an indexed lookup.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _summary(token: AccessToken) -> dict:
    return {"user": token.user.get_username(), "name": token.name, "prefix": token.prefix,
            "read_only": token.read_only, "expires_at": token.expires_at.isoformat()}


def create_token(user, *, name: str, days: int = DEFAULT_DAYS, read_only: bool = False, actor: Actor | None = None,
                 not_after: dt.datetime | None = None) -> tuple[AccessToken, str]:
    """A new token for ``user``; returns the row and the token itself (never stored, shown once).

    ``not_after``: a token created with another token may not outlive it.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写令牌用途（如“人事系统同步”），便于日后辨认和撤销。"})
    if len(name) > 100:
        raise ValidationError({"name": "用途不超过 100 个字。"})
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"有效天数应为 1—{MAX_DAYS} 之间的整数。"})
    if not user.is_active:
        raise PermissionDenied("账号已停用，不能创建令牌。")
    expires = timezone.now() + dt.timedelta(days=days)
    if not_after is not None and expires > not_after:
        raise ValidationError({"days": f"用令牌创建的令牌不能晚于该令牌本身到期（{timezone.localtime(not_after):%Y-%m-%d %H:%M}）。"})
    plain = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = AccessToken.objects.create(user=user, name=name, prefix=plain[:len(PREFIX) + 6], digest=digest(plain),
                                           read_only=read_only, expires_at=expires)
        log_change(actor if actor is not None else user, AuditAction.CREATE, token, after=_summary(token))
    return token, plain


def revoke_token(token: AccessToken, *, actor: Actor) -> AccessToken:
    """Revoke a token now (idempotent). Only its owner (or an operator at the command line) may."""
    user = person(actor)
    if user is not None and user.pk != token.user_id:
        raise PermissionDenied("只能撤销自己的令牌。")
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_change(actor, AuditAction.UPDATE, token, before={"revoked_at": None},
                   after={**_summary(token), "revoked_at": token.revoked_at.isoformat()})
    return token


def authenticate(plain: str) -> AccessToken | None:
    """The valid token for a credential, or None (unknown, expired, revoked, or its user deactivated)."""
    if not plain.startswith(PREFIX) or len(plain) > 100:
        return None
    token = AccessToken.objects.select_related("user").filter(digest=digest(plain)).first()
    if token is None or token.state != "active" or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
