from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

# Named without a namespace where Django's own names are expected (login, logout, ...).
urlpatterns = [
    path("login/", views.PasswordStepView.as_view(), name="login"),
    path("login/code/", views.code_step, name="login_code"),
    path("login/enrol/", views.enrol, name="two_factor_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", views.security, name="account_security"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
