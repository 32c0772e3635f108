from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/text/", views.save_text, name="save_text"),
    path("<int:pk>/draft/<slug:key>/", views.draft, name="draft"),
    path("<int:pk>/finalise/", views.finalise, name="finalise"),
    path("<int:pk>/new-version/", views.new_version, name="new_version"),
    path("<int:pk>/download/<str:fmt>/", views.download, name="download"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/default/", views.template_default, name="template_default"),
]
