from django.apps import AppConfig


class PartyBuildingConfig(AppConfig):
    name = "lvzhi.partybuilding"
    label = "partybuilding"
    verbose_name = "基层党建"
