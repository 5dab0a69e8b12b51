"""API of organisations, contacts, missions, visits and reference data (issue 6).

Every user reads these; writes go through crm.services, which apply
core.permissions (officers change their own, managers their teams', admins all).
Industries and parks are reference data: admins change them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, viewsets

from core import permissions
from core.api import (
    ERRORS,
    IF_MATCH,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    APIBase,
    OwnedRecordSerializer,
    StrictTypesMixin,
    VersionedMixin,
)
from core.api_access import CHANGE_REFUSAL, DELETE_REFUSAL, MayChange
from core.records import full_clean_or_refuse
from crm import services
from crm.filters import ContactFilter, MissionFilter, OrganisationFilter, VisitFilter
from crm.models import Contact, Industry, Mission, Organisation, Park, Qualification, Visit


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class ClaimNoticeField(serializers.Field):
    """Set in the answer to a create (or a move to another organisation) when another
    team registered the organisation's group first (首谈报备): who and since when,
    nothing more (crm.collisions). Null otherwise."""

    def __init__(self, **kwargs) -> None:
        kwargs.update(read_only=True, source="*")
        kwargs.setdefault(
            "help_text",
            "On the answer to a create: the team that registered the organisation's group first, "
            "and since when. Null otherwise.",
        )
        super().__init__(**kwargs)

    def to_representation(self, value):
        notice = getattr(value, "claim_notice", None)
        return notice.text if notice is not None else None


OWNED_READ_ONLY = ["id", "owner_name", "team_name", "created_at", "updated_at", "version"]


def crud_schema(noun: str, plural: str, serializer, *, write_errors=WRITE_ERRORS, versioned=True):
    """Summaries and typed answers for the six operations of a resource.

    Reference data (versioned=False) has no versions: no If-Match parameter.
    """
    write_parameters = [IF_MATCH] if versioned else []
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}", responses={200: serializer(many=True), **LIST_ERRORS}),
        retrieve=extend_schema(summary=f"Get one {noun}", responses={200: serializer, **READ_ERRORS}),
        create=extend_schema(summary=f"Create a {noun}", responses={201: serializer, **ERRORS}),
        update=extend_schema(
            summary=f"Replace a {noun}", parameters=write_parameters, responses={200: serializer, **write_errors}
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of a {noun}",
            parameters=write_parameters,
            responses={200: serializer, **write_errors},
        ),
        destroy=extend_schema(
            summary=f"Delete a {noun}", parameters=write_parameters, responses={204: None, **write_errors}
        ),
    )


class OwnedRecordViewSet(APIBase, VersionedMixin, viewsets.ModelViewSet):
    """Lists show every record (all users read organisations, missions, visits)."""

    delete_service = None
    permission_classes = [MayChange]
    may_edit = staticmethod(permissions.can_edit_record)

    def change_refusal(self, user, record, method: str):
        if self.may_edit(user, record):
            return None
        return DELETE_REFUSAL if method == "DELETE" else CHANGE_REFUSAL

    def destroy_record(self, instance) -> None:
        type(self).delete_service(instance, by=self.request.user)


# --- Reference data ----------------------------------------------------------------------


class IsAdminForWrites(drf_permissions.IsAuthenticated):
    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in drf_permissions.SAFE_METHODS or permissions.can_edit_reference_data(request.user)


class ReferenceSerializer(StrictTypesMixin, serializers.ModelSerializer):
    """Reference data has no service: shape here, model validation, then save."""

    def _save(self, instance):
        with transaction.atomic():
            full_clean_or_refuse(instance)
            instance.save()
        return instance

    def create(self, validated_data):
        return self._save(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance)


class IndustrySerializer(ReferenceSerializer):
    class Meta:
        model = Industry
        fields = ["id", "name", "name_en", "parent", "level", "category", "position"]
        read_only_fields = ["id"]


class ParkSerializer(ReferenceSerializer):
    class Meta:
        model = Park
        fields = ["id", "name", "name_en", "kind", "address", "is_active"]
        read_only_fields = ["id"]


class ReferenceViewSet(APIBase, viewsets.ModelViewSet):
    permission_classes = [IsAdminForWrites]

    def perform_destroy(self, instance):
        from core.records import delete_owned_record

        # Same refusal as for records: protected references answer 400 with a reason.
        delete_owned_record(instance, by=self.request.user, can_edit=lambda user, _record: True)


@crud_schema(
    "industry", "industries (cluster > chain > link)", IndustrySerializer, write_errors=ERRORS, versioned=False
)
class IndustryViewSet(ReferenceViewSet):
    queryset = Industry.objects.all()
    serializer_class = IndustrySerializer
    filterset_fields = ["level", "category", "parent"]
    ordering_fields = ["name", "level", "position", "id"]


@crud_schema("park", "parks", ParkSerializer, write_errors=ERRORS, versioned=False)
class ParkViewSet(ReferenceViewSet):
    queryset = Park.objects.all()
    serializer_class = ParkSerializer
    filterset_fields = ["kind", "is_active"]
    ordering_fields = ["name", "id"]


# --- Organisations and contacts ---------------------------------------------------------------


class QualificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Qualification
        fields = ["id", "kind", "level", "year"]
        read_only_fields = fields


class OrganisationSerializer(OwnedRecordSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    qualifications = QualificationSerializer(many=True, read_only=True)
    is_listed = serializers.BooleanField(read_only=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        max_length=20,
        required=False,
        help_text="Other names it is known by (former names, short names, brands); searched like the names.",
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "name_en",
            "aliases",
            "credit_code",
            "parent",
            "country",
            "city",
            "address",
            "website",
            "industry",
            "park",
            "is_in_zone",
            "description",
            "exchange",
            "stock_code",
            "listed_on",
            "is_listed",
            "qualifications",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = OWNED_READ_ONLY
        # The service checks and normalises credit codes (including uniqueness).
        extra_kwargs = {"credit_code": {"validators": []}, "owner": {"required": False}}

    def save_record(self, record, *, by, **kwargs):
        return services.organisation_save(organisation=record, by=by)


@crud_schema("organisation", "organisations", OrganisationSerializer)
class OrganisationViewSet(OwnedRecordViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "name_en", "created_at", "updated_at", "id"]
    delete_service = staticmethod(lambda record, by: services.organisation_delete(organisation=record, by=by))

    def get_queryset(self):
        return Organisation.objects.select_related("owner", "team").prefetch_related("qualifications")


class ContactSerializer(OwnedRecordSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "name",
            "name_en",
            "title",
            "phone",
            "email",
            "wechat",
            "notes",
            "is_active",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [*OWNED_READ_ONLY, "organisation_name"]
        extra_kwargs = {"owner": {"required": False}}

    def validate_organisation(self, value):
        # A contact stays with its organisation; it is not moved by an edit.
        if self.instance is not None and value.pk != self.instance.organisation_id:
            raise serializers.ValidationError(_("A contact cannot be moved to another organisation."))
        return value

    def save_record(self, record, *, by, **kwargs):
        return services.contact_save(contact=record, by=by)


@crud_schema("contact", "contacts", ContactSerializer)
class ContactViewSet(OwnedRecordViewSet):
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ["name", "created_at", "updated_at", "id"]
    delete_service = staticmethod(lambda record, by: services.contact_delete(contact=record, by=by))

    may_edit = staticmethod(permissions.can_edit_contact)

    def get_queryset(self):
        return Contact.objects.select_related("owner", "team", "organisation")


# --- Missions and visits ----------------------------------------------------------------


class MissionSerializer(OwnedRecordSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    service_m2m = ("participants", "industries")

    class Meta:
        model = Mission
        fields = [
            "id",
            "title",
            "kind",
            "region",
            "countries",
            "cities",
            "start_date",
            "end_date",
            "leader",
            "participants",
            "goals",
            "summary",
            "industries",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = OWNED_READ_ONLY
        extra_kwargs = {"owner": {"required": False}}

    def validate_countries(self, value: list[str]) -> list[str]:
        # Only ISO codes reach the model: django-countries reads a digit-like text as a
        # numeric code, and int() of "²" would be a 500.
        from django_countries import countries

        known = {code for code, _name in countries}
        codes = [code.upper() for code in value]
        for code in codes:
            if code not in known:
                raise serializers.ValidationError(_("“%(code)s” is not a country code.") % {"code": code})
        return codes

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["countries"] = [country.code for country in instance.countries]
        return data

    def save_record(self, record, *, by, **kwargs):
        return services.mission_save(mission=record, by=by, **kwargs)


@crud_schema("promotion mission", "promotion missions", MissionSerializer)
class MissionViewSet(OwnedRecordViewSet):
    serializer_class = MissionSerializer
    filterset_class = MissionFilter
    ordering_fields = ["start_date", "end_date", "title", "created_at", "id"]
    delete_service = staticmethod(lambda record, by: services.mission_delete(mission=record, by=by))

    def get_queryset(self):
        return Mission.objects.select_related("owner", "team").prefetch_related("participants", "industries")


class VisitSerializer(OwnedRecordSerializer):
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    service_m2m = ("officers", "contacts")
    claim_notice = ClaimNoticeField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "claim_notice",
            "date",
            "kind",
            "mission",
            "location",
            "officers",
            "contacts",
            "summary",
            "intention",
            "next_step",
            "follow_up_on",
            "follow_up_done_on",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [*OWNED_READ_ONLY, "organisation_name"]
        extra_kwargs = {"owner": {"required": False}}

    def save_record(self, record, *, by, **kwargs):
        return services.visit_save(visit=record, by=by, **kwargs)


@crud_schema("visit", "visits", VisitSerializer)
class VisitViewSet(OwnedRecordViewSet):
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering_fields = ["date", "created_at", "updated_at", "id"]
    delete_service = staticmethod(lambda record, by: services.visit_delete(visit=record, by=by))

    def get_queryset(self):
        return Visit.objects.select_related("owner", "team", "organisation").prefetch_related("officers", "contacts")
