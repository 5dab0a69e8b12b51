"""Web pages of pipeline projects (issue 3) and reports (issue 5)."""

from django.urls import path

from projects import credit_views, views

app_name = "projects"
urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("board/<str:stage>/more/", views.BoardColumnView.as_view(), name="board_column"),
    path("new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("new/investors/", views.InvestorOptionsView.as_view(), name="investor_options"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_update"),
    path("<int:pk>/stage/", views.ProjectStageView.as_view(), name="project_stage"),
    path("<int:pk>/replan/<str:stage>/", views.ProjectReplanView.as_view(), name="project_replan"),
    path("<int:pk>/dates/<str:stage>/", views.ProjectCompleteDateView.as_view(), name="project_complete_date"),
    path("<int:pk>/credit/", credit_views.ProjectCreditView.as_view(), name="project_credit"),
]
