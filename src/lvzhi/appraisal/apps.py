from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "lvzhi.appraisal"
    label = "appraisal"
    verbose_name = "述职评议考核"
