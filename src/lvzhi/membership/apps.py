from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "lvzhi.membership"
    label = "membership"
    verbose_name = "党员队伍"

    def ready(self):
        from . import signals  # noqa: F401  (keeps people's current Party status derived from their events)
