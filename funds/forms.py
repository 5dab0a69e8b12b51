"""The funds form of the project page: a month, a kind, an amount (and dollars for a
foreign-capital project). Shape only; the rules are funds.services'."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.models import FundsEntry
from projects.forms import bootstrap
from projects.models import Project


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class MonthField(forms.DateField):
    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y年%m月"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if isinstance(day, dt.date) else day


class FundsEntryForm(forms.Form):
    month = MonthField(label=_("month"))
    kind = forms.ChoiceField(label=_("kind of funds"), choices=FundsEntry.Kind.choices)
    amount = forms.DecimalField(
        label=_("amount (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    usd_amount = forms.DecimalField(
        label=_("foreign capital actually used (10k USD)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault(
            "initial", {"month": timezone.localdate().replace(day=1), "kind": FundsEntry.Kind.PAID_IN_CAPITAL}
        )
        super().__init__(*args, **kwargs)
        if project.capital_origin == Project.CapitalOrigin.DOMESTIC:
            del self.fields["usd_amount"]
        bootstrap(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += (
                " form-control-lg" if "form-control" in field.widget.attrs["class"] else " form-select-lg"
            )
