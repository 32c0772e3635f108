"""API credentials: ``Authorization: Bearer <token>`` (or ``Token <token>``), and HTTP Basic with the token as
the password — for tools that only know Basic. Account passwords are never accepted by the API: they stay behind
the sign-in page and its lockout.

A missing or bad credential is answered 401 with ``WWW-Authenticate: Bearer``: these classes come before the
session one, and DRF names the first class's challenge.
"""

from __future__ import annotations

import dataclasses

from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, BasicAuthentication, get_authorization_header

from lvzhi.org.scoping import scope_for

from . import services
from .models import AccessToken

CHALLENGE = 'Bearer realm="lvzhi"'
BAD_TOKEN = "令牌无效、已过期或已撤销。请在“我的账号 · 接口令牌”页面创建新令牌。"


def _login(token: AccessToken):
    user = token.user
    if token.read_only:
        # Every write check asks the user's scope: a read-only token's scope may write nowhere.
        user._lvzhi_scope = dataclasses.replace(scope_for(user), write_paths={})
    return user, token


class AccessTokenAuthentication(BaseAuthentication):
    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("认证信息格式不正确：应为 Authorization: Bearer <令牌>。")
        try:
            plain = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(BAD_TOKEN) from None
        token = services.authenticate(plain)
        if token is None:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        return _login(token)

    def authenticate_header(self, request):
        return CHALLENGE


class TokenBasicAuthentication(BasicAuthentication):
    """HTTP Basic: user name and a personal access token of that user as the password."""

    def authenticate_credentials(self, userid, password, request=None):
        token = services.authenticate(password or "")
        if token is None or token.user.get_username() != userid:
            raise exceptions.AuthenticationFailed("用户名或令牌不正确（HTTP Basic 认证的密码应为接口令牌，不是登录密码）。")
        return _login(token)

    def authenticate_header(self, request):
        return CHALLENGE


class ReadOnlyTokenPermission(permissions.BasePermission):
    """A read-only token may read, never write (the scope refuses too; this says why, before anything runs)."""

    message = "该令牌为只读令牌，不能新增、修改或删除数据。"

    def has_permission(self, request, view):
        token = request.auth
        return not (isinstance(token, AccessToken) and token.read_only
                    and request.method not in permissions.SAFE_METHODS)
