from django.urls import path

from . import views

app_name = "obligations"
urlpatterns = [
    path("warnings/", views.warnings, name="warnings"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, name="export"),
    path("dashboard/rule/", views.panel, name="panel"),
    path("cell/", views.cell, name="cell"),
    path("missing/", views.missing, name="missing"),
    path("rules/", views.rules, name="rules"),
    path("rules/<str:rule_id>/versions/", views.rule_versions, name="rule_versions"),
    path("rules/<int:pk>/revise/", views.rule_revise, name="rule_revise"),
]
