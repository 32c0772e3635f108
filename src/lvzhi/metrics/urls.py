from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:metric_id>/records/", views.records, name="records"),
]
