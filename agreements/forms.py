"""Forms of the agreement pages: shape only (types, required); the rules are
agreements.services', shown next to the field they name."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from chains.documents import CONTENT_TYPES
from crm.models import Park
from projects.forms import DateInput, bootstrap


class AgreementForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agreement
        fields = [
            "signed_on",
            "land_mu",
            "park",
            "fixed_asset_investment",
            "annual_output",
            "annual_tax",
            "due_year",
            "jobs",
            "notes",
        ]
        widgets = {"signed_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = Park.objects.filter(is_active=True).order_by("name")
        for name in ("land_mu", "fixed_asset_investment", "annual_output", "annual_tax"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "min": "0.01", "step": "0.01"})
        self.fields["due_year"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["jobs"].widget.attrs.update({"inputmode": "numeric"})
        bootstrap(self)

    def _post_clean(self):
        # The model's constraints are the service's to check, with a message that says why.
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)


class CheckRecordForm(forms.Form):
    actual = forms.DecimalField(label=_("actual"), max_digits=14, decimal_places=2, min_value=0)
    on = forms.DateField(label=_("figures as of"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
        bootstrap(self, small=True)


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("document title"))
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, Word or Excel."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in CONTENT_TYPES)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)
