"""Forms of the crm pages. They check shape (required, types, choices); the services
in crm.services enforce the rules and the view shows their DomainError on the form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import selectors
from crm.credit_code import normalise as normalise_credit_code
from crm.models import Contact, Mission, Organisation, Visit

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


class OneOf(forms.SelectMultiple):
    """A plain drop-down for a filter that accepts several values (kind=a&kind=b in a
    link or the API); the page offers one at a time, with "Any" first."""

    allow_multiple_selected = False

    def __init__(self, choices=()):
        super().__init__(attrs=None, choices=choices)

    def value_from_datadict(self, data, files, name):
        return [value for value in super().value_from_datadict(data, files, name) if value != ""]


def style_filter_form(form: forms.Form, *, shown: tuple[str, ...]) -> list[forms.BoundField]:
    """Make a FilterSet's form fit the web page: Bootstrap classes, "Any" for the
    empty choice. Returns the fields the page shows; the others still filter when
    named in the query string (links, bookmarks, the API's query strings)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(field, forms.MultipleChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
            widget = field.widget = OneOf(choices=[("", _("Any")), *field.choices])
        elif isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("Any")
        elif isinstance(field, forms.ChoiceField):
            field.choices = [("", _("Any")), *[choice for choice in field.choices if choice[0] != ""]]
        if isinstance(field, forms.DateField):
            widget.input_type = "date"
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")
    return [form[name] for name in shown if name in form.fields]


# --- Editing organisations, contacts and visits ----------------------------------------


class BootstrapMixin:
    """Bootstrap classes on every widget."""

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class VersionedModelForm(BootstrapMixin, forms.ModelForm):
    """A model form that carries the version it was opened on (see crm.views.VersionedEditView).

    It checks shape only. Model validation, uniqueness and constraints are the
    service's (full_clean_or_refuse and its own checks): its DomainError names the
    field and, for a clash, the other record, and the view shows it on the field."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["version"].required = False
        self.style_widgets()

    def _post_clean(self) -> None:
        # Only put the typed values on the instance; the service validates the model.
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as error:
            self._update_errors(error)


class OrganisationForm(VersionedModelForm):
    website = forms.URLField(label=_("website"), max_length=200, required=False, assume_scheme="https")
    # Longer than a code: pasted codes come with spaces, which clean_credit_code removes.
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=40, required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_en",
            "kind",
            "credit_code",
            "country",
            "city",
            "address",
            "website",
            "industry",
            "park",
            "is_in_zone",
            "exchange",
            "stock_code",
            "listed_on",
            "description",
        ]
        widgets = {"listed_on": DateInput, "description": forms.Textarea(attrs={"rows": 3})}

    def clean_credit_code(self) -> str:
        # People paste codes with spaces, in lower case or full width; the checks run on the normal form.
        return normalise_credit_code(self.cleaned_data.get("credit_code") or "")


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["name", "name_en", "title", "phone", "email", "wechat", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class VisitEditForm(VersionedModelForm):
    """Editing a logged visit: the organisation stays; contacts are picked or added."""

    contacts = forms.ModelMultipleChoiceField(
        label=_("contacts met"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    new_contact_name = forms.CharField(label=_("New contact: name"), max_length=100, required=False)
    new_contact_title = forms.CharField(label=_("New contact: job title"), max_length=100, required=False)
    officers = forms.ModelMultipleChoiceField(
        label=_("officers"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    class Meta:
        model = Visit
        fields = [
            "date",
            "kind",
            "mission",
            "location",
            "summary",
            "intention",
            "next_step",
            "follow_up_on",
            "follow_up_done_on",
        ]
        widgets = {
            "date": DateInput,
            "follow_up_on": DateInput,
            "follow_up_done_on": DateInput,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, today: dt.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        visit = self.instance
        today = today or timezone.localdate()
        recent = Q(start_date__lte=today, end_date__gte=today - dt.timedelta(days=MISSION_LOOKBACK_DAYS))
        if visit.mission_id:
            recent |= Q(pk=visit.mission_id)
        self.fields["mission"].queryset = Mission.objects.filter(recent).order_by("-start_date", "pk")
        # The visit's own contacts stay pickable even after they left the organisation.
        self.fields["contacts"].queryset = (
            Contact.objects.filter(Q(organisation_id=visit.organisation_id, is_active=True) | Q(visits=visit))
            .distinct()
            .order_by("name")
        )
        self.fields["officers"].queryset = (
            get_user_model().objects.filter(Q(is_active=True) | Q(visits=visit)).distinct().order_by("username")
        )
        if visit.pk and not self.is_bound:
            self.initial["contacts"] = [contact.pk for contact in visit.contacts.all()]
            self.initial["officers"] = [officer.pk for officer in visit.officers.all()]

    def clean(self):
        data = super().clean()
        if data.get("new_contact_title") and not data.get("new_contact_name"):
            self.add_error("new_contact_name", _("Enter the new contact's name."))
        return data
