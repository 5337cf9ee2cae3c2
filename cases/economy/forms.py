from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.economy.models import BudgetCategory, Expense
from cases.planning.forms import ScheduleUploadForm
from core.once import OnceKeyField
from core.uploads import UPLOAD_ACCEPT, upload_max_mb
from core.widgets import DateInput, ListSelect


def _receipt_field() -> forms.FileField:
    return forms.FileField(
        label=_("Receipt or invoice"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
    )


class ExpenseForm(forms.ModelForm):
    """A new expense of a case, with its receipt (kept private, as a consent's evidence)."""

    once_key = OnceKeyField()
    receipt = _receipt_field()

    class Meta:
        model = Expense
        fields = ["kind", "amount", "spent_on", "supplier", "storage_until", "note"]
        widgets = {"kind": ListSelect, "spent_on": DateInput, "storage_until": DateInput}
        localized_fields = ["amount"]  # 12500,50 as a Dane writes it

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].help_text = _("PDF, JPEG or PNG, at most %(mb)s MB.") % {
            "mb": upload_max_mb()
        }
        if self.is_bound and self.files.get("receipt"):  # shown again: something was wrong
            self.fields["receipt"].help_text += " " + _(
                "Choose the file again: a browser does not keep it when the form comes back."
            )
        self.fields["amount"].help_text = _("In kroner. Storage: the price of one month.")
        if not self.is_bound and not self.instance.pk:
            self.fields["spent_on"].initial = timezone.localdate()

    def clean_receipt(self):
        # An edit without a new file keeps the saved receipt.
        receipt = self.cleaned_data.get("receipt")
        return receipt or None


class ExpenseEditForm(ExpenseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["once_key"]
        if self.instance.is_correction:
            del self.fields["kind"]
            del self.fields["storage_until"]
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class CorrectionForm(forms.Form):
    once_key = OnceKeyField()
    amount = forms.DecimalField(
        label=_("Correction (kr.)"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        help_text=_("Negative to reduce the approved amount (a refund), positive to add to it."),
    )
    spent_on = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("Why the correction"), max_length=300, required=False)
    receipt = _receipt_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["spent_on"].initial = timezone.localdate()


class BudgetForm(forms.Form):
    """The project's budget: an amount per category, empty for no budget line."""

    def __init__(self, *args, current: dict[str, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        for category in BudgetCategory:
            self.fields[category.value] = forms.DecimalField(
                label=category.label,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                localize=True,
                initial=current.get(category.value),
            )

    def amounts(self) -> dict[str, Decimal | None]:
        return {category: self.cleaned_data.get(category) for category in BudgetCategory.values}

    @staticmethod
    def data_from(amounts: dict[str, Decimal | None]) -> dict[str, str]:
        return {key: "" if value is None else str(value) for key, value in amounts.items()}


class BudgetUploadForm(ScheduleUploadForm):
    """The budget as a CSV or XLSX file: checked like the schedule's file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("Budget (CSV or XLSX)")
