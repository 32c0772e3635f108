from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lvzhi.web"
    label = "web"
    verbose_name = "界面"
