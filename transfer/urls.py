"""Imports and exports (issue 7)."""

from django.urls import path

from transfer import merge_views, views

app_name = "transfer"
urlpatterns = [
    path("import/<str:kind>/", views.import_page, name="import"),
    path("import/<str:kind>/template.xlsx", views.import_template, name="template"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/commit/", views.job_commit, name="job_commit"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/columns/", views.job_columns, name="job_columns"),
    path("export/<str:name>.xlsx", views.export_list, name="export"),
    path("export/reports/<str:name>.xlsx", views.export_report, name="export_report"),
    path("merge/<int:organisation_id>/", merge_views.merge_start, name="merge_start"),
    path("merges/", merge_views.merge_list, name="merge_list"),
    path("merges/<int:pk>/undo/", merge_views.merge_undo, name="merge_undo"),
]
