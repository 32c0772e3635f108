from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/move/", views.unit_move_view, name="unit_move"),
    path("people/lookup/", views.people_lookup, name="people_lookup"),
]
