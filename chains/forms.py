from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chains.documents import CONTENT_TYPES
from chains.models import IndustryDocument
from crm.models import Industry, Organisation


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
