"""API-wide permission and error handling: scope decides, messages are Chinese, out-of-scope is 404."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response

from .scoping import scope_for


class ScopedPermission(permissions.BasePermission):
    """Signed in and holding at least one role; what they may touch is decided by their scope."""

    message = "您尚未获得任何单位的角色授权，请联系系统管理员。"

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(scope_for(user).read_paths)


def _messages(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in errs] for field, errs in exc.message_dict.items()}
    return {"detail": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    # Imported here: rest_framework.views imports the permission classes above at import time.
    from rest_framework.views import exception_handler as drf_exception_handler

    from lvzhi.records.services import ConcurrentEditError

    if isinstance(exc, Http404):  # Django's own message is English ("No Unit matches the given query.")
        exc = exceptions.NotFound("未找到该记录，或您无权查看。")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_messages(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "您没有执行该操作的权限。")
    elif isinstance(exc, ConcurrentEditError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, exceptions.ParseError):  # DRF's text names the JSON decoder's error, in English
        exc = exceptions.ParseError("请求内容无法解析：请发送有效的 JSON（或表单）数据。")
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 400:  # every 400 lists its reasons per field
        if isinstance(response.data, list):
            response.data = {"detail": [str(m) for m in response.data]}
        elif isinstance(response.data.get("detail"), str):
            response.data = {"detail": [response.data["detail"]]}
    return response
