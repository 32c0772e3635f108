from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "lvzhi.reports"
    label = "reports"
    verbose_name = "述职报告"

    def ready(self):
        from .dataset import register

        register()  # report templates travel in the whole-dataset workbook
