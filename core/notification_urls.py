"""Notification pages; config/urls.py includes them at notifications/."""

from django.urls import path

from core import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("count", views.notification_count, name="count"),
    path("read", views.notification_mark_read, name="mark_read"),
    path("email", views.notification_email_setting, name="email"),
    path("<int:pk>/", views.notification_open, name="open"),
]
