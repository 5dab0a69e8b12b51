"""Forms of problems and the aftercare visit (phone first: big fields, one column)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms import DateInput
from crm.models import Contact, Visit
from problems.models import Department, Problem
from problems.selectors import active_departments
from projects.forms import bootstrap

DUE_IN_DAYS = 30  # the due date a new problem is offered


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["title", "kind", "department", "department_contact", "due_on", "description"]
        widgets = {"due_on": DateInput, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        departments = active_departments()
        if self.instance.pk and self.instance.department_id:
            departments = Department.objects.filter(pk=self.instance.department_id) | departments
        self.fields["department"].queryset = departments
        if not self.instance.pk:
            self.fields["due_on"].initial = timezone.localdate() + dt.timedelta(days=DUE_IN_DAYS)
        bootstrap(self)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Problem.Status.choices)
    resolution = forms.CharField(
        label=_("resolution"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to close: how it was solved, or why it cannot be."),
    )
    on = forms.DateField(label=_("closed on"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class AftercareVisitForm(forms.Form):
    """An aftercare visit (服务走访) to the investor of a project, and maybe a problem it raised."""

    date = forms.DateField(label=_("date"), widget=DateInput)
    location = forms.CharField(label=_("place"), max_length=200, required=False)
    contacts = forms.ModelMultipleChoiceField(
        label=_("contacts met"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    summary = forms.CharField(label=_("what was discussed"), widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("next step"), max_length=300, required=False)
    follow_up_on = forms.DateField(label=_("follow-up date"), required=False, widget=DateInput)

    raise_problem = forms.BooleanField(label=_("The company raised a problem"), required=False)
    title = forms.CharField(label=_("problem"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *Problem.Kind.choices], required=False)
    department = forms.ModelChoiceField(
        label=_("department responsible"), queryset=Department.objects.none(), required=False
    )
    department_contact = forms.CharField(label=_("person responsible there"), max_length=100, required=False)
    due_on = forms.DateField(label=_("due date"), required=False, widget=DateInput)
    description = forms.CharField(label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    PROBLEM_FIELDS = ("title", "kind", "department", "due_on")

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.project = project
        self.fields["date"].initial = today
        self.fields["due_on"].initial = today + dt.timedelta(days=DUE_IN_DAYS)
        self.fields["contacts"].queryset = Contact.objects.filter(organisation_id=project.investor_id).order_by("name")
        self.fields["department"].queryset = active_departments()
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("raise_problem"):
            for name in self.PROBLEM_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed for the problem raised."))
        return data

    def visit(self) -> Visit:
        data = self.cleaned_data
        return Visit(
            organisation_id=self.project.investor_id,
            date=data["date"],
            kind=Visit.Kind.AFTERCARE,
            location=data.get("location") or "",
            summary=data["summary"],
            next_step=data.get("next_step") or "",
            follow_up_on=data.get("follow_up_on"),
        )

    def problem(self) -> Problem | None:
        data = self.cleaned_data
        if not data.get("raise_problem"):
            return None
        return Problem(
            project=self.project,
            title=data["title"],
            kind=data["kind"],
            department=data["department"],
            department_contact=data.get("department_contact") or "",
            due_on=data["due_on"],
            description=data.get("description") or "",
        )
