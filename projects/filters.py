"""Filters of pipeline projects, stage changes and re-plans, shared by the web pages and
the API. Pass a queryset already narrowed by core.permissions.visible_projects: the
filters narrow further and never widen it."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.models import AlertLevel, Team, User
from crm.filters import industry_subtree
from crm.models import Industry, Mission, Organisation, Park
from crm.search import folded_contains, matching_organisation_ids
from projects.models import LossReason, Project, Replan, Stage, StageChange
from projects.reminders import with_overdue_level
from projects.tiers import LEGACY_TIER_KEYS, TIER_FLOORS, Tier, current_tier_key

# "On time" besides the alert levels: projects with no overdue planned date.
ON_TIME = "on_time"
OVERDUE_CHOICES = [(ON_TIME, _("On time")), ("any", _("Overdue (any level)")), *AlertLevel.choices]


def tier_condition(tier: str) -> Q:
    """Projects in one size tier (projects.tiers: the floor belongs to the tier)."""
    floors = [floor for floor, _tier in TIER_FLOORS]
    bounds = {t.value: floor for floor, t in TIER_FLOORS}
    if tier == Tier.BELOW_100M:
        return Q(total_investment__lt=min(floors))
    floor = bounds[tier]
    higher = [f for f in floors if f > floor]
    condition = Q(total_investment__gte=floor)
    if higher:
        condition &= Q(total_investment__lt=min(higher))
    return condition


def with_current_tier_keys(data):
    """The filter's data with legacy tier keys (?tier=1e8, bookmarked before API 2.0)
    mapped to the current ones, so old links still narrow the list and the form shows
    the tier as chosen. Data without a legacy key is returned untouched."""
    if not data or "tier" not in data:
        return data
    if hasattr(data, "getlist"):  # a QueryDict
        keys = data.getlist("tier")
        if any(key in LEGACY_TIER_KEYS for key in keys):
            data = data.copy()
            data.setlist("tier", [current_tier_key(key) for key in keys])
        return data
    keys = data["tier"]
    mapped = current_tier_key(keys) if isinstance(keys, str) else [current_tier_key(key) for key in keys]
    return {**data, "tier": mapped}


def _users():
    return User.objects.filter(is_active=True)


def reached_between(stage: Stage) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """`<stage>_after` and `<stage>_before`: the stage's actual date in a range (the
    reports link every number to the list narrowed this way)."""
    field = f"{stage.value}_on"
    return (
        django_filters.DateFilter(
            field_name=field, lookup_expr="gte", label=format_lazy(_("{stage}: on or after"), stage=stage.label)
        ),
        django_filters.DateFilter(
            field_name=field, lookup_expr="lte", label=format_lazy(_("{stage}: on or before"), stage=stage.label)
        ),
    )


def planned_between(stage: Stage) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """`<stage>_planned_after` and `_before`: the current plan for a stage in a range."""
    field = f"{stage.value}_planned"
    return (
        django_filters.DateFilter(
            field_name=field, lookup_expr="gte", label=format_lazy(_("{stage} planned: on or after"), stage=stage.label)
        ),
        django_filters.DateFilter(
            field_name=field,
            lookup_expr="lte",
            label=format_lazy(_("{stage} planned: on or before"), stage=stage.label),
        ),
    )


class ProjectFilter(django_filters.FilterSet):
    # The multiple-choice filters here all read the project's own columns (or a forward
    # key), where a project matches once: distinct=False spares a DISTINCT over whole
    # rows, which PostgreSQL would sort over every match (seconds at a million projects).
    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        help_text=_("Project name, investor's Chinese or English name, credit code"),
    )
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("stage"), distinct=False)
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices, method="in_tier", label=_("tier"), distinct=False)
    min_investment = django_filters.NumberFilter(
        field_name="total_investment", lookup_expr="gte", label=_("total investment at least (10k yuan)")
    )
    team = django_filters.ModelMultipleChoiceFilter(queryset=Team.objects.all(), label=_("team"), distinct=False)
    owner = django_filters.ModelChoiceFilter(queryset=_users(), label=_("owner"))
    investor = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), label=_("investor"))
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(),
        method="in_industry",
        label=_("industry"),
        help_text=_("Includes sub-industries."),
    )
    park = django_filters.ModelMultipleChoiceFilter(queryset=Park.objects.all(), label=_("park"), distinct=False)
    is_major = django_filters.BooleanFilter(label=_("major project"))
    is_confidential = django_filters.BooleanFilter(label=_("confidential"))
    kind = django_filters.MultipleChoiceFilter(choices=Project.Kind.choices, label=_("kind"), distinct=False)
    capital_origin = django_filters.MultipleChoiceFilter(
        choices=Project.CapitalOrigin.choices, label=_("capital origin"), distinct=False
    )
    source_kind = django_filters.MultipleChoiceFilter(
        choices=Project.SourceKind.choices, label=_("source"), distinct=False
    )
    source_mission = django_filters.ModelChoiceFilter(queryset=Mission.objects.all(), label=_("source mission"))
    signed_year = django_filters.NumberFilter(field_name="signed_on", lookup_expr="year", label=_("signed in year"))
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("signed on or after"))
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("signed on or before"))
    is_signed = django_filters.BooleanFilter(
        field_name="signed_on", lookup_expr="isnull", exclude=True, label=_("signed (at any time)")
    )
    lead_after, lead_before = reached_between(Stage.LEAD)
    negotiating_after, negotiating_before = reached_between(Stage.NEGOTIATING)
    started_after, started_before = reached_between(Stage.STARTED)
    completed_after, completed_before = reached_between(Stage.COMPLETED)
    producing_after, producing_before = reached_between(Stage.PRODUCING)
    on_hold_after, on_hold_before = reached_between(Stage.ON_HOLD)
    dropped_after, dropped_before = reached_between(Stage.DROPPED)
    signed_planned_after, signed_planned_before = planned_between(Stage.SIGNED)
    started_planned_after, started_planned_before = planned_between(Stage.STARTED)
    completed_planned_after, completed_planned_before = planned_between(Stage.COMPLETED)
    producing_planned_after, producing_planned_before = planned_between(Stage.PRODUCING)
    unset = django_filters.MultipleChoiceFilter(
        choices=[("industry", _("industry")), ("park", _("park")), ("team", _("team"))],
        method="with_unset",
        label=_("not set"),
        help_text=_("Projects with no industry, park or team recorded."),
        distinct=False,
    )
    mission_region = django_filters.MultipleChoiceFilter(
        field_name="source_mission__region",
        choices=Mission.Region.choices,
        label=_("region of the source mission"),
        distinct=False,
    )
    started_year = django_filters.NumberFilter(field_name="started_on", lookup_expr="year", label=_("started in year"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("created on or after")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("created on or before")
    )
    overdue = django_filters.ChoiceFilter(choices=OVERDUE_CHOICES, method="by_overdue_level", label=_("overdue level"))
    loss_reason = django_filters.MultipleChoiceFilter(
        choices=LossReason.choices, label=_("loss reason"), distinct=False
    )
    lost_to = django_filters.CharFilter(field_name="lost_to", label=_("competing location"))

    class Meta:
        model = Project
        fields = [
            "q",
            "stage",
            "tier",
            "team",
            "owner",
            "investor",
            "industry",
            "park",
            "is_major",
            "is_confidential",
            "kind",
            "capital_origin",
            "source_kind",
            "source_mission",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(with_current_tier_keys(data), *args, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The investor by the one rule (crm.search: pinyin, aliases, Traditional forms).
        return queryset.filter(folded_contains("name", value) | Q(investor_id__in=matching_organisation_ids(value)))

    def in_tier(self, queryset, name, value):
        if not value:
            return queryset
        condition = Q()
        for tier in value:
            condition |= tier_condition(tier)
        return queryset.filter(condition)

    def in_industry(self, queryset, name, value):
        return queryset.filter(industry_subtree(value.pk)) if value else queryset

    def with_unset(self, queryset, name, value):
        for field in value or []:
            queryset = queryset.filter(**{f"{field}__isnull": True})
        return queryset

    def by_overdue_level(self, queryset, name, value):
        if not value:
            return queryset
        if "overdue_level" not in queryset.query.annotations:
            queryset = with_overdue_level(queryset)
        if value == ON_TIME:
            return queryset.filter(overdue_level="")
        if value == "any":
            return queryset.exclude(overdue_level="")
        return queryset.filter(overdue_level=value)


class StageChangeFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id", label=_("project"))
    to_stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("to stage"))
    reached_after = django_filters.DateFilter(
        field_name="reached_on", lookup_expr="gte", label=_("reached on or after")
    )
    reached_before = django_filters.DateFilter(
        field_name="reached_on", lookup_expr="lte", label=_("reached on or before")
    )
    is_correction = django_filters.BooleanFilter(label=_("correction"))
    changed_by = django_filters.ModelChoiceFilter(queryset=_users(), label=_("changed by"))

    class Meta:
        model = StageChange
        fields = ["project", "to_stage", "is_correction", "changed_by"]


class ReplanFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id", label=_("project"))
    stage = django_filters.MultipleChoiceFilter(choices=Replan._meta.get_field("stage").choices, label=_("stage"))
    changed_by = django_filters.ModelChoiceFilter(queryset=_users(), label=_("changed by"))

    class Meta:
        model = Replan
        fields = ["project", "stage", "changed_by"]
