from django.apps import AppConfig


class IdeologyConfig(AppConfig):
    name = "lvzhi.ideology"
    label = "ideology"
    verbose_name = "意识形态"
