from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.docs import FaviconView
from core import views as core_views
from projects.views import my_work

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("core.notification_urls")),
    path("api/", include("config.api_urls")),
    path("crm/", include("crm.urls")),
    path("projects/", include("projects.urls")),
    path("reports/", include("projects.reports.urls")),
    path("transfer/", include("transfer.urls")),
    path("industries/", include("chains.urls")),
    path("search/", include("finder.urls")),
    path("claims/", include("claims.urls")),
    path("funds/", include("funds.urls")),
    path("agreements/", include("agreements.urls")),
    path("problems/", include("problems.urls")),
    path("calendar/", include("outbound.urls")),
    # The home page is "My work"; wired here so that core does not depend on projects.
    path("", my_work, name="home"),
]

if settings.BENCH_HEADERS:
    urlpatterns.insert(0, path("bench/floor", core_views.bench_floor, name="bench_floor"))
