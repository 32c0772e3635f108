from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "lvzhi.metrics"
    label = "metrics"
    verbose_name = "指标"
