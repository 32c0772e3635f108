from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "lvzhi.org"
    label = "org"
    verbose_name = "组织与人员"
