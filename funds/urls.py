"""Funds in place (issue 18): a project's funds and the monthly report."""

from django.urls import path

from funds import views

app_name = "funds"
urlpatterns = [
    path("projects/<int:pk>/", views.project_funds, name="project_funds"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("monthly-report/", views.monthly_report, name="monthly_report"),
]
