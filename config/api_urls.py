"""The REST API under /api/ (issue 6): resources under v1/, the OpenAPI schema and its docs."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from agreements.api import AgreementViewSet, PromiseCheckViewSet
from config.docs import redoc_bundle
from core.api import NotificationViewSet, TokenView, not_found
from crm.api import ContactViewSet, IndustryViewSet, MissionViewSet, OrganisationViewSet, ParkViewSet, VisitViewSet
from funds.api import FundsEntryViewSet
from problems.api import DepartmentViewSet, ProblemViewSet
from projects.api import ProjectViewSet, ReplanViewSet, StageChangeViewSet
from projects.reports.urls import api_urlpatterns as report_api_urls

router = DefaultRouter()
router.include_root_view = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("contacts", ContactViewSet, basename="contact")
router.register("industries", IndustryViewSet, basename="industry")
router.register("parks", ParkViewSet, basename="park")
router.register("missions", MissionViewSet, basename="mission")
router.register("visits", VisitViewSet, basename="visit")
router.register("projects", ProjectViewSet, basename="project")
router.register("stage-changes", StageChangeViewSet, basename="stagechange")
router.register("replans", ReplanViewSet, basename="replan")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("promise-checks", PromiseCheckViewSet, basename="promisecheck")
router.register("problems", ProblemViewSet, basename="problem")
router.register("problem-departments", DepartmentViewSet, basename="problemdepartment")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("funds", FundsEntryViewSet, basename="fundsentry")

app_name = "api"

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="token"),
    path("v1/reports/", include(report_api_urls)),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both docs pages load their scripts as files, as the Content-Security-Policy asks;
    # ReDoc also runs a web worker made from a blob.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    path("redoc/redoc.standalone.js", redoc_bundle, name="redoc_bundle"),
    # Anything else under /api/ (e.g. /api/v1/projects/abc/) answers in the API's JSON shape.
    re_path(r"^.*$", not_found),
]
