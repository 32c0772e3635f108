from django.urls import path

from . import grading_views, views

app_name = "appraisal"
urlpatterns = [
    path("", views.index, name="index"),
    path("vote/", views.vote, name="vote"),
    path("grading/", grading_views.overview, name="grading"),
    path("grading/export.xlsx", grading_views.export_xlsx, name="grading_xlsx"),
    path("grading/scheme/", grading_views.scheme, name="grading_scheme"),
    path("grading/scheme/manual/<int:indicator>/", grading_views.manual_scores, name="grading_manual"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/settings/", views.edit_settings, name="settings"),
    path("<int:pk>/reportees/", views.reportees, name="reportees"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/codes/", views.codes, name="codes"),
    path("<int:pk>/paper/template.xlsx", views.paper_template, name="paper_template"),
    path("<int:pk>/paper/", views.paper_import, name="paper_import"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:pk>/rectification.xlsx", views.rectification_xlsx, name="rectification_xlsx"),
    path("<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("<int:pk>/reportees/<int:reportee>/problems/", views.problem_add, name="problem_add"),
    path("<int:pk>/problems/<int:problem>/", views.problem_edit, name="problem_edit"),
]
