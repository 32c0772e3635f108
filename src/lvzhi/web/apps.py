from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WebConfig(AppConfig):
    name = "lvzhi.web"
    label = "web"
    verbose_name = "界面"

    def ready(self):
        from lvzhi.web import datachange_triggers

        # After every migrate, so that tables added by later migrations announce their changes too. No sender:
        # Django sends post_migrate only for apps with models, which this one has not (install is idempotent).
        post_migrate.connect(datachange_triggers.install, dispatch_uid="lvzhi.datachange")
