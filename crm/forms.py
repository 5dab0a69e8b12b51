"""Forms of the crm pages. They check shape (required, types, choices); the services
in crm.services enforce the rules and the view shows their DomainError on the form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from crm import selectors
from crm.models import Contact, Industry, Mission, Organisation, Qualification, Visit

# How far back the mission list of the visit form reaches (visits are logged late too).
MISSION_LOOKBACK_DAYS = 90


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VisitForm(forms.Form):
    """One form for a visit, a new organisation and a new contact (phone first)."""

    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False, widget=forms.HiddenInput)
    organisation_query = forms.CharField(
        label=_("Organisation"),
        required=False,
        help_text=_("Type part of the Chinese or English name, or the credit code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    new_organisation_name = forms.CharField(label=_("Chinese name"), max_length=200, required=False)
    new_organisation_name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    new_organisation_credit_code = forms.CharField(label=_("unified social credit code"), max_length=40, required=False)
    new_organisation_kind = forms.ChoiceField(
        label=_("kind"), choices=Organisation.Kind.choices, initial=Organisation.Kind.COMPANY, required=False
    )
    create_anyway = forms.BooleanField(
        label=_("None of these is the one: create a new organisation anyway"), required=False
    )

    date = forms.DateField(label=_("date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("kind"), choices=Visit.Kind.choices, initial=Visit.Kind.OUTGOING)
    mission = forms.ModelChoiceField(label=_("mission"), queryset=Mission.objects.none(), required=False)
    location = forms.CharField(label=_("place"), max_length=200, required=False)
    contacts = forms.ModelMultipleChoiceField(
        label=_("contacts met"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    new_contact_name = forms.CharField(label=_("New contact: name"), max_length=100, required=False)
    new_contact_title = forms.CharField(label=_("New contact: job title"), max_length=100, required=False)
    summary = forms.CharField(label=_("what was discussed"), widget=forms.Textarea(attrs={"rows": 3}))
    intention = forms.ChoiceField(label=_("intention"), choices=Visit.Intention.choices, initial=Visit.Intention.NONE)
    next_step = forms.CharField(label=_("next step"), max_length=300, required=False)
    follow_up_on = forms.DateField(label=_("follow-up date"), required=False, widget=DateInput)
    other_officers = forms.ModelMultipleChoiceField(
        label=_("Other officers who went"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, user, today: dt.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.similar: list[Organisation] = []
        today = today or timezone.localdate()
        missions = Mission.objects.filter(
            start_date__lte=today, end_date__gte=today - dt.timedelta(days=MISSION_LOOKBACK_DAYS)
        ).order_by("-start_date", "pk")
        self.fields["mission"].queryset = missions
        self.fields["other_officers"].queryset = (
            get_user_model().objects.filter(is_active=True).exclude(pk=user.pk).order_by("username")
        )
        organisation_id = self._organisation_id()
        self.fields["contacts"].queryset = selectors.contacts_of(organisation_id)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            widget.attrs.setdefault("id", f"id_{name}")

    def _organisation_id(self) -> int | None:
        raw = self.data.get("organisation") if self.is_bound else self.initial.get("organisation")
        if isinstance(raw, Organisation):
            return raw.pk
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        organisation = data.get("organisation")
        new_name = (data.get("new_organisation_name") or "").strip()
        if organisation is None and not new_name:
            self.add_error(
                "organisation_query",
                _("Pick an organisation from the list, or create it below with its Chinese name."),
            )
        elif organisation is None:
            self.similar = selectors.similar_organisations(
                name=new_name,
                name_en=data.get("new_organisation_name_en") or "",
                credit_code=data.get("new_organisation_credit_code") or "",
            )
            if self.similar and not data.get("create_anyway"):
                self.add_error(
                    "new_organisation_name",
                    _("Similar organisations already exist. Pick one of them, or tick the box to create a new one."),
                )
        if data.get("new_contact_title") and not data.get("new_contact_name"):
            self.add_error("new_contact_name", _("Enter the new contact's name."))
        return data

    @property
    def new_organisation(self) -> Organisation | None:
        data = self.cleaned_data
        if data.get("organisation") is not None:
            return None
        return Organisation(
            name=data["new_organisation_name"],
            name_en=data.get("new_organisation_name_en") or "",
            credit_code=data.get("new_organisation_credit_code") or "",
            kind=data.get("new_organisation_kind") or Organisation.Kind.COMPANY,
        )


# --- Filters of the lists ------------------------------------------------------------

_ANY = [("", _("Any"))]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=_ANY + list(Organisation.Kind.choices), required=False)
    industry = forms.ModelChoiceField(label=_("industry"), queryset=Industry.objects.all(), required=False)
    qualification = forms.ChoiceField(
        label=_("qualification"), choices=_ANY + list(Qualification.Kind.choices), required=False
    )
    country = forms.ChoiceField(label=_("country"), required=False)
    has_active_project = forms.ChoiceField(
        label=_("Active project"),
        choices=[("", _("Any")), ("yes", _("With an active project")), ("no", _("Without an active project"))],
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _ANY + list(countries)
        self.fields["industry"].empty_label = _("Any")
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def to_filter(self) -> selectors.OrganisationFilter:
        if not self.is_valid():
            return selectors.OrganisationFilter()
        data = self.cleaned_data
        active = {"yes": True, "no": False}.get(data.get("has_active_project") or "")
        return selectors.OrganisationFilter(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            industry=data["industry"].pk if data.get("industry") else None,
            qualification=data.get("qualification") or "",
            country=data.get("country") or "",
            has_active_project=active,
        )


class MissionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            ("", _("All")),
            (selectors.MissionStatus.UPCOMING, _("Upcoming")),
            (selectors.MissionStatus.UNDER_WAY, _("Under way")),
            (selectors.MissionStatus.DONE, _("Done")),
        ],
        required=False,
    )
    region = forms.ChoiceField(label=_("region"), choices=_ANY + list(Mission.Region.choices), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
