from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("checks/", views.CheckListView.as_view(), name="check_list"),
    path("checks/export.xlsx", views.CheckListExportView.as_view(), name="check_list_export"),
    path("checks/<int:pk>/record/", views.CheckRecordView.as_view(), name="check_record"),
    path("new/<int:project_pk>/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path("<int:pk>/edit/", views.AgreementUpdateView.as_view(), name="agreement_update"),
    path("<int:pk>/documents/", views.DocumentUploadView.as_view(), name="document_upload"),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document_download"),
]
