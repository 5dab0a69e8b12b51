"""Web pages of pipeline projects (issue 3) and reports (issue 5)."""

app_name = "projects"
urlpatterns: list = []
