"""The one search box (issue 20), under /search/."""

from django.urls import path

from finder import views

app_name = "finder"
urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("suggest/", views.SuggestView.as_view(), name="suggest"),
]
