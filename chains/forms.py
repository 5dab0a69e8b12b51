from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chains.documents import CONTENT_TYPES
from chains.models import IndustryDocument, IndustryMember
from core.models import User
from crm.models import Contact, Industry, Organisation, Park


class TargetForm(forms.Form):
    link = forms.ModelChoiceField(Industry.objects.filter(level=Industry.Level.LINK), label=_("chain link"))
    organisation = forms.ModelChoiceField(
        Organisation.objects.all(), label=_("organisation"), required=False, widget=forms.HiddenInput
    )
    organisation_query = forms.CharField(label=_("organisation"), max_length=200, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("organisation") is None:
            # Typed but not picked: an exact name or credit code still finds it.
            query = (data.get("organisation_query") or "").strip()
            found = list(Organisation.objects.filter(name=query)[:2]) if query else []
            if not found and query:
                found = list(Organisation.objects.filter(credit_code=query.upper())[:2])
            if len(found) != 1:
                raise forms.ValidationError(_("Pick the organisation from the list."))
            data["organisation"] = found[0]
        return data


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=IndustryDocument.Kind.choices, label=_("kind"))
    title = forms.CharField(max_length=200, label=_("document title"))
    issued_on = forms.DateField(
        label=_("date of the document"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, Word or Excel."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in CONTENT_TYPES)}),
    )


class MemberForm(forms.Form):
    """Add a record to one of an industry's items, named as people write it."""

    item = forms.ChoiceField(choices=IndustryMember.Item.choices, label=_("item"))
    name = forms.CharField(
        max_length=200,
        label=_("name"),
        help_text=_("A user's login or display name, a park's or organisation's name, an expert's name."),
    )
    role = forms.CharField(max_length=100, required=False, label=_("role"))

    def clean(self):
        data = super().clean()
        item, name = data.get("item"), (data.get("name") or "").strip()
        if not (item and name):
            return data
        Item = IndustryMember.Item
        if item == Item.TEAM:
            found = User.objects.filter(Q(username=name) | Q(display_name=name), is_active=True)
        elif item == Item.PARK:
            found = Park.objects.filter(name=name)
        elif item == Item.EXPERT:
            found = Contact.objects.filter(name=name, is_active=True).select_related("organisation")
        else:
            found = Organisation.objects.filter(Q(name=name) | Q(name_en=name))
        found = list(found[:2])
        if not found:
            raise forms.ValidationError(_("Nothing of that kind is called “%(name)s”.") % {"name": name})
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several records are called “%(name)s”; add it in the admin instead.") % {"name": name}
            )
        data["record"] = found[0]
        return data
