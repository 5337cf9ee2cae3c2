from django import forms
from django.utils.translation import gettext_lazy as _

_CODE_INPUT = {
    "autocomplete": "one-time-code",
    "autocapitalize": "none",
    "autocorrect": "off",
    "spellcheck": "false",
    "autofocus": True,
    "class": "otp-code",
}


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or a backup code (letters and digits)."""

    code = forms.CharField(label=_("Code"), max_length=32, widget=forms.TextInput(_CODE_INPUT))


class FirstCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=16,
        widget=forms.TextInput({**_CODE_INPUT, "inputmode": "numeric", "autofocus": False}),
    )
