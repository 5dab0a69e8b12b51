"""Report endpoints under /api/v1/reports/ (issues 5 and 6): read-only, the same
selectors as the pages, so the JSON, the page and the export show the same numbers.

Every response carries the tables as `columns` (key, label, kind) and typed `rows`;
`rows[].links` maps a column to the project list that makes up its number. Amounts
are in 亿元 (100M yuan), as JSON numbers. Query parameters are strict: a parameter
sent twice, or a value out of range, answers 400.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ERRORS, APIBase, ErrorSerializer, Pagination, query_boolean
from core.models import AlertLevel
from projects.reports import selectors
from projects.reports.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError, parse_period

# --- Query parameters --------------------------------------------------------------------

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "year",
        {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
        description="The year (default: this year); with quarter or month, a part of it.",
    ),
    OpenApiParameter("quarter", {"type": "integer", "minimum": 1, "maximum": 4}, description="A quarter of the year."),
    OpenApiParameter("month", {"type": "integer", "minimum": 1, "maximum": 12}, description="A month of the year."),
    OpenApiParameter(
        "start", OpenApiTypes.DATE, description="First day of a custom period (with end; not with year/quarter/month)."
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day of a custom period (with start)."),
]
REPORT_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid query parameter (period, ordering...)."),
    401: ERRORS[401],
}


def period_of(request) -> Period:
    try:
        return parse_period(request.query_params)
    except PeriodError as error:
        raise exceptions.ValidationError({name: [message] for name, message in error.errors.items()}) from None


def _single(request, name: str, choices: list[str]) -> str | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise exceptions.ValidationError({name: [_("Send this parameter once.")]})
    if values[0] not in choices:
        raise exceptions.ValidationError({name: [_("Send one of: %(choices)s.") % {"choices": ", ".join(choices)}]})
    return values[0]


# --- Typed responses ---------------------------------------------------------------------


def amount():
    return serializers.DecimalField(max_digits=24, decimal_places=6, coerce_to_string=False)


def share():
    return serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False, allow_null=True)


def links():
    return serializers.DictField(child=serializers.CharField(), help_text="Column key -> filtered project list URL.")


class PeriodSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["year", "quarter", "month", "custom"])
    start = serializers.DateField()
    end = serializers.DateField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    month = serializers.IntegerField(allow_null=True)
    label = serializers.CharField(help_text="The period as a report names it, in the request's language.")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "int", "count", "yi", "percent", "date"])


def table_serializer(name: str, row: type[serializers.Serializer]) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "key": serializers.CharField(),
            "title": serializers.CharField(),
            "columns": ColumnSerializer(many=True),
            "rows": row(many=True),
        },
    )


class FunnelRowSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    investment_yi = amount()
    links = links()


def _split_row_fields() -> dict:
    fields = {
        "value": serializers.CharField(allow_null=True, help_text="The id or code of the split's value."),
        "label": serializers.CharField(),
        "links": links(),
    }
    for stage in selectors.FUNNEL_STAGES:
        fields[f"{stage}_count"] = serializers.IntegerField()
        fields[f"{stage}_yi"] = amount()
    return fields


SplitRowSerializer = type("SplitRowSerializer", (serializers.Serializer,), _split_row_fields())


class TrendRowSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    this_year_yi = amount()
    last_year_yi = amount()
    this_year_count = serializers.IntegerField()
    last_year_count = serializers.IntegerField()
    links = links()


class TargetRowSerializer(serializers.Serializer):
    target_id = serializers.IntegerField()
    name = serializers.CharField()
    metric = serializers.CharField()
    metric_label = serializers.CharField()
    min_tier = serializers.CharField(allow_blank=True)
    value = amount()
    actual = amount()
    done_pct = share()
    time_pct = share()
    on_track = serializers.BooleanField()
    starts_on = serializers.DateField()
    deadline = serializers.DateField()
    links = links()


FunnelSerializer = table_serializer("FunnelTable", FunnelRowSerializer)
SplitSerializer = table_serializer("SplitTable", SplitRowSerializer)
TrendSerializer = table_serializer("TrendTable", TrendRowSerializer)
TargetsSerializer = table_serializer("TargetsTable", TargetRowSerializer)


class DashboardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    funnel = FunnelSerializer()
    splits = SplitSerializer(many=True)
    trend = TrendSerializer()
    targets = TargetsSerializer()


class TierRowSerializer(serializers.Serializer):
    tier = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    investment_yi = amount()
    links = links()


class LateProjectSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    name = serializers.CharField()
    planned = serializers.DateField()
    reached = serializers.DateField(allow_null=True)
    days_late = serializers.IntegerField()


class MilestoneRowSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    planned = serializers.IntegerField()
    reached = serializers.IntegerField()
    late = serializers.CharField(allow_blank=True, help_text="The late projects named, with how late.")
    late_projects = LateProjectSerializer(many=True)
    links = links()


class ParagraphsSerializer(serializers.Serializer):
    zh_hans = serializers.CharField(source="zh-hans")
    en = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    period = PeriodSerializer()
    paragraph = serializers.CharField(help_text="The review in the request's language.")
    paragraphs = ParagraphsSerializer(help_text="The review in Chinese and in English.")
    above_threshold_count = serializers.IntegerField(help_text="New projects of 100M yuan or more.")
    above_threshold_yi = amount()
    above_1b_count = serializers.IntegerField()
    above_10b_count = serializers.IntegerField()
    new_projects = table_serializer("NewProjectsTable", TierRowSerializer)()
    milestones = table_serializer("MajorMilestonesTable", MilestoneRowSerializer)()


class ReplanEntrySerializer(serializers.Serializer):
    old_date = serializers.DateField()
    new_date = serializers.DateField()
    reason = serializers.CharField()
    changed_at = serializers.DateTimeField()


class SupervisionRowSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    project = serializers.CharField()
    investor = serializers.CharField()
    is_major = serializers.BooleanField()
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    planned = serializers.DateField()
    original_planned = serializers.DateField()
    days_late = serializers.IntegerField()
    level = serializers.CharField(allow_blank=True, help_text='"" below the first overdue rule.')
    level_label = serializers.CharField(allow_blank=True)
    owner_id = serializers.IntegerField()
    owner = serializers.CharField()
    team = serializers.CharField(allow_blank=True)
    last_contact = serializers.DateField(allow_null=True, help_text="Latest visit to the investor.")
    replan_count = serializers.IntegerField()
    replans = ReplanEntrySerializer(many=True)
    replan_history = serializers.CharField(allow_blank=True)
    links = links()


class SupervisionLevelTotalSerializer(serializers.Serializer):
    level = serializers.CharField(allow_blank=True, help_text='"" below the first overdue rule.')
    label = serializers.CharField()
    count = serializers.IntegerField()


class SupervisionTotalsSerializer(serializers.Serializer):
    late = serializers.IntegerField(help_text="Late milestones in all (with the major filter, whatever the level).")
    by_level = SupervisionLevelTotalSerializer(many=True, help_text="Late milestones per level, most urgent first.")
    due_soon = serializers.IntegerField(help_text="Milestones planned in the next due_soon_days days, not reached.")
    due_soon_days = serializers.IntegerField()


class SupervisionSerializer(table_serializer("SupervisionTable", SupervisionRowSerializer)):
    count = serializers.IntegerField(help_text="Rows in all pages (the late milestones of the level asked for).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    totals = SupervisionTotalsSerializer()


def _effect_fields() -> dict:
    return {
        "visits": serializers.IntegerField(),
        "organisations": serializers.IntegerField(),
        "projects": serializers.IntegerField(),
        "signed": serializers.IntegerField(),
        "signed_yi": amount(),
        "visit_to_project": share(),
        "project_to_signed": share(),
        "links": links(),
    }


MissionRowSerializer = type(
    "MissionRowSerializer",
    (serializers.Serializer,),
    {
        "mission_id": serializers.IntegerField(),
        "title": serializers.CharField(),
        "region": serializers.CharField(),
        "region_label": serializers.CharField(),
        "start_date": serializers.DateField(),
        **_effect_fields(),
    },
)
RegionRowSerializer = type(
    "RegionRowSerializer",
    (serializers.Serializer,),
    {
        "region": serializers.CharField(),
        "label": serializers.CharField(),
        "missions": serializers.IntegerField(),
        **_effect_fields(),
    },
)


class MissionReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    missions = table_serializer("MissionsTable", MissionRowSerializer)()
    regions = table_serializer("RegionsTable", RegionRowSerializer)()


def _score_fields() -> dict:
    return {
        "name": serializers.CharField(),
        "visits": serializers.IntegerField(),
        "new_projects": serializers.IntegerField(),
        "signed": serializers.IntegerField(),
        "signed_yi": amount(),
        "milestones_due": serializers.IntegerField(),
        "milestones_on_time": serializers.IntegerField(),
        "milestones_on_time_pct": share(),
        "follow_ups_due": serializers.IntegerField(),
        "follow_ups_on_time": serializers.IntegerField(),
        "follow_ups_on_time_pct": share(),
        "links": links(),
    }


OfficerRowSerializer = type(
    "OfficerScoreSerializer",
    (serializers.Serializer,),
    {"user_id": serializers.IntegerField(), "team": serializers.CharField(allow_blank=True), **_score_fields()},
)


def credited_count():
    return serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        coerce_to_string=False,
        help_text="Exact, in shares of a project: a project whose credit is split counts as each team's "
        "share, so the teams' values add up to the zone's.",
    )


TeamRowSerializer = type(
    "TeamScoreSerializer",
    (serializers.Serializer,),
    {
        "team_id": serializers.IntegerField(),
        **_score_fields(),
        "new_projects": serializers.IntegerField(
            help_text="credited_new_projects rounded to a whole project (half up), for older clients."
        ),
        "signed": serializers.IntegerField(
            help_text="credited_signed rounded to a whole project (half up), for older clients."
        ),
        "credited_new_projects": credited_count(),
        "credited_signed": credited_count(),
    },
)


def _team_row(row: dict) -> dict:
    """A team's row as the API gives it: the exact shares beside whole counts."""
    whole = {
        key: int(Decimal(row[key]).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for key in ("new_projects", "signed")
    }
    return {**row, **whole, "credited_new_projects": row["new_projects"], "credited_signed": row["signed"]}


ZoneRowSerializer = type("ZoneScoreSerializer", (serializers.Serializer,), _score_fields())


class ScorecardsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    officers = table_serializer("OfficerScoresTable", OfficerRowSerializer)()
    teams = table_serializer("TeamScoresTable", TeamRowSerializer)()
    zone = table_serializer("ZoneScoresTable", ZoneRowSerializer)(
        help_text="Every project counted once: the teams' rows add up to it."
    )


LossRowFields = {
    "count": serializers.IntegerField(),
    "lost_yi": amount(),
    "links": links(),
}
LossReasonRowSerializer = type(
    "LossReasonRowSerializer",
    (serializers.Serializer,),
    {"value": serializers.CharField(), "reason": serializers.CharField(), **LossRowFields},
)
LossLocationRowSerializer = type(
    "LossLocationRowSerializer", (serializers.Serializer,), {"location": serializers.CharField(), **LossRowFields}
)


class LossesSerializer(serializers.Serializer):
    period = PeriodSerializer()
    total = serializers.IntegerField(help_text="Projects dropped in the period.")
    reasons = table_serializer("LossReasonsTable", LossReasonRowSerializer)()
    locations = table_serializer("LossLocationsTable", LossLocationRowSerializer)()


class WeeklyRowSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    project = serializers.CharField()
    investor = serializers.CharField()
    amount_yi = amount()
    stage = serializers.CharField()
    stage_label = serializers.CharField()
    what = serializers.CharField(help_text="What happened this week: new, and each stage reached.")
    team = serializers.CharField(allow_blank=True)
    owner = serializers.CharField()
    major = serializers.CharField(allow_blank=True)
    links = links()


class WeeklySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    floor_yi = amount()
    table = table_serializer("WeeklyTable", WeeklyRowSerializer)()


# --- Views ---------------------------------------------------------------------------------


def period_data(period: Period) -> dict:
    from django.utils import translation

    return {
        "kind": period.kind,
        "start": period.start,
        "end": period.end,
        "year": period.year,
        "quarter": period.quarter,
        "month": period.month,
        "label": period.label(translation.get_language() or "zh-hans"),
    }


def _value_as_text(table: dict) -> dict:
    for row in table["rows"]:
        if "value" in row and row["value"] is not None:
            row["value"] = str(row["value"])
    return table


def dashboard_data(report: selectors.Dashboard) -> dict:
    """The dashboard as the endpoint answers it (the page embeds the same document)."""
    data = {
        "period": period_data(report.period),
        "funnel": report.funnel.as_dict(),
        "splits": [_value_as_text(table.as_dict()) for table in report.splits],
        "trend": report.trend.as_dict(),
        "targets": report.targets.as_dict(),
    }
    return DashboardSerializer(data).data


class ReportView(APIBase, APIView):
    """Read-only report: GET only; no pagination (a report is one document), except the
    supervision list, which is a list."""

    http_method_names = ["get", "head", "options"]


class DashboardView(ReportView):
    @extend_schema(
        summary="Pipeline dashboard: funnel, splits, monthly trend and targets",
        description="Projects that reached each stage in the period (count and total investment in 100M yuan), "
        "split by tier, industry cluster, park, capital origin, source, team and officer; signed investment "
        "by month of the period's year against the year before; targets with time progress.",
        parameters=PERIOD_PARAMETERS,
        responses={200: DashboardSerializer, **REPORT_ERRORS},
    )
    def get(self, request):
        report = selectors.dashboard(user=request.user, period=period_of(request))
        return Response(dashboard_data(report))


class ReviewView(ReportView):
    @extend_schema(
        summary="The review paragraph and its table, for a period",
        description="New projects per size tier and their investment; major projects planned to start, complete "
        "and produce against those that did, with the late ones named and how late. The paragraph comes in the "
        "request's language and in both Chinese and English.",
        parameters=PERIOD_PARAMETERS,
        responses={200: ReviewSerializer, **REPORT_ERRORS},
    )
    def get(self, request):
        from django.utils import translation

        report = selectors.review(user=request.user, period=period_of(request))
        language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
        data = {
            "period": period_data(report.period),
            "paragraph": report.paragraphs[language],
            "paragraphs": report.paragraphs,
            "above_threshold_count": report.above_threshold_count,
            "above_threshold_yi": report.above_threshold_yi,
            "above_1b_count": report.above_1b_count,
            "above_10b_count": report.above_10b_count,
            "new_projects": report.new_projects.as_dict(),
            "milestones": report.milestones.as_dict(),
        }
        return Response(ReviewSerializer(data).data)


LEVELS = [value for value, _label in AlertLevel.choices]


class SupervisionView(ReportView):
    """A list, so paged (the API's pagination); `count` comes from the totals, no extra query."""

    @extend_schema(
        summary="Supervision list (督办): late milestones, a page at a time, with totals",
        description="Late planned milestones of projects still being chased, with level, owner, days late, last "
        "contact with the investor and re-plan history; paged (`page`, `page_size`), with the totals of late "
        "milestones per level and of milestones due soon.",
        parameters=[
            OpenApiParameter("ordering", {"type": "string", "enum": selectors.SUPERVISION_ORDERINGS}),
            OpenApiParameter("major", OpenApiTypes.BOOL, description="Only major projects (true) or only others."),
            OpenApiParameter("level", {"type": "string", "enum": LEVELS}, description="Only this overdue level."),
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number, from 1."),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": Pagination.max_page_size},
                description="Rows per page.",
            ),
        ],
        responses={
            200: SupervisionSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such page."),
            **REPORT_ERRORS,
        },
    )
    def get(self, request):
        table = selectors.supervision(
            user=request.user,
            ordering=_single(request, "ordering", selectors.SUPERVISION_ORDERINGS) or "-days_late",
            major=query_boolean(request, "major"),
            level=_single(request, "level", LEVELS),
        )
        paginator = Pagination()
        rows = paginator.paginate_queryset(table.rows, request, view=self)
        totals = table.totals
        data = {
            **table.as_dict(),
            "rows": rows,
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "totals": {
                "late": totals.late,
                "by_level": [{"level": level, "label": label, "count": n} for level, label, n in totals.levels()],
                "due_soon": totals.due_soon,
                "due_soon_days": totals.due_soon_days,
            },
        }
        return Response(SupervisionSerializer(data).data)


class MissionReportView(ReportView):
    @extend_schema(
        summary="Mission effectiveness, per mission and per region",
        description="Missions that started in the period: visits, organisations met, projects that came from "
        "them, of which signed, their investment, and the conversion from visit to project to signed.",
        parameters=PERIOD_PARAMETERS,
        responses={200: MissionReportSerializer, **REPORT_ERRORS},
    )
    def get(self, request):
        report = selectors.missions(user=request.user, period=period_of(request))
        data = {
            "period": period_data(report.period),
            "missions": report.missions.as_dict(),
            "regions": report.regions.as_dict(),
        }
        return Response(MissionReportSerializer(data).data)


class ScorecardView(ReportView):
    @extend_schema(
        summary="Officer and team scorecards",
        description="Visits, new projects, signed count and investment, milestones reached on time and "
        "follow-ups done on time. Officers see their own row and their team; managers their department.",
        parameters=PERIOD_PARAMETERS,
        responses={200: ScorecardsSerializer, **REPORT_ERRORS},
    )
    def get(self, request):
        report = selectors.scorecards(user=request.user, period=period_of(request))
        data = {
            "period": period_data(report.period),
            "officers": report.officers.as_dict(),
            "teams": {**report.teams.as_dict(), "rows": [_team_row(row) for row in report.teams.rows]},
            "zone": report.zone.as_dict(),
        }
        return Response(ScorecardsSerializer(data).data)


class TargetsView(ReportView):
    @extend_schema(
        summary="Targets: progress against the value and against time",
        responses={200: TargetsSerializer, 401: ERRORS[401]},
    )
    def get(self, request):
        return Response(TargetsSerializer(selectors.targets_progress(user=request.user).as_dict()).data)


class LossesView(ReportView):
    @extend_schema(
        summary="Lost projects by loss reason and by competing location",
        description="Projects dropped in the period (by their drop date), counted by the reason chosen when "
        "they were dropped, and those that went to another location by that location.",
        parameters=PERIOD_PARAMETERS,
        responses={200: LossesSerializer, **REPORT_ERRORS},
    )
    def get(self, request):
        report = selectors.losses(user=request.user, period=period_of(request))
        data = {
            "period": period_data(report.period),
            "total": report.total,
            "reasons": report.reasons.as_dict(),
            "locations": report.locations.as_dict(),
        }
        return Response(LossesSerializer(data).data)


class WeeklyView(ReportView):
    @extend_schema(
        summary="The leadership's weekly list",
        description="Leads and projects of 5亿 (500M yuan) and above that were noted, entered or moved to "
        "another stage in the week (Monday to Sunday) of `week`, biggest first.",
        parameters=[
            OpenApiParameter(
                "week", OpenApiTypes.DATE, description="Any date of the week (YYYY-MM-DD); default: this week."
            )
        ],
        responses={200: WeeklySerializer, **REPORT_ERRORS},
    )
    def get(self, request):
        try:
            raw = request.query_params.get("week")
            if raw is not None and not raw.strip():
                raise ValueError("give a date (YYYY-MM-DD), or leave the parameter out for this week")
            week = selectors.parse_week(raw)
        except ValueError as error:
            raise exceptions.ValidationError({"week": [str(error)]}) from None
        report = selectors.weekly_list(user=request.user, week=week)
        data = {"start": report.start, "end": report.end, "floor_yi": report.floor_yi, "table": report.table.as_dict()}
        return Response(WeeklySerializer(data).data)
