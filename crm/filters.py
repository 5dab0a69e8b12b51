"""Filters of organisations, contacts, missions and visits: one FilterSet per list,
used alike by the web pages and the API, so both answer the same question the same way.

Every FilterSet takes a free-text `q`; the rest are exact fields or ranges. Filters
that look at projects go through core.permissions.visible_projects, so a filter
cannot reveal a project hidden from the user (crm does not import projects: the
project model is looked up by name).
"""

from __future__ import annotations

import django_filters
from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core import permissions
from core.models import Team, User
from crm.models import Contact, Industry, Mission, Organisation, Park, Qualification, Visit
from crm.search import folded_contains, matching_organisation_ids, organisations_matching, records_matching

# Projects still moving or landed; on hold and dropped ones are not "active".
INACTIVE_PROJECT_STAGES = ("on_hold", "dropped")


def industry_subtree(industry_id) -> Q:
    """An industry node and everything below it (cluster > chain > link: three levels)."""
    return Q(industry_id=industry_id) | Q(industry__parent_id=industry_id) | Q(industry__parent__parent_id=industry_id)


def _users():
    return User.objects.filter(is_active=True)


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Chinese or English name, pinyin, other names, credit code")
    )
    kind = django_filters.MultipleChoiceFilter(choices=Organisation.Kind.choices, label=_("kind"))
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(),
        method="in_industry",
        label=_("industry"),
        help_text=_("Includes sub-industries."),
    )
    park = django_filters.ModelChoiceFilter(queryset=Park.objects.all(), label=_("park"))
    country = django_filters.ChoiceFilter(choices=countries, label=_("country"))
    qualification = django_filters.MultipleChoiceFilter(
        choices=Qualification.Kind.choices, method="with_qualification", label=_("qualification")
    )
    is_in_zone = django_filters.BooleanFilter(label=_("located in the zone"))
    is_listed = django_filters.BooleanFilter(method="listed", label=_("listed"))
    has_active_project = django_filters.BooleanFilter(method="with_active_project", label=_("has an active project"))
    owner = django_filters.ModelChoiceFilter(queryset=_users(), label=_("owner"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("team"))

    class Meta:
        model = Organisation
        fields = ["q", "kind", "industry", "park", "country", "qualification", "is_in_zone", "owner", "team"]

    def search(self, queryset, name, value):
        return organisations_matching(queryset, value)

    def in_industry(self, queryset, name, value):
        return queryset.filter(industry_subtree(value.pk)) if value else queryset

    def with_qualification(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Qualification.objects.filter(organisation=OuterRef("pk"), kind__in=value)))

    def listed(self, queryset, name, value):
        if value is None:
            return queryset
        listed = ~Q(exchange="") & ~Q(stock_code="")
        return queryset.filter(listed) if value else queryset.exclude(listed)

    def with_active_project(self, queryset, name, value):
        if value is None:
            return queryset
        project_model = apps.get_model("projects", "Project")
        user = getattr(self.request, "user", None)
        active = permissions.visible_projects(user, project_model.objects.all()).exclude(
            stage__in=INACTIVE_PROJECT_STAGES
        )
        condition = Exists(active.filter(investor_id=OuterRef("pk")))
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), help_text=_("Name, title, phone or e-mail"))
    organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), label=_("organisation"))
    is_active = django_filters.BooleanFilter(label=_("still works there"))
    owner = django_filters.ModelChoiceFilter(queryset=_users(), label=_("owner"))

    class Meta:
        model = Contact
        fields = ["q", "organisation", "is_active", "owner"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The name by the one rule (pinyin, Traditional, any case); the rest as typed.
        others = Q(title__icontains=value) | Q(phone__icontains=value) | Q(email__icontains=value)
        return queryset.filter(Q(pk__in=records_matching(Contact.objects.all(), value).values("pk")) | others)


class MissionStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")


def mission_status_condition(status: str, today) -> Q:
    """Missions that, on `today`, have not started, are under way, or have ended."""
    if status == MissionStatus.UPCOMING:
        return Q(start_date__gt=today)
    if status == MissionStatus.UNDER_WAY:
        return Q(start_date__lte=today, end_date__gte=today)
    return Q(end_date__lt=today)


class MissionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), help_text=_("Title, cities or goals"))
    status = django_filters.ChoiceFilter(
        choices=MissionStatus.choices,
        method="in_status",
        label=_("status"),
        help_text=_("Upcoming, under way or done, as of today."),
    )
    kind = django_filters.MultipleChoiceFilter(choices=Mission.Kind.choices, label=_("kind"))
    region = django_filters.MultipleChoiceFilter(choices=Mission.Region.choices, label=_("region"))
    country = django_filters.ChoiceFilter(
        choices=countries, field_name="countries", method="in_country", label=_("country")
    )
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("starts on or after"))
    start_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("starts on or before"))
    year = django_filters.NumberFilter(field_name="start_date", lookup_expr="year", label=_("year"))
    participant = django_filters.ModelChoiceFilter(
        queryset=_users(), field_name="participants", method="with_participant", label=_("participant")
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(), field_name="industries", label=_("industry")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_users(), label=_("owner"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("team"))

    class Meta:
        model = Mission
        fields = ["q", "status", "kind", "region", "country", "year", "participant", "industry", "owner", "team"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            folded_contains("title", value) | folded_contains("cities", value) | folded_contains("goals", value)
        )

    def in_status(self, queryset, name, value):
        return queryset.filter(mission_status_condition(value, timezone.localdate())) if value else queryset

    def in_country(self, queryset, name, value):
        # Stored as comma-separated codes ("JP,KR"): match a whole code.
        if not value:
            return queryset
        return queryset.filter(
            Q(countries=value)
            | Q(countries__startswith=f"{value},")
            | Q(countries__endswith=f",{value}")
            | Q(countries__contains=f",{value},")
        )

    def with_participant(self, queryset, name, value):
        if not value:
            return queryset
        took_part = Mission.participants.through.objects.filter(mission_id=OuterRef("pk"), user_id=value.pk)
        return queryset.filter(Q(leader=value) | Exists(took_part))


class VisitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Organisation name, summary, place or next step")
    )
    organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), label=_("organisation"))
    mission = django_filters.ModelChoiceFilter(queryset=Mission.objects.all(), label=_("mission"))
    kind = django_filters.MultipleChoiceFilter(choices=Visit.Kind.choices, label=_("kind"))
    intention = django_filters.MultipleChoiceFilter(choices=Visit.Intention.choices, label=_("intention"))
    officer = django_filters.ModelChoiceFilter(
        queryset=_users(), field_name="officers", method="with_officer", label=_("officer")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_users(), label=_("owner"))
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("team"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("on or after"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("on or before"))
    follow_up_open = django_filters.BooleanFilter(method="open_follow_up", label=_("follow-up still open"))

    class Meta:
        model = Visit
        fields = ["q", "organisation", "mission", "kind", "intention", "officer", "owner", "team"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The organisation by the one rule (crm.search); what was said as typed or folded.
        return queryset.filter(
            Q(organisation_id__in=matching_organisation_ids(value))
            | folded_contains("summary", value)
            | folded_contains("location", value)
            | folded_contains("next_step", value)
        )

    def with_officer(self, queryset, name, value):
        if not value:
            return queryset
        took_part = Visit.officers.through.objects.filter(visit_id=OuterRef("pk"), user_id=value.pk)
        return queryset.filter(Exists(took_part))

    def open_follow_up(self, queryset, name, value):
        if value is None:
            return queryset
        open_ = Q(follow_up_on__isnull=False, follow_up_done_on__isnull=True)
        return queryset.filter(open_) if value else queryset.exclude(open_)
