"""Web pages of organisations, missions and visits (issue 3)."""

app_name = "crm"
urlpatterns: list = []
