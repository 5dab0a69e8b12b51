"""Filters of the office-wide problem list (协调事项), shared by the page, its export and
the API. Pass problem_rows(user): the filters narrow it and never widen it."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AlertLevel, Team
from problems.models import Department, Problem

ON_TIME = "on_time"
LATE = "late"
AGE_CHOICES = [
    (ON_TIME, _("Not late")),
    (LATE, _("Late (any level)")),
    *[(value, label) for value, label in AlertLevel.choices if value != AlertLevel.NOTICE],
]
# "open" stands for both open statuses: what the office is still chasing (so the status
# "open" alone is not offered twice: generated API clients refuse a repeated enum value).
STATUS_CHOICES = [
    ("open", _("Still open (open or in progress)")),
    *[(value, label) for value, label in Problem.Status.choices if value != Problem.Status.OPEN],
]


class ProblemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="by_status", label=_("status"), empty_label=None
    )
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.order_by("name"), label=_("department"))
    kind = django_filters.ChoiceFilter(choices=Problem.Kind.choices, label=_("kind"), empty_label=None)
    age = django_filters.ChoiceFilter(choices=AGE_CHOICES, method="by_age", label=_("age"), empty_label=None)
    team = django_filters.ModelChoiceFilter(
        field_name="project__team", queryset=Team.objects.order_by("name"), label=_("team")
    )
    project = django_filters.NumberFilter(field_name="project_id", label=_("project"))
    raised_after = django_filters.DateFilter(field_name="raised_on", lookup_expr="gte", label=_("raised from"))
    raised_before = django_filters.DateFilter(field_name="raised_on", lookup_expr="lte", label=_("raised until"))

    class Meta:
        model = Problem
        fields = ["q", "status", "department", "kind", "age", "team", "project", "raised_after", "raised_before"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(project__name__icontains=value) | Q(project__investor__name__icontains=value)
        )

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=Problem.OPEN_STATUSES)
        return queryset.filter(status=value)

    def by_age(self, queryset, name, value):
        # `level` is annotated by problems.selectors.with_level (the rules' ladder).
        if value == ON_TIME:
            return queryset.filter(level="")
        if value == LATE:
            return queryset.filter(status__in=Problem.OPEN_STATUSES, due_on__lt=timezone.localdate())
        return queryset.filter(level=value)
