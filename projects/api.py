"""API of pipeline projects, their stage changes and re-plans (issue 6).

Lists and details are narrowed by core.permissions.visible_projects: a project hidden
from the user is not listed and its detail answers 404. The stage and the dates it
was reached are read-only; they change through POST /projects/{id}/change-stage/,
which calls projects.services.project_change_stage like every other entry point.
Every project write names the version it is based on (428 without one, 412 if stale).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import permissions
from core.api import (
    ERRORS,
    IF_MATCH,
    LIST_ERRORS,
    PROJECT_WRITE_ERRORS,
    READ_ERRORS,
    APIBase,
    OwnedRecordSerializer,
    StrictTypesMixin,
    VersionedMixin,
)
from core.api_access import CHANGE_REFUSAL, MayChange
from core.i18n import display_name
from core.models import Team
from crm.api import ClaimNoticeField
from projects import services
from projects.credit import Share, can_split_credit, credit_of, project_set_credit
from projects.filters import ProjectFilter, ReplanFilter, StageChangeFilter
from projects.models import PLANNED_STAGES, LossReason, Project, Replan, Stage, StageChange
from projects.reminders import with_overdue_level
from projects.tiers import Tier

# The stages that carry a planned date, as choices (one enum in the schema).
PLANNED_STAGE_CHOICES = [(s.value, s.label) for s in PLANNED_STAGES]


def visible(user):
    return permissions.visible_projects(user, Project.objects.all())


class ProjectSerializer(OwnedRecordSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    investor_name = serializers.CharField(source="investor.name", read_only=True)
    claim_notice = ClaimNoticeField()
    # Blank while the project is not on hold: the schema's enum must admit "".
    held_stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True, read_only=True)
    # Blank unless the project was dropped: likewise.
    loss_reason = serializers.ChoiceField(choices=LossReason.choices, allow_blank=True, read_only=True)
    tier = serializers.ChoiceField(
        choices=Tier.choices, read_only=True, help_text="Size tier, derived from the total investment."
    )
    overdue_level = serializers.CharField(
        read_only=True, default="", help_text='Highest overdue alert level reached ("" when on time).'
    )
    replan_reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Needed when a planned date that was already set changes (a re-plan).",
    )
    service_args = ("replan_reason",)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "investor",
            "investor_name",
            "claim_notice",
            "industry",
            "park",
            "kind",
            "capital_origin",
            "description",
            "total_investment",
            "fixed_asset_investment",
            "foreign_capital_usd",
            "signed_amount",
            "expected_annual_output",
            "jobs",
            "tier",
            "source_kind",
            "source_mission",
            "source_visit",
            "source_note",
            "is_major",
            "is_confidential",
            "stage",
            "held_stage",
            "exit_reason",
            "loss_reason",
            "lost_to",
            "overdue_level",
            "lead_on",
            "negotiating_on",
            "signed_on",
            "started_on",
            "completed_on",
            "producing_on",
            "on_hold_on",
            "dropped_on",
            "resumed_on",
            "signed_planned",
            "started_planned",
            "completed_planned",
            "producing_planned",
            "replan_reason",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "id",
            "stage",
            "held_stage",
            "exit_reason",
            "loss_reason",
            "lost_to",
            "lead_on",
            "negotiating_on",
            "signed_on",
            "started_on",
            "completed_on",
            "producing_on",
            "on_hold_on",
            "dropped_on",
            "resumed_on",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {"owner": {"required": False}}

    def save_record(self, record, *, by, replan_reason: str = "", **kwargs):
        return services.project_save(project=record, by=by, replan_reason=replan_reason)


class ChangeStageSerializer(StrictTypesMixin, serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    on = serializers.DateField(required=False, allow_null=True, help_text="The date the stage was reached.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why the project is put on hold or dropped."
    )
    signed_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    loss_reason = serializers.ChoiceField(
        choices=LossReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why a dropped project was lost; required to drop.",
    )
    lost_to = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text="The competing location, required when loss_reason is other_location.",
    )
    correction = serializers.BooleanField(
        required=False, default=False, help_text="An admin moves the project back to correct an error."
    )
    version = serializers.IntegerField(required=False, help_text='The project version; or send If-Match: "<version>".')


class CreditShareSerializer(StrictTypesMixin, serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    team_name = serializers.SerializerMethodField()
    share = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text='Percent, above 0 and at most 100, as a string ("62.50").'
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def get_team_name(self, row) -> str:
        return display_name(row["team"] if isinstance(row, dict) else row.team)


class CreditSplitSerializer(StrictTypesMixin, serializers.Serializer):
    shares = CreditShareSerializer(
        many=True,
        help_text="The whole split; the shares add up to 100. An empty list credits the project's own team fully.",
    )


class ReplanRequestSerializer(StrictTypesMixin, serializers.Serializer):
    stage = serializers.ChoiceField(choices=PLANNED_STAGE_CHOICES)
    new_date = serializers.DateField()
    reason = serializers.CharField()
    version = serializers.IntegerField(required=False, help_text='The project version; or send If-Match: "<version>".')


class StageChangeSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.CharField(source="changed_by.__str__", read_only=True)

    class Meta:
        model = StageChange
        fields = [
            "id",
            "project",
            "from_stage",
            "to_stage",
            "reached_on",
            "changed_by",
            "changed_by_name",
            "changed_at",
            "note",
            "is_correction",
        ]
        read_only_fields = fields


class ReplanSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.CharField(source="changed_by.__str__", read_only=True)

    class Meta:
        model = Replan
        fields = [
            "id",
            "project",
            "stage",
            "old_date",
            "new_date",
            "reason",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List pipeline projects", responses={200: ProjectSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="Get one project", responses={200: ProjectSerializer, **READ_ERRORS}),
    create=extend_schema(summary="Create a project (as a lead)", responses={201: ProjectSerializer, **ERRORS}),
    update=extend_schema(
        summary="Replace a project's fields",
        parameters=[IF_MATCH],
        responses={200: ProjectSerializer, **PROJECT_WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a project",
        parameters=[IF_MATCH],
        responses={200: ProjectSerializer, **PROJECT_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a project (an admin can restore it)",
        parameters=[IF_MATCH],
        responses={204: None, **PROJECT_WRITE_ERRORS},
    ),
)
class ProjectViewSet(APIBase, VersionedMixin, viewsets.ModelViewSet):
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = [
        "name",
        "total_investment",
        "stage",
        "signed_on",
        "started_on",
        "signed_planned",
        "started_planned",
        "completed_planned",
        "created_at",
        "updated_at",
        "id",
    ]
    version_required = True
    permission_classes = [MayChange]

    def change_refusal(self, user, project, method: str):
        if method == "DELETE":
            if permissions.can_delete_project(user, project):
                return None
            return _("Only a manager of the project's team or an admin can delete a project.")
        if self.action == "credit":
            if can_split_credit(user, project):
                return None
            return _("Only a manager of the project's team or an admin can split its credit.")
        if permissions.can_edit_project(user, project):
            return None
        if self.action == "change_stage":
            return _("You can change the stage of your team's projects only.")
        return CHANGE_REFUSAL

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation (also on an empty database in CI): no rule lookups.
            return Project.objects.none()
        projects = Project.objects.select_related("owner", "team", "investor")
        return with_overdue_level(permissions.visible_projects(self.request.user, projects))

    def _fresh(self, pk) -> dict:
        return ProjectSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data

    def _answer(self, response: Response) -> Response:
        if response.status_code < 300 and response.data and "id" in response.data:
            notice = response.data.get("claim_notice")  # said by the write; the fresh read has none
            response.data = self._fresh(response.data["id"])
            response.data["claim_notice"] = notice
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def create(self, request, *args, **kwargs):
        return self._answer(super().create(request, *args, **kwargs))

    def update(self, request, *args, **kwargs):
        return self._answer(super().update(request, *args, **kwargs))

    def destroy_record(self, instance) -> None:
        services.project_delete(project=instance, by=self.request.user)

    def _locked_project(self) -> Project:
        project = self.get_object()
        self.check_version(project)
        return project

    @extend_schema(
        summary="Move the project to another stage",
        description="Forward one step, on hold or dropped (with a reason), resume from hold; admins may correct "
        "backwards (correction=true). The same rules as everywhere (projects.services.project_change_stage).",
        parameters=[IF_MATCH],
        request=ChangeStageSerializer,
        responses={200: ProjectSerializer, **PROJECT_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="change-stage")
    def change_stage(self, request, pk=None):
        self.get_object()  # 404 when hidden, 403 when read-only, before the body is judged
        data = ChangeStageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            project = self._locked_project()
            services.project_change_stage(
                project=project,
                to_stage=values["to_stage"],
                on=values.get("on"),
                by=request.user,
                note=values["note"],
                reason=values["reason"],
                signed_amount=values.get("signed_amount"),
                correction=values["correction"],
                loss_reason=values["loss_reason"],
                lost_to=values["lost_to"],
            )
        return self._answer(Response({"id": project.pk}))

    @extend_schema(
        summary="The project's credit split between teams",
        description="GET: each team's share in percent (a project without a split is credited 100% to its own "
        "team). PUT: replace the whole split; the shares add up to 100, each team once; an empty list "
        "credits the project's own team fully. Managers of the project's team and admins only.",
        methods=["GET"],
        responses={200: CreditSplitSerializer, **READ_ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        request=CreditSplitSerializer,
        responses={200: CreditSplitSerializer, **PROJECT_WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "put"], url_path="credit")
    def credit(self, request, pk=None):
        project = self.get_object()  # 404 when hidden, 403 when the user may not split it
        if request.method == "PUT":
            data = CreditSplitSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            project_set_credit(
                project=project,
                shares=[Share(row["team"], row["share"], row.get("note", "")) for row in data.validated_data["shares"]],
                by=request.user,
            )
        shares = [{"team": team, "share": share, "note": ""} for team, share in credit_of(project)]
        notes = dict(project.credits.values_list("team_id", "note"))
        for row in shares:
            row["note"] = notes.get(row["team"].pk, "")
        return Response(CreditSplitSerializer({"shares": shares}).data)

    @extend_schema(
        summary="Move a planned date, with a reason",
        description="The original plan stays visible in the project's re-plans.",
        parameters=[IF_MATCH],
        request=ReplanRequestSerializer,
        responses={200: ProjectSerializer, **PROJECT_WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def replan(self, request, pk=None):
        self.get_object()  # 404 when hidden, 403 when read-only, before the body is judged
        data = ReplanRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            project = self._locked_project()
            services.project_replan(
                project=project,
                stage=values["stage"],
                new_date=values["new_date"],
                reason=values["reason"],
                by=request.user,
            )
        return self._answer(Response({"id": project.pk}))


@extend_schema_view(
    list=extend_schema(
        summary="List stage changes of the projects you can see",
        responses={200: StageChangeSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get one stage change", responses={200: StageChangeSerializer, **READ_ERRORS}),
)
class StageChangeViewSet(APIBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only: stage changes are made by POST /projects/{id}/change-stage/."""

    serializer_class = StageChangeSerializer
    filterset_class = StageChangeFilter
    ordering_fields = ["changed_at", "reached_on", "id"]

    def get_queryset(self):
        return StageChange.objects.filter(project__in=visible(self.request.user)).select_related("changed_by")


@extend_schema_view(
    list=extend_schema(
        summary="List re-plans of the projects you can see",
        responses={200: ReplanSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get one re-plan", responses={200: ReplanSerializer, **READ_ERRORS}),
)
class ReplanViewSet(APIBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only: re-plans are made by POST /projects/{id}/replan/ or a project edit."""

    serializer_class = ReplanSerializer
    filterset_class = ReplanFilter
    ordering_fields = ["changed_at", "new_date", "id"]

    def get_queryset(self):
        return Replan.objects.filter(project__in=visible(self.request.user)).select_related("changed_by")
