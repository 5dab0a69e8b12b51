"""Filters of agreements and promise checks (API). Pass querysets already narrowed to
the projects the user may see: filters narrow further, never widen."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, PromiseCheck


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class AgreementFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id", label=_("project"))
    # A year is a whole number: 0.5 is refused, not read as no year.
    due_year = YearFilter(field_name="due_year", label=_("year of full production"))

    class Meta:
        model = Agreement
        fields = ["project", "due_year"]


class PromiseCheckFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="agreement__project_id", label=_("project"))
    agreement = django_filters.NumberFilter(field_name="agreement_id", label=_("agreement"))
    kind = django_filters.ChoiceFilter(choices=PromiseCheck.Kind.choices, label=_("promise"))
    status = django_filters.MultipleChoiceFilter(
        field_name="check_status", choices=PromiseCheck.Status.choices, label=_("result")
    )
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("due on or after"))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("due on or before"))

    class Meta:
        model = PromiseCheck
        fields = ["project", "agreement", "kind", "status", "due_after", "due_before"]
