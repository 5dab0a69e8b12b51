"""Forms of the project pages. They check shape (required, types, choices); the rules
are projects.services' (project_save, project_change_stage, project_replan), and the
views show a service's DomainError next to the field it names."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import Team
from crm.models import Mission, Organisation, Visit
from projects.models import PLANNED_STAGES, LossReason, Project, Stage
from projects.selectors import Move


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def bootstrap(form: forms.Form, small: bool = False) -> None:
    """Give every widget its Bootstrap class (and a stable id for labels and tests)."""
    size = " form-select-sm" if small else ""
    control_size = " form-control-sm" if small else ""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select" + size)
        else:
            widget.attrs.setdefault("class", "form-control" + control_size)
        if form.prefix is None:
            widget.attrs.setdefault("id", f"id_{name}")


class ProjectForm(forms.ModelForm):
    """Create or edit a project. Stage and actual dates are not here: they change through
    the stage form. `version` is the version the user started from (two editors)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    investor_query = forms.CharField(
        label=_("investor"),
        required=False,
        help_text=_("Type part of the Chinese or English name, or the credit code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "type": "search"}),
    )
    replan_reason = forms.CharField(
        label=_("Reason for moving a planned date"),
        max_length=300,
        required=False,
        help_text=_("Needed only when you change a planned date that was already set (a re-plan)."),
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "investor",
            "kind",
            "capital_origin",
            "industry",
            "park",
            "total_investment",
            "fixed_asset_investment",
            "foreign_capital_usd",
            "expected_annual_output",
            "jobs",
            "source_kind",
            "source_mission",
            "source_visit",
            "source_note",
            "is_major",
            "is_confidential",
            "signed_planned",
            "started_planned",
            "completed_planned",
            "producing_planned",
            "description",
            "team",
        ]
        widgets = {
            "investor": forms.HiddenInput,
            "source_visit": forms.HiddenInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "signed_planned": DateInput,
            "started_planned": DateInput,
            "completed_planned": DateInput,
            "producing_planned": DateInput,
            "total_investment": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Picked by typing (static/js/project_form.js); the id travels in the hidden field.
        self.fields["investor"].queryset = Organisation.objects.all()
        self.fields["investor"].required = False
        if not self.is_bound and not self.initial.get("investor_query"):
            investor = self.initial.get("investor") or self.instance.investor_id
            if investor:
                self.initial["investor_query"] = (
                    Organisation.objects.filter(pk=getattr(investor, "pk", investor))
                    .values_list("name", flat=True)
                    .first()
                )
        self.fields["source_mission"].queryset = Mission.objects.order_by("-start_date", "pk")
        self.fields["source_visit"].queryset = Visit.objects.all()
        if permissions.is_admin(user):
            self.fields["team"].queryset = Team.objects.order_by("name")
            self.fields["team"].required = True
        elif permissions.is_manager(user):
            self.fields["team"].queryset = Team.objects.filter(pk__in=permissions.team_ids_of(user)).order_by("name")
            self.fields["team"].required = True
        else:
            # An officer's projects belong to their team; the service fills it in.
            del self.fields["team"]
        if self.instance.pk is None:
            del self.fields["replan_reason"]
            self.fields["version"].initial = None
        else:
            self.fields["version"].initial = self.instance.version
            # A stage already reached keeps its plan (the service refuses a change).
            for stage in PLANNED_STAGES:
                if self.instance.actual_date(stage):
                    self.fields[f"{stage}_planned"].disabled = True
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("investor") is None:
            typed = (data.get("investor_query") or "").strip()
            # Without JavaScript nothing is picked: a whole name or credit code still finds it.
            matches = (
                list(
                    Organisation.objects.filter(
                        Q(name=typed) | Q(name_en__iexact=typed) | Q(credit_code=typed.upper())
                    )[:2]
                )
                if typed
                else []
            )
            if len(matches) == 1:
                data["investor"] = matches[0]
            else:
                self.add_error(
                    "investor",
                    _("Pick the investor from the list that opens as you type its name or credit code."),
                )
        return data

    def planned_fields(self):
        return [self[f"{stage}_planned"] for stage in PLANNED_STAGES]


class StageChangeForm(forms.Form):
    """Move a project to another stage: the date, and what that stage asks for."""

    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    from_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    # The version of the project the user saw: a move based on an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = forms.DateField(label=_("Date reached"), widget=DateInput)
    signed_amount = forms.DecimalField(
        label=_("signed amount (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    # A drop: why it was lost, from the list, and where it went (the service requires them).
    loss_reason = forms.ChoiceField(
        label=_("Why was it lost?"), choices=[("", "---------"), *LossReason.choices], required=False
    )
    lost_to = forms.CharField(
        label=_("Competing location"),
        max_length=100,
        required=False,
        help_text=_("Where the project went, when it went to another location (e.g. 苏州工业园区)."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, moves: list[Move], project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        # Every stage stays a valid choice (a drop on any column is sent to the service,
        # which explains why a move is refused); the select offers the allowed ones.
        offered = [(move.stage.value, move.label) for move in moves]
        self.fields["to_stage"].widget.choices = offered
        bootstrap(self)

    def chosen_stage(self) -> Stage | None:
        value = self.data.get("to_stage") if self.is_bound else self.initial.get("to_stage")
        try:
            return Stage(value)
        except ValueError:
            return None


class CompleteDateForm(forms.Form):
    """The date of a stage reached on a date unknown when it was imported."""

    on = forms.DateField(label=_("Date reached"), widget=DateInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReplanForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("stage"), choices=[(stage.value, stage.label) for stage in PLANNED_STAGES], widget=forms.HiddenInput
    )
    new_date = forms.DateField(label=_("New planned date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CreditShareForm(forms.Form):
    """One team's share of a project's credit (a row of the split)."""

    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.order_by("name"), required=False)
    share = forms.DecimalField(
        label=_("share (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "max": "100"}),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("team") and data.get("share") is None:
            self.add_error("share", _("Enter the team's share in percent."))
        if data.get("share") is not None and not data.get("team"):
            self.add_error("team", _("Choose the team this share goes to."))
        return data


CreditFormSet = forms.formset_factory(CreditShareForm, extra=0, max_num=20, validate_max=True)
