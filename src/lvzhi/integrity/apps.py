from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "lvzhi.integrity"
    label = "integrity"
    verbose_name = "党风廉政"
