from django.urls import path

from . import access_views, views

app_name = "org"
urlpatterns = [
    path("tree/", views.tree, name="tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/move/", views.unit_move_view, name="unit_move"),
    path("people/lookup/", views.people_lookup, name="people_lookup"),
    path("access/", access_views.role_requests, name="role_requests"),
    path("access/<int:pk>/<str:decision>/", access_views.role_request_decide, name="role_request_decide"),
]
