"""The credentials of the API as /api/schema/ documents them (security schemes for clients and Swagger UI)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lvzhi.tokens.authentication.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "个人接口令牌：Authorization: Bearer lvzhi_…（在“我的账号 · 接口令牌”页面或 `lvzhi token create` 创建）"}


class TokenBasicScheme(OpenApiAuthenticationExtension):
    target_class = "lvzhi.tokens.authentication.TokenBasicAuthentication"
    name = "tokenBasic"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic", "description": "HTTP Basic：用户名 + 接口令牌（不是登录密码）"}
