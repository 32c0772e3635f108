from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("<str:key>/", views.record_list, name="list"),
    path("<str:key>/new/", views.record_edit, name="new"),
    path("<str:key>/<int:pk>/", views.record_detail, name="detail"),
    path("<str:key>/<int:pk>/edit/", views.record_edit, name="edit"),
    path("<str:key>/<int:pk>/delete/", views.record_delete, name="delete"),
    path("<str:key>/<int:pk>/attachments/", views.attachment_upload, name="attach"),
    path("<str:key>/<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
