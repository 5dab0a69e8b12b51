"""Web pages of the industry workbench (issue 10), under /industries/."""

from django.urls import path

from chains import views

app_name = "chains"
urlpatterns = [
    path("", views.IndustryListView.as_view(), name="industry_list"),
    path("<int:pk>/", views.IndustryDetailView.as_view(), name="industry_detail"),
    path("<int:pk>/map/", views.ChainMapView.as_view(), name="chain_map"),
    path("<int:pk>/map.xlsx", views.MapExportView.as_view(), name="chain_map_export"),
    path("<int:pk>/targets/", views.TargetAddView.as_view(), name="target_add"),
    path("targets/<int:pk>/remove/", views.TargetRemoveView.as_view(), name="target_remove"),
    path("organisations/options/", views.OrganisationOptionsView.as_view(), name="organisation_options"),
    path("<int:pk>/items/", views.MemberAddView.as_view(), name="member_add"),
    path("items/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path("<int:pk>/documents/", views.DocumentUploadView.as_view(), name="document_upload"),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document_download"),
]
