from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "lvzhi.governance"
    label = "governance"
    verbose_name = "三重一大与前置研究"
