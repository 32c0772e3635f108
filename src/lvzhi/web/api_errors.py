"""The error responses of every API operation, written into /api/schema/ so clients (and the fuzzing tests) know
them: 400 for invalid data or filters, 401 without credentials, 403 without the right, 404 for records that do
not exist or lie outside the user's units, 409 for a change based on an outdated version."""

from __future__ import annotations

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# Validation errors name the fields: {"unit": ["…"], "detail": ["…"]}
INVALID = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}

REASONS = {
    "400": ("请求数据或查询参数无效（按字段列出原因）", "ValidationErrors"),
    "401": ("未登录或令牌无效", "ErrorDetail"),
    "403": ("没有执行该操作的权限", "ErrorDetail"),
    "404": ("记录不存在，或不在您的单位范围内", "ErrorDetail"),
    "409": ("记录已被他人修改（版本号不符），本次修改未生效", "ErrorDetail"),
}


def _codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["401", "403"]
    if operation.get("parameters") or operation.get("requestBody"):
        codes.append("400")
    if "{" in path:
        codes.append("404")
    if method in ("put", "patch") or path.endswith("/revise/"):
        codes.append("409")
    return codes


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorDetail"] = DETAIL
    schemas["ValidationErrors"] = INVALID
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in _codes(path, method, operation):
                description, schema = REASONS[code]
                operation["responses"].setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
                })
    return result
