from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Decision
from core import permissions
from core.models import Team
from crm.forms import BootstrapMixin, DateInput


class ClaimForm(BootstrapMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    first_contact_on = forms.DateField(label=_("first contact"), widget=DateInput)
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who met whom, about what: what makes this the first contact."),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.all()
        if not permissions.is_admin(user):
            teams = teams.filter(pk__in=permissions.team_ids_of(user))
        self.fields["team"].queryset = teams
        self.fields["team"].initial = user.team_id
        self.fields["first_contact_on"].initial = timezone.localdate()
        self.style_widgets()


class DecisionForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    holder_share = forms.IntegerField(label=_("holder's share (%)"), min_value=1, max_value=99, required=False)
    other_share = forms.IntegerField(label=_("other team's share (%)"), min_value=1, max_value=99, required=False)
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()
