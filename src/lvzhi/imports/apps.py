from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "lvzhi.imports"
    label = "imports"
    verbose_name = "Excel 导入导出"
