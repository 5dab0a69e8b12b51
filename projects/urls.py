"""Web pages of pipeline projects (issue 3) and reports (issue 5)."""

from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("my-work/", views.my_work, name="my_work"),
]
