from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("jobs/<int:pk>/", views.job, name="job"),
    path("dataset/", views.dataset, name="dataset"),
    path("dataset/export.xlsx", views.dataset_export, name="dataset_export"),
    path("<str:key>/upload/", views.upload, name="upload"),
    path("<str:key>/export.xlsx", views.export, name="export"),
    path("<str:key>/template.xlsx", views.template, name="template"),
]
