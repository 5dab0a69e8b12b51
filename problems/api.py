"""API of problems and asks (项目诉求) and the departments responsible, under /api/v1/.

A problem is as visible as its project (problems.selectors): hidden ones are not listed
and answer 404. Writes go through problems.services like the pages: POST /problems/
raises one, POST /problems/{id}/change-status/ moves its status (closing needs a note).
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.api import ERRORS, LIST_ERRORS, READ_ERRORS, APIBase, StrictTypesMixin
from core.errors import NotPermitted
from problems import selectors, services
from problems.filters import ProblemFilter
from problems.models import Department, Problem
from projects.models import Project


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "name_en", "contact", "is_active"]


class ProblemSerializer(StrictTypesMixin, serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    project_name = serializers.CharField(source="project.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    raised_by_name = serializers.CharField(source="raised_by.__str__", read_only=True)
    level = serializers.CharField(
        read_only=True, default="", help_text='Alert level reached past the due date ("" when not late or closed).'
    )
    raised_on = serializers.DateField(required=False, help_text="Today when left out.")

    class Meta:
        model = Problem
        fields = [
            "id",
            "project",
            "project_name",
            "title",
            "description",
            "kind",
            "raised_on",
            "raised_by",
            "raised_by_name",
            "visit",
            "department",
            "department_name",
            "department_contact",
            "due_on",
            "status",
            "level",
            "closed_on",
            "resolution",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["raised_by", "visit", "status", "closed_on", "resolution", "created_at", "updated_at"]


class StatusChangeSerializer(StrictTypesMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Problem.Status.choices)
    resolution = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed to close (solved or cannot be solved)."
    )
    on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Closing date; today by default."
    )


@extend_schema_view(
    list=extend_schema(
        summary="List departments responsible", responses={200: DepartmentSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(
        summary="Get one department responsible", responses={200: DepartmentSerializer, **READ_ERRORS}
    ),
)
class DepartmentViewSet(APIBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reference data, read-only here: admins keep it in the admin."""

    serializer_class = DepartmentSerializer
    queryset = Department.objects.order_by("name")
    ordering_fields = ["name", "id"]
    filterset_fields = ["is_active"]


@extend_schema_view(
    list=extend_schema(
        summary="List problems of the projects you can see",
        responses={200: ProblemSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get one problem", responses={200: ProblemSerializer, **READ_ERRORS}),
    create=extend_schema(summary="Raise a problem on a project", responses={201: ProblemSerializer, **ERRORS}),
)
class ProblemViewSet(
    APIBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilter
    ordering_fields = ["due_on", "raised_on", "closed_on", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Problem.objects.none()
        return selectors.problem_rows(self.request.user).order_by("due_on", "pk")

    def _fresh(self, pk: int) -> dict:
        return ProblemSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        project = values["project"]
        if not permissions.can_view_project(request.user, project):
            raise serializers.ValidationError({"project": ["No such project."]})
        problem = services.problem_save(problem=Problem(**values), by=request.user)
        return Response(self._fresh(problem.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the status of a problem",
        description="Open, in progress, solved or cannot be solved; closing needs a resolution note and is dated "
        "`on` (today by default). The same rules as the web page (problems.services.problem_change_status).",
        request=StatusChangeSerializer,
        responses={200: ProblemSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="change-status")
    def change_status(self, request, pk=None):
        problem = self.get_object()  # 404 when hidden
        if not permissions.can_edit_project(request.user, problem.project):
            raise NotPermitted(services.REFUSAL)
        data = StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            services.problem_change_status(
                problem=problem,
                to_status=values["status"],
                resolution=values["resolution"],
                on=values["on"],
                by=request.user,
            )
        return Response(self._fresh(problem.pk))
