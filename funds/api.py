"""API of funds in place (issue 18): /api/v1/funds/.

Lists and details are narrowed to the projects the user may see (a confidential
project's funds answer 404 like the project); writes go through funds.services, so
the rules are the page's and the import's. `month` is the first day of the month
("2026-03-01"; "2026-03" is accepted too).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from core import permissions
from core.api import ERRORS, LIST_ERRORS, READ_ERRORS, APIBase, StrictTypesMixin
from core.api_access import CHANGE_REFUSAL, DELETE_REFUSAL, MayChange
from core.errors import DomainError
from funds import selectors, services
from funds.filters import MONTH_FORMATS, FundsEntryFilter
from funds.models import FundsEntry
from projects.models import Project


class MonthField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if day.day != 1 and len(str(value).strip()) > 7:
            raise ValidationError(_("Give the month as its first day (e.g. 2026-03-01)."))
        return day.replace(day=1)


class FundsEntrySerializer(StrictTypesMixin, serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    project_name = serializers.CharField(source="project.name", read_only=True)
    month = MonthField(help_text="The month: its first day (2026-03-01) or 2026-03.")
    entered_by_name = serializers.CharField(source="entered_by.__str__", read_only=True, allow_null=True)

    class Meta:
        model = FundsEntry
        fields = [
            "id",
            "project",
            "project_name",
            "month",
            "kind",
            "amount",
            "usd_amount",
            "note",
            "entered_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["project"].queryset = permissions.visible_projects(request.user, Project.objects.all())
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # An entry stays with its project: correct the month, kind or amounts.
            self.fields["project"].read_only = True

    def validate(self, attrs):
        # A full replacement (PUT) names the project, as the schema says; it must be the
        # entry's own (an entry stays with its project).
        if self.instance is not None and not self.partial and not isinstance(self.instance, list | tuple):
            given = self.initial_data.get("project") if hasattr(self.initial_data, "get") else None
            if given in (None, ""):
                raise serializers.ValidationError({"project": [_("This field is required.")]})
            if str(given) != str(self.instance.project_id):
                raise serializers.ValidationError({"project": [_("An entry stays with its project.")]})
        return super().validate(attrs)

    def create(self, validated_data):
        by = self.context["request"].user
        try:
            return services.funds_entry_create(by=by, **validated_data)
        except DomainError as error:
            raise _as_validation(error) from error

    def update(self, instance, validated_data):
        validated_data.pop("project", None)
        try:
            return services.funds_entry_update(entry=instance, by=self.context["request"].user, **validated_data)
        except DomainError as error:
            raise _as_validation(error) from error


def _as_validation(error: DomainError):
    if error.code == "permission_denied":
        return error
    return ValidationError({error.field or "non_field_errors": [str(error)]}, code=error.code)


@extend_schema_view(
    list=extend_schema(
        summary="List funds in place of the projects you can see",
        responses={200: FundsEntrySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get one funds entry", responses={200: FundsEntrySerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="Record a month's funds of a project",
        responses={201: FundsEntrySerializer, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]},
    ),
    update=extend_schema(summary="Correct a funds entry", responses={200: FundsEntrySerializer, **ERRORS}),
    partial_update=extend_schema(summary="Correct a funds entry", responses={200: FundsEntrySerializer, **ERRORS}),
    destroy=extend_schema(summary="Remove a funds entry", responses={204: None, **ERRORS}),
)
class FundsEntryViewSet(APIBase, viewsets.ModelViewSet):
    """One entry per project, month and kind; the project's team records it."""

    serializer_class = FundsEntrySerializer
    filterset_class = FundsEntryFilter
    permission_classes = [MayChange]
    ordering_fields = ["month", "amount", "updated_at", "id"]

    def get_queryset(self):
        return selectors.entry_list(user=self.request.user)

    def change_refusal(self, user, entry, method: str):
        if permissions.can_edit_project(user, entry.project):
            return None
        return DELETE_REFUSAL if method == "DELETE" else CHANGE_REFUSAL

    def perform_destroy(self, instance) -> None:
        services.funds_entry_delete(entry=instance, by=self.request.user)
