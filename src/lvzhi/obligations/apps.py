from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    name = "lvzhi.obligations"
    label = "obligations"
    verbose_name = "规则与检查"
