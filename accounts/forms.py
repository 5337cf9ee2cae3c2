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


# The app's code: the phone shows its number keypad (digits, spaces allowed: "123 456").
_DIGITS = {"inputmode": "numeric", "pattern": "[0-9 ]*"}


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits, with the number keypad) or, with `backup`,
    a backup code (letters and digits, with the whole keyboard). Either is accepted."""

    code = forms.CharField(label=_("Code"), max_length=32, widget=forms.TextInput(_CODE_INPUT))

    def __init__(self, *args, backup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if backup:
            self.fields["code"].label = _("Backup code")
        else:
            self.fields["code"].widget.attrs.update(_DIGITS)


class FirstCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=16,
        widget=forms.TextInput({**_CODE_INPUT, **_DIGITS, "autofocus": False}),
    )
