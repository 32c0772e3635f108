from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "lvzhi.records"
    label = "records"
    verbose_name = "记录（通用机制）"

    def ready(self):
        # Each domain app registers its record types in its records.py; import them all once.
        from importlib import import_module
        from importlib.util import find_spec

        from django.apps import apps

        for config in apps.get_app_configs():
            if config.name.startswith("lvzhi.") and find_spec(f"{config.name}.records"):
                import_module(f"{config.name}.records")
