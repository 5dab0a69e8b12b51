from __future__ import annotations

from django import forms
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "class": "form-control form-control-lg",
            }
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class PasswordConfirmForm(forms.Form):
    """The current password again, before a logged-in user changes how they log in:
    a session left open on a shared computer is not enough to take the account over."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )

    def __init__(self, *args, user, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            # Counted like a wrong password at the login (and audited).
            user_login_failed.send(
                sender=__name__, credentials={"username": self.user.get_username()}, request=self.request
            )
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password


class EnrolForm(CodeForm):
    password = PasswordConfirmForm.base_fields["password"]

    def __init__(self, *args, user, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    clean_password = PasswordConfirmForm.clean_password
