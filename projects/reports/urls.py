"""Report pages (under /reports/) and their JSON endpoints (under /api/v1/reports/)."""

from django.urls import path

from projects.reports import api, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("splits/<str:key>/", views.dashboard_split, name="dashboard_split"),
    path("review/", views.review, name="review"),
    path("supervision/", views.supervision, name="supervision"),
    path("missions/", views.missions, name="missions"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("losses/", views.losses, name="losses"),
    path("weekly/", views.weekly, name="weekly"),
]

# Included by config.api_urls under v1/reports/ (namespace "api:reports").
api_urlpatterns = (
    [
        path("dashboard/", api.DashboardView.as_view(), name="dashboard"),
        path("review/", api.ReviewView.as_view(), name="review"),
        path("supervision/", api.SupervisionView.as_view(), name="supervision"),
        path("missions/", api.MissionReportView.as_view(), name="missions"),
        path("scorecards/", api.ScorecardView.as_view(), name="scorecards"),
        path("targets/", api.TargetsView.as_view(), name="targets"),
        path("losses/", api.LossesView.as_view(), name="losses"),
        path("weekly/", api.WeeklyView.as_view(), name="weekly"),
    ],
    "reports",
)
