"""Web pages of organisations, missions and visits (issue 3)."""

from django.urls import path

from crm import views

app_name = "crm"
urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/autocomplete/", views.OrganisationAutocompleteView.as_view(), name="organisation_autocomplete"),
    path("organisations/similar/", views.SimilarOrganisationsView.as_view(), name="organisation_similar"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("missions/", views.MissionListView.as_view(), name="mission_list"),
    path("missions/<int:pk>/", views.MissionDetailView.as_view(), name="mission_detail"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("visits/new/contacts/", views.VisitContactsView.as_view(), name="visit_contacts"),
]
