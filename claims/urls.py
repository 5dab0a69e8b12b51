from django.urls import path

from claims import views

app_name = "claims"
urlpatterns = [
    path("", views.ClaimListView.as_view(), name="claim_list"),
    path("register/<int:organisation_pk>/", views.ClaimRegisterView.as_view(), name="claim_register"),
    path("collisions/<int:pk>/decide/", views.CollisionDecideView.as_view(), name="collision_decide"),
]
