"""Web pages of problems and asks (协调事项) and aftercare visits, under /problems/."""

from django.urls import path

from problems import views

app_name = "problems"
urlpatterns = [
    path("", views.ProblemListView.as_view(), name="problem_list"),
    path("export.xlsx", views.ProblemExportView.as_view(), name="problem_export"),
    path("<int:pk>/", views.ProblemDetailView.as_view(), name="problem_detail"),
    path("<int:pk>/edit/", views.ProblemFormView.as_view(), name="problem_edit"),
    path("<int:pk>/status/", views.ProblemStatusView.as_view(), name="problem_status"),
    path("projects/<int:project_pk>/new/", views.ProblemFormView.as_view(), name="problem_create"),
    path("projects/<int:project_pk>/aftercare/", views.AftercareVisitView.as_view(), name="aftercare_visit"),
]
