"""Shared pieces of the REST API (issue 6): errors as JSON, the request's language,
versions and preconditions, pagination, API tokens and the notifications endpoints.

Errors. Every error answers {"code": ..., "message": ..., "field": ...}: `code` is
machine-readable (a DomainError's code, or DRF's), `message` is for people, in the
request's language, and `field` names the input it concerns (or null). Validation
errors also carry `errors`, DRF's per-field detail.

Language. Like the web pages, the API answers in Chinese unless told otherwise; since
API clients rarely keep cookies, an Accept-Language header naming one of
settings.LANGUAGES also counts (the django_language cookie, when set, wins).

Versions. Every owned record carries `version` (raised by each save through a
service). A write says which version it was based on, in an `If-Match: "<version>"`
header (the ETag of the record's GET) or as a `version` field in the body. A stale
version is refused with 412 and the current version; a project write without any
version is refused with 428 (two officers editing one project must not overwrite each
other unawares).
"""

from __future__ import annotations

import re
from functools import partial

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core import idempotency, notifications
from core.errors import DomainError, NotFound, NotPermitted
from core.models import Notification
from core.pagination import COUNT_BOUND, BoundedPaginator

# --- Errors ---------------------------------------------------------------------------


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Someone else changed this record meanwhile. Reload it and make your change again.")
    default_code = "stale_version"

    def __init__(self, current_version: int) -> None:
        super().__init__()
        self.current_version = current_version


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _(
        'Say which version of the record your change is based on: send If-Match: "<version>" or a version field.'
    )
    default_code = "version_required"


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    code = serializers.CharField(help_text="Machine-readable error code.")
    message = serializers.CharField(help_text="What went wrong, in the request's language.")
    field = serializers.CharField(allow_null=True, help_text="The input field concerned, if any.")
    errors = serializers.DictField(required=False, help_text="Per-field details of a validation error.")
    current_version = serializers.IntegerField(required=False, help_text="With 412: the record's current version.")


def _first_error(detail, path: str | None = None) -> tuple[str | None, exceptions.ErrorDetail | str]:
    """The first message in DRF's nested error detail, with the field it belongs to."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "detail") else str(key)
            field, message = _first_error(value, f"{path}.{name}" if path and name else (name or path))
            return field, message
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], path)
    return path, detail


def _body(code: str, message, field: str | None = None, **extra) -> dict:
    return {"code": code, "message": str(message), "field": field, **extra}


def exception_handler(exc, context):
    """DRF's exception handler, answering every error in one JSON shape."""
    if isinstance(exc, DomainError):
        status_code = 400
        if isinstance(exc, NotPermitted):
            status_code = 403
        elif isinstance(exc, NotFound):
            status_code = 404
        return Response(_body(exc.code, exc.message, exc.field), status=status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling and logging take over
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        code = getattr(message, "code", None) or "invalid"
        response.data = _body(code, message, field, errors=exc.detail)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        extra = {}
        if isinstance(exc, PreconditionFailed):
            extra["current_version"] = exc.current_version
            response["ETag"] = f'"{exc.current_version}"'
        if isinstance(detail, dict | list):
            field, detail = _first_error(detail)
        response.data = _body(str(code), detail, None, **extra)
    return response


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input or refused by a business rule."),
    401: OpenApiResponse(ErrorSerializer, description="Not logged in."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="No such record (or hidden from you)."),
}
READ_ERRORS = {401: ERRORS[401], 404: ERRORS[404]}
LIST_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid query parameter (filter, page or page size)."),
    401: ERRORS[401],
    404: OpenApiResponse(ErrorSerializer, description="No such page."),
}
WRITE_ERRORS = {
    **ERRORS,
    412: OpenApiResponse(ErrorSerializer, description="Stale version: someone changed the record meanwhile."),
}
PROJECT_WRITE_ERRORS = {
    **WRITE_ERRORS,
    428: OpenApiResponse(ErrorSerializer, description="No version given (If-Match or version)."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": r'^\s*(W/)?"?[0-9]+"?\s*$'},
    OpenApiParameter.HEADER,
    description='The version the change is based on, as the ETag of the GET: "3". Or send `version` in the body.',
)


# --- Language, pagination, the base view ---------------------------------------------------


def api_language(request) -> str | None:
    """The language an API request asks for, if it asks for one we speak."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return None  # the user's own choice; the middleware already honoured it
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def _query_integer(request, name: str, minimum: int, maximum: int | None = None) -> int | None:
    """An integer query parameter, or a 400 when it is not one (or out of range)."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise exceptions.ValidationError({name: [_("Send this parameter once.")]})
    raw = values[0]
    try:
        value = int(raw) if re.fullmatch(r"[+-]?\d{1,18}", raw.strip()) else None
    except ValueError:  # pragma: no cover - the pattern admits only integers
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            message = _("Send a whole number of at least %(minimum)s.") % {"minimum": minimum}
        else:
            message = _("Send a whole number from %(minimum)s to %(maximum)s.") % {
                "minimum": minimum,
                "maximum": maximum,
            }
        raise exceptions.ValidationError({name: [message]})
    return value


class Pagination(PageNumberPagination):
    """Page numbers from 1; `page` or `page_size` that is not a whole number in range is a 400."""

    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = _query_integer(request, self.page_size_query_param, 1, self.max_page_size)
        return self.page_size if size is None else size

    def paginate_queryset(self, queryset, request, view=None):
        number = _query_integer(request, self.page_query_param, 1) or 1
        # Counts stop at a bound (core.pagination): a list of millions costs what its page costs.
        self.django_paginator_class = partial(BoundedPaginator, page_number=number)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_exact": self.page.paginator.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "count_exact", "results"]
        response["properties"]["count"]["description"] = (
            f"How many results match, exactly up to {COUNT_BOUND:,} (or further on the pages beyond); "
            "past that, the bound, and count_exact is false."
        )
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "False when more results match than count says (follow next for them).",
        }
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters


_BOOLEANS = {"true": True, "false": False}


def query_boolean(request, name: str) -> bool | None:
    """A boolean query parameter ("true" or "false", once), or a 400."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise exceptions.ValidationError({name: [_("Send this parameter once.")]})
    if values[0] not in _BOOLEANS:
        raise exceptions.ValidationError({name: [_('Send "true" or "false".')]})
    return _BOOLEANS[values[0]]


_ID_RANGE = (-(2**63), 2**63 - 1)


def _integer_in(value: str, minimum: int, maximum: int) -> bool:
    value = value.strip()
    return bool(re.fullmatch(r"[+-]?\d{1,20}", value)) and minimum <= int(value) <= maximum


def _takes_ids(filter_) -> bool:
    if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
        return True
    return isinstance(filter_, django_filters.NumberFilter) and filter_.field_name.endswith("_id")


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, but the query string must match the schema.

    A parameter the schema gives one value (everything but the multiple-choice
    filters) may appear once; a boolean filter takes `true` or `false` (the web
    forms' widgets quietly ignore anything else, which an API must not).
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        filters = filterset_class.base_filters if filterset_class else {}
        many = {
            name
            for name, filter_ in filters.items()
            if isinstance(filter_, django_filters.MultipleChoiceFilter | django_filters.ModelMultipleChoiceFilter)
        }
        errors = {}
        for name, values in request.query_params.lists():
            filter_ = filters.get(name)
            if len(values) > 1 and name not in many:
                errors[name] = [_("Send this parameter once.")]
            elif filter_ is not None and not isinstance(filter_, django_filters.CharFilter) and "" in values:
                # django-filter reads an empty value as "no filter"; the schema calls it invalid.
                errors[name] = [_("Send a value, or leave the parameter out.")]
            elif isinstance(filter_, django_filters.BooleanFilter) and values[0] not in _BOOLEANS:
                errors[name] = [_('Send "true" or "false".')]
            elif isinstance(filter_, django_filters.NumberFilter) and filter_.lookup_expr == "year":
                if not all(_integer_in(value, 1, 9999) for value in values):
                    errors[name] = [_("Send a year from 1 to 9999.")]
            elif _takes_ids(filter_) and not all(_integer_in(value, *_ID_RANGE) for value in values):
                # Beyond the database's integers a lookup fails instead of finding nothing.
                errors[name] = [_("Send the id of a record.")]
        if errors:
            raise exceptions.ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


class APIBase:
    """Mixed into every API view: the request's language, before anything can fail."""

    pagination_class = Pagination
    filter_backends = [StrictFilterBackend, OrderingFilter]
    # JSON only: the schema documents one body format, and form encodings would turn
    # wrongly typed values (an object for a boolean...) into quietly accepted strings.
    parser_classes = [JSONParser]

    def initial(self, request, *args, **kwargs):
        language = api_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and hasattr(self, "post"):
            # After authentication: a POST with an Idempotency-Key runs once per key and user.
            self.post = partial(idempotency.api_post, self.post)


# --- Strict JSON types in bodies -------------------------------------------------------

_MAX_ID = 2**63 - 1


def _json_type_error(field, value):
    """Why `value` (as parsed from JSON) does not have the type the schema gives `field`."""
    if value is None:
        return None  # null: the field's own allow_null decides
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField):
        if not isinstance(value, list):
            return _("Send a list.")
        child = getattr(field, "child_relation", None) or field.child
        for item in value:
            error = _json_type_error(child, item)
            if error:
                return error
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Send true or false.")
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        if isinstance(value, bool) or not isinstance(value, int):
            return _("Send a whole number.")
        if isinstance(field, serializers.PrimaryKeyRelatedField) and abs(value) > _MAX_ID:
            return _("Send the id of a record.")
        return None
    if isinstance(field, serializers.ChoiceField) and not all(isinstance(key, str) for key in field.choices):
        return None  # numeric choices: the field's own checks decide
    if isinstance(field, serializers.CharField | serializers.ChoiceField | serializers.DecimalField):
        if not isinstance(value, str):
            return _("Send a string.")
        max_length = getattr(field, "max_length", None)
        if max_length is not None and len(value) > max_length:
            # DRF trims whitespace before it counts; the schema's maxLength counts what was sent.
            return _("Send at most %(max_length)s characters.") % {"max_length": max_length}
        return None
    if isinstance(field, serializers.DateField | serializers.DateTimeField):
        return None if isinstance(value, str) else _("Send a date as a string.")
    return None


class StrictTypesMixin:
    """A body value must have the JSON type the schema gives it: DRF would turn 0 into
    "0" for a text field or "1" into True, accepting what the schema calls invalid."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or field.source == "*" or name not in data:
                    continue
                error = _json_type_error(field, data[name])
                if error:
                    errors[name] = [error]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)


# --- Versions --------------------------------------------------------------------------

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def requested_version(request) -> int | None:
    """The version a write is based on: If-Match, else a `version` in the body."""
    header = request.META.get("HTTP_IF_MATCH")
    if header is not None:  # sent, even empty: it must name a version
        match = _ETAG.match(header)
        if not match:
            raise exceptions.ValidationError({"If-Match": [_('Send the version as If-Match: "<version>".')]})
        return int(match.group(1))
    value = request.data.get("version") if hasattr(request.data, "get") else None
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({"version": [_("A valid integer is required.")]}) from None


class VersionedMixin:
    """Writes check the version under a row lock, inside the transaction of the save.

    `version_required` makes a write without a version fail with 428 (projects).
    """

    version_required = False

    def check_version(self, instance) -> None:
        wanted = requested_version(self.request)
        if wanted is None:
            if self.version_required:
                raise PreconditionRequired()
            return
        current = type(instance)._base_manager.select_for_update().filter(pk=instance.pk).values_list("version")
        current = current.first()
        current = current[0] if current else instance.version
        if wanted != current:
            raise PreconditionFailed(current)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().update(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        if "version" in response.data:
            response["ETag"] = f'"{response.data["version"]}"'
        return response

    def perform_update(self, serializer):
        self.check_version(serializer.instance)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.check_version(instance)
            self.destroy_record(instance)

    def destroy_record(self, instance) -> None:
        raise NotImplementedError


# --- API tokens --------------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <key>`.")
    created = serializers.DateTimeField(read_only=True)


class TokenView(APIBase, APIView):
    """The caller's own API token: create (or replace) it, look at it, revoke it.

    One token per user (DRF's authtoken); an admin sees and revokes anyone's in Django
    admin. The key is shown once, when it is created.
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Whether you have an API token",
        responses={200: inline_serializer("TokenInfo", {"created": serializers.DateTimeField()}), **READ_ERRORS},
    )
    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        if token is None:
            raise exceptions.NotFound(_("You have no API token."))
        return Response({"created": token.created})

    @extend_schema(
        summary="Create your API token (replaces the old one)",
        request=None,
        responses={201: TokenSerializer, 401: ERRORS[401], 403: ERRORS[403]},
    )
    def post(self, request):
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            token = Token.objects.create(user=request.user)
        return Response(TokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke your API token", responses={204: None, 401: ERRORS[401], 403: ERRORS[403]})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Notifications -----------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class MarkReadSerializer(StrictTypesMixin, serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=_MAX_ID),
        required=False,
        help_text="Notifications to mark read; leave out to mark all read.",
    )


class CountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first",
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones.")],
        responses={200: NotificationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One of your notifications", responses={200: NotificationSerializer, **READ_ERRORS}),
)
class NotificationViewSet(APIBase, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """In-app notifications (the bell): only the caller's own ever appear."""

    serializer_class = NotificationSerializer
    filter_backends: list = []
    queryset = Notification.objects.none()

    def get_queryset(self):
        rows = notifications.inbox(self.request.user)
        if self.action == "list" and query_boolean(self.request, "unread"):
            rows = rows.filter(read_at=None)
        return rows

    @extend_schema(
        summary="Mark one notification read", request=None, responses={200: NotificationSerializer, **READ_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        try:
            notification = notifications.notification_open(user=request.user, pk=int(pk))
        except ValueError:
            raise exceptions.NotFound() from None
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark some or all notifications read",
        request=MarkReadSerializer,
        responses={200: MarkedSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notifications.notifications_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": notifications.unread_count(request.user)})

    @extend_schema(summary="How many notifications are unread", responses={200: CountSerializer, 401: ERRORS[401]})
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request):
        return Response({"unread": notifications.unread_count(request.user)})


# --- Owned records: serializers that save through the services ---------------------------------


class OwnedRecordSerializer(StrictTypesMixin, serializers.ModelSerializer):
    """Saves through the entity's service (save_record), never with Model.save().

    `owner` and `team` may be sent by managers and admins (handing a record over; the
    service checks the scope); for officers they are ignored, as are all read-only
    fields: server-owned values cannot be mass-assigned.
    """

    # Many-to-many fields the service sets itself (keyword arguments of the same name).
    service_m2m: tuple[str, ...] = ()
    # Write-only inputs that are passed to the service, not set on the record.
    service_args: tuple[str, ...] = ()

    def save_record(self, record, *, by, **kwargs):  # pragma: no cover - each subclass has one
        raise NotImplementedError

    def _apply(self, record, validated: dict):
        from core import permissions

        user = self.context["request"].user
        kwargs = {name: validated.pop(name) for name in (*self.service_m2m, *self.service_args) if name in validated}
        if not (permissions.is_admin(user) or permissions.is_manager(user)):
            validated.pop("owner", None)
            validated.pop("team", None)
        for name, value in validated.items():
            setattr(record, name, value)
        return self.save_record(record, by=user, **kwargs)

    def create(self, validated_data):
        return self._apply(self.Meta.model(), dict(validated_data))

    def update(self, instance, validated_data):
        return self._apply(instance, dict(validated_data))


@csrf_exempt  # a 404 whatever the method: not the CSRF middleware's HTML 403
def not_found(request, *args, **kwargs) -> JsonResponse:
    """A path under /api/ that names no resource: the API's 404, not an HTML page."""
    return JsonResponse(_body("not_found", _("No such resource."), None), status=404)
