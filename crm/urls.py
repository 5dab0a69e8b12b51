"""Web pages of organisations, contacts, missions and visits (issue 3)."""

from django.urls import path

from crm import views

app_name = "crm"
urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/new/", views.OrganisationEditView.as_view(), name="organisation_create"),
    path("organisations/autocomplete/", views.OrganisationAutocompleteView.as_view(), name="organisation_autocomplete"),
    path("organisations/similar/", views.SimilarOrganisationsView.as_view(), name="organisation_similar"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.OrganisationEditView.as_view(), name="organisation_edit"),
    path("organisations/<int:organisation_pk>/contacts/new/", views.ContactEditView.as_view(), name="contact_create"),
    path("contacts/", views.ContactListView.as_view(), name="contact_list"),
    path("contacts/<int:pk>/edit/", views.ContactEditView.as_view(), name="contact_edit"),
    path("missions/", views.MissionListView.as_view(), name="mission_list"),
    path("missions/<int:pk>/", views.MissionDetailView.as_view(), name="mission_detail"),
    path("missions/autocomplete/", views.MissionAutocompleteView.as_view(), name="mission_autocomplete"),
    path("officers/autocomplete/", views.OfficerAutocompleteView.as_view(), name="officer_autocomplete"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("visits/new/contacts/", views.VisitContactsView.as_view(), name="visit_contacts"),
    path("visits/<int:pk>/edit/", views.VisitEditView.as_view(), name="visit_edit"),
    path("visits/<int:pk>/follow-up-done/", views.FollowUpDoneView.as_view(), name="visit_follow_up_done"),
]
