"""Filters of the funds list (the API and the list export share them)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from funds.models import FundsEntry

MONTH_FORMATS = ["%Y-%m-%d", "%Y-%m"]


class FundsEntryFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id", label=_("project"))
    month = django_filters.DateFilter(field_name="month", input_formats=MONTH_FORMATS, label=_("month"))
    year = django_filters.NumberFilter(field_name="month", lookup_expr="year", label=_("year"))
    kind = django_filters.MultipleChoiceFilter(choices=FundsEntry.Kind.choices, label=_("kind of funds"))

    class Meta:
        model = FundsEntry
        fields = ["project", "month", "year", "kind"]

    def filter_queryset(self, queryset):
        month = self.form.cleaned_data.get("month")
        if month is not None:
            self.form.cleaned_data["month"] = month.replace(day=1)
        return super().filter_queryset(queryset)
