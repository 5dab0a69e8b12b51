"""API of investment agreements and their promise checks.

Lists and details are as visible as the project (a confidential project's agreement
answers 404 to those who may not see the project). Writes go through
agreements.services: POST and PATCH/PUT an agreement (its checks follow its promises),
POST /promise-checks/{id}/record/ with the actual figure.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements import selectors, services
from agreements.filters import AgreementFilter, PromiseCheckFilter
from agreements.models import Agreement, PromiseCheck
from core import permissions
from core.api import ERRORS, IF_MATCH, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, APIBase, StrictTypesMixin, VersionedMixin
from core.api_access import MayChange
from projects.models import Project


class PromiseCheckSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="agreement.project_id", read_only=True)
    status = serializers.ChoiceField(
        choices=PromiseCheck.Status.choices, source="check_status", read_only=True, help_text="Result as of today."
    )
    ratio = serializers.DecimalField(
        max_digits=8, decimal_places=1, read_only=True, allow_null=True, help_text="Actual over promised, in per cent."
    )

    class Meta:
        model = PromiseCheck
        fields = [
            "id",
            "agreement",
            "project",
            "kind",
            "promised",
            "due_on",
            "actual",
            "recorded_on",
            "recorded_by",
            "note",
            "status",
            "ratio",
        ]
        read_only_fields = fields


class RecordSerializer(StrictTypesMixin, serializers.Serializer):
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    on = serializers.DateField(required=False, allow_null=True, help_text="The day of the figures; today if left out.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class AgreementSerializer(StrictTypesMixin, serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    project_name = serializers.CharField(source="project.name", read_only=True)
    investment_intensity = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Fixed-asset investment per mu of land (10k yuan per mu), computed.",
    )
    checks = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "project",
            "project_name",
            "signed_on",
            "land_mu",
            "park",
            "fixed_asset_investment",
            "investment_intensity",
            "annual_output",
            "annual_tax",
            "due_year",
            "jobs",
            "notes",
            "checks",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["id", "created_by", "created_at", "updated_at", "version"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only projects the user sees: a hidden one reads like an id nobody has.
            fields["project"].queryset = permissions.visible_projects(request.user, Project.objects.all())
        return fields

    @extend_schema_field(PromiseCheckSerializer(many=True))
    def get_checks(self, agreement) -> list:
        today = timezone.localdate()
        checks = list(agreement.checks.all())
        for check in checks:
            check.check_status = check.status(today)
        return PromiseCheckSerializer(checks, many=True).data

    def validate(self, attrs):
        if self.instance is not None and "project" in attrs and attrs["project"].pk != self.instance.project_id:
            raise serializers.ValidationError({"project": _("An agreement stays with its project.")})
        return attrs

    def _save(self, agreement: Agreement, validated: dict) -> Agreement:
        for name, value in validated.items():
            setattr(agreement, name, value)
        return services.agreement_save(agreement=agreement, by=self.context["request"].user)

    def create(self, validated_data):
        return self._save(Agreement(), dict(validated_data))

    def update(self, instance, validated_data):
        return self._save(instance, dict(validated_data))


@extend_schema_view(
    list=extend_schema(
        summary="List investment agreements of the projects you can see",
        responses={200: AgreementSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get one agreement with its promise checks", responses={200: AgreementSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Record the agreement of a signed project",
        description="One check per promise is made, due at the end of the year of full production.",
        responses={201: AgreementSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Replace an agreement's promises",
        parameters=[IF_MATCH],
        responses={200: AgreementSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some of an agreement's promises",
        parameters=[IF_MATCH],
        responses={200: AgreementSerializer, **WRITE_ERRORS},
    ),
)
class AgreementViewSet(
    APIBase,
    VersionedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["signed_on", "due_year", "land_mu", "fixed_asset_investment", "id"]
    ordering = ["-signed_on", "-id"]
    permission_classes = [MayChange]

    def change_refusal(self, user, agreement, method: str):
        return None if permissions.can_edit_project(user, agreement.project) else services.EDIT_REFUSAL

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return selectors.visible_agreements(self.request.user).select_related("project").prefetch_related("checks")


@extend_schema_view(
    list=extend_schema(
        summary="List promise checks of the projects you can see",
        description="`status=late&status=not_met` lists what needs supervision.",
        responses={200: PromiseCheckSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get one promise check", responses={200: PromiseCheckSerializer, **READ_ERRORS}),
)
class PromiseCheckViewSet(APIBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Checks are made from the agreement's promises; their figures come by record/."""

    serializer_class = PromiseCheckSerializer
    filterset_class = PromiseCheckFilter
    ordering_fields = ["due_on", "recorded_on", "id"]
    ordering = ["due_on", "id"]
    permission_classes = [MayChange]

    def change_refusal(self, user, check, method: str):
        return None if permissions.can_edit_project(user, check.agreement.project) else services.EDIT_REFUSAL

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PromiseCheck.objects.none()
        return selectors.visible_checks(self.request.user).select_related("agreement__project")

    @extend_schema(
        summary="Enter the actual figure of a promise",
        description="The check then reads met or not met; a promise not met goes to supervision (督办).",
        request=RecordSerializer,
        responses={200: PromiseCheckSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        check = self.get_object()  # 404 when hidden, 403 when read-only, before the body is judged
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.check_record(
            check=check, actual=values["actual"], on=values.get("on"), note=values["note"], by=request.user
        )
        return Response(PromiseCheckSerializer(self.get_queryset().get(pk=check.pk)).data)
