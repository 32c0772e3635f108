from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "lvzhi.tokens"
    label = "tokens"
    verbose_name = "接口令牌"

    def ready(self):
        from . import schema  # noqa: F401  (registers the authentication schemes with drf-spectacular)
