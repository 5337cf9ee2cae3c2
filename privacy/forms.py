from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from households.models import Resident


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=120,
        help_text=_(
            "Why and on whose request, e.g. 'Request by letter of 3 March'. It stays in the access "
            "log after the erasure: write no name, phone number or e-mail."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        person = self.resident
        for word in (person.first_name, person.last_name, person.phone, person.email):
            if len(word.strip()) >= 2 and word.strip().lower() in reason.lower():
                raise ValidationError(
                    _("The reason stays after the erasure: leave out her name and contact data.")
                )
        return reason
