"""Forms of the crm pages. They check shape (required, types, choices); the services
in crm.services enforce the rules and the view shows their DomainError on the form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import construct_instance
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import selectors
from crm.credit_code import normalise as normalise_credit_code
from crm.models import Contact, Mission, Organisation, Visit
from crm.names import normalise_organisation_name
from crm.selectors import MISSION_LOOKBACK_DAYS

# Most officers the visit form accepts at once (the chips, and the ids a post may carry).
MAX_OFFICERS = 30


def mission_label(mission: Mission) -> str:
    place = f" · {mission.cities}" if mission.cities else ""
    return f"{mission.title}{place} ({mission.start_date:%m-%d}–{mission.end_date:%m-%d})"


class MissionPicker(forms.Select):
    """A drop-down of a few likely missions (it works without JavaScript) with a search
    box beside it for the others (static/js/visit_pickers.js, crm:mission_autocomplete).

    The form sets `short_list(chosen_id)`, which returns the missions to offer; the
    field's queryset (every mission a visit may have) is never listed whole."""

    short_list: Callable[[int | None], list[Mission]] = staticmethod(lambda chosen: [])

    def render(self, name, value, attrs=None, renderer=None):
        chosen = _as_id(value)
        self.choices = [("", "—"), *((mission.pk, mission_label(mission)) for mission in self.short_list(chosen))]
        select = super().render(name, value, attrs, renderer)
        return render_to_string("crm/includes/mission_picker.html", {"select": select, "name": name})


class OfficerPicker(forms.SelectMultiple):
    """Officers as removable chips, each posting its id in a hidden input, and a box to
    type a name (static/js/visit_pickers.js, crm:officer_autocomplete). Without
    JavaScript the box takes user names separated by commas (see VisitPickersMixin)."""

    queryset = None  # the field's: who may be picked

    def render(self, name, value, attrs=None, renderer=None):
        ids = [pk for pk in (_as_id(item) for item in (value or [])) if pk][:MAX_OFFICERS]
        chosen = list(self.queryset.filter(pk__in=ids)) if ids else []
        chosen.sort(key=lambda user: ids.index(user.pk))
        return render_to_string(
            "crm/includes/officer_picker.html",
            {"name": name, "chosen": chosen, "id": (attrs or {}).get("id") or f"id_{name}"},
        )


def _as_id(value) -> int | None:
    value = getattr(value, "pk", value)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date_or(value, default: dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return default


class VisitPickersMixin:
    """The mission and officer pickers shared by the visit forms.

    `mission` accepts the missions of selectors.missions_for_visits (plus, when
    editing, the visit's own); the page lists a few. The officer field (`officers`
    or `other_officers`) posts ids; a name typed in its box without picking (no
    JavaScript) is looked up by exact user name or display name when saving."""

    officer_field = "officers"

    def setup_pickers(self, *, user, missions, today: dt.date) -> None:
        field = self.fields["mission"]
        field.queryset = missions
        field.widget = MissionPicker(attrs={"class": "form-select", "id": "id_mission"})
        field.error_messages["invalid_choice"] = _(
            "Pick a mission from the list: only missions of the last %(days)s days can have visits logged."
        ) % {"days": MISSION_LOOKBACK_DAYS}

        def short_list(chosen: int | None) -> list[Mission]:
            raw = self.data.get("date") if self.is_bound else self.initial.get("date", self.fields["date"].initial)
            if raw is None and getattr(self, "instance", None) is not None:
                raw = self.instance.date
            on = _date_or(raw, today)
            return selectors.missions_to_pick(user=user, on=on, missions=missions, chosen=chosen)

        field.widget.short_list = short_list
        officers = self.fields[self.officer_field]
        officers.widget = OfficerPicker()
        officers.widget.queryset = officers.queryset
        officers.error_messages["invalid_choice"] = _("This officer cannot be picked: %(value)s.")

    def add_typed_officers(self, data: dict) -> None:
        name = self.officer_field
        typed = (self.data.get(f"{name}_query") or "").strip() if self.is_bound else ""
        if not typed or name not in data:
            return
        picked = list(data[name])
        for word in [word for word in re.split(r"[,，、;；\s]+", typed) if word][:MAX_OFFICERS]:
            found = list(
                self.fields[name].queryset.filter(Q(username__iexact=word) | Q(display_name=word)).order_by()[:2]
            )
            if len(found) != 1:
                self.add_error(
                    name,
                    _("No single officer is called “%(name)s”: type part of the name and pick from the list.")
                    % {"name": word},
                )
                return
            if found[0] not in picked:
                picked.append(found[0])
        data[name] = picked

    def check_officer_count(self, data: dict) -> None:
        if len(data.get(self.officer_field) or []) > MAX_OFFICERS:
            self.add_error(
                self.officer_field, _("At most %(count)s officers can be named on one visit.") % {"count": MAX_OFFICERS}
            )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class VisitForm(VisitPickersMixin, forms.Form):
    """One form for a visit, a new organisation and a new contact (phone first)."""

    officer_field = "other_officers"

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
        self.fields["other_officers"].queryset = (
            get_user_model().objects.filter(is_active=True).exclude(pk=user.pk).order_by("username")
        )
        self.setup_pickers(user=user, missions=selectors.missions_for_visits(today=today), today=today)
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
        self.add_typed_officers(data)
        self.check_officer_count(data)
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
    # Kept as a list; typed one a line (crm.services.clean_aliases tidies and checks it).
    aliases = forms.CharField(
        label=_("other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Former names, short names and brands it is known by, one a line."),
    )
    # Typed, not picked from a list of every organisation: a name or a credit code.
    parent_name = forms.CharField(
        label=_("parent organisation"),
        max_length=200,
        required=False,
        help_text=_("The parent company's name or credit code, if this is a subsidiary of a group."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_en",
            "aliases",
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.parent_id and not self.is_bound:
            self.fields["parent_name"].initial = self.instance.parent.name
        if not self.is_bound:
            self.initial["aliases"] = "\n".join(self.instance.aliases or [])

    def clean_credit_code(self) -> str:
        # People paste codes with spaces, in lower case or full width; the checks run on the normal form.
        return normalise_credit_code(self.cleaned_data.get("credit_code") or "")

    def clean_aliases(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("aliases") or "").splitlines() if line.strip()]

    def clean_parent_name(self) -> Organisation | None:
        text = (self.cleaned_data.get("parent_name") or "").strip()
        if not text:
            return None
        code = normalise_credit_code(text)
        found = list(Organisation.objects.filter(Q(name=text) | Q(credit_code=code) | Q(name_en=text))[:2])
        if not found:
            found = list(Organisation.objects.filter(name_key=normalise_organisation_name(text))[:2])
        if not found:
            raise ValidationError(_("No organisation is called “%(name)s”.") % {"name": text})
        if len(found) > 1:
            raise ValidationError(
                _("Several organisations are called “%(name)s”: give the credit code.") % {"name": text}
            )
        return found[0]

    def _post_clean(self) -> None:
        super()._post_clean()
        if "parent_name" in self.cleaned_data:
            self.instance.parent = self.cleaned_data["parent_name"]


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["name", "name_en", "title", "phone", "email", "wechat", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class VisitEditForm(VisitPickersMixin, VersionedModelForm):
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

    def __init__(self, *args, user, today: dt.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        visit = self.instance
        today = today or timezone.localdate()
        missions = selectors.missions_for_visits(today=today)
        if visit.mission_id:
            missions = (missions | Mission.objects.filter(pk=visit.mission_id)).order_by("-start_date", "pk")
        # The visit's own contacts stay pickable even after they left the organisation.
        self.fields["contacts"].queryset = (
            Contact.objects.filter(Q(organisation_id=visit.organisation_id, is_active=True) | Q(visits=visit))
            .distinct()
            .order_by("name")
        )
        self.fields["officers"].queryset = (
            get_user_model().objects.filter(Q(is_active=True) | Q(visits=visit)).distinct().order_by("username")
        )
        self.setup_pickers(user=user, missions=missions, today=today)
        if visit.pk and not self.is_bound:
            self.initial["contacts"] = [contact.pk for contact in visit.contacts.all()]
            self.initial["officers"] = [officer.pk for officer in visit.officers.all()]

    def clean(self):
        data = super().clean()
        if data.get("new_contact_title") and not data.get("new_contact_name"):
            self.add_error("new_contact_name", _("Enter the new contact's name."))
        self.add_typed_officers(data)
        self.check_officer_count(data)
        return data
