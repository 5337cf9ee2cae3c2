"""The rehousing economy: what each case's rehousing costs (expenses, approved by a manager) and
the project's budget per category.

An approved expense is locked: the service refuses to change it, and so does the database (the
trigger of the migration that made the table). A mistake in an approved expense is put right
by a correction: a new row, negative or positive, pointing to the row it corrects, approved in
its turn. Rents and empty days are cases/economy/rents.py's.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Project
from core.uploads import private_storage, random_name


class ExpenseKind(models.TextChoices):
    MOVERS_OUT = "movers_out", _("Movers out")
    MOVERS_HOME = "movers_home", _("Movers home")
    BOXES = "boxes", _("Boxes and packing help")
    STORAGE = "storage", _("Storage per month")
    CLEANING = "cleaning", _("Cleaning")
    HANDYMAN = "handyman", _("Handyman")
    COMPENSATION = "compensation", _("Compensation")
    DEPOSIT = "deposit", _("Deposit")
    INTERPRETER = "interpreter", _("Interpreter")
    OTHER = "other", _("Other")


class BudgetCategory(models.TextChoices):
    """The lines of a project's budget: every kind of expense, and the two that the rents give
    (cases/economy/rents.py counts them; see selectors.rent_lines)."""

    MOVERS_OUT = ExpenseKind.MOVERS_OUT.value, ExpenseKind.MOVERS_OUT.label
    MOVERS_HOME = ExpenseKind.MOVERS_HOME.value, ExpenseKind.MOVERS_HOME.label
    BOXES = ExpenseKind.BOXES.value, ExpenseKind.BOXES.label
    STORAGE = ExpenseKind.STORAGE.value, ExpenseKind.STORAGE.label
    CLEANING = ExpenseKind.CLEANING.value, ExpenseKind.CLEANING.label
    HANDYMAN = ExpenseKind.HANDYMAN.value, ExpenseKind.HANDYMAN.label
    COMPENSATION = ExpenseKind.COMPENSATION.value, ExpenseKind.COMPENSATION.label
    DEPOSIT = ExpenseKind.DEPOSIT.value, ExpenseKind.DEPOSIT.label
    INTERPRETER = ExpenseKind.INTERPRETER.value, ExpenseKind.INTERPRETER.label
    OTHER = ExpenseKind.OTHER.value, ExpenseKind.OTHER.label
    RENT_DIFFERENCE = "rent_difference", _("Rent difference of temporary stays")
    EMPTY_DAYS = "empty_days", _("Empty days of pool flats")


RENT_CATEGORIES = (BudgetCategory.RENT_DIFFERENCE, BudgetCategory.EMPTY_DAYS)


def receipt_path(instance: "Expense", filename: str) -> str:
    return random_name("receipt", filename)


class ExpenseQuerySet(models.QuerySet["Expense"]):
    def approved(self) -> "ExpenseQuerySet":
        return self.filter(approved_at__isnull=False)

    def awaiting_approval(self) -> "ExpenseQuerySet":
        return self.filter(approved_at__isnull=True)


class Expense(models.Model):
    """One invoice or payment for a case's rehousing, paid by the building project.

    For storage, `amount` is the price of one month (the month of `spent_on`); `storage_until`
    commits the same amount for every further month up to the month it falls in.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="expenses", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExpenseKind.choices)
    amount = models.DecimalField(_("amount (kr.)"), max_digits=12, decimal_places=2)
    spent_on = models.DateField(_("date"))
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    storage_until = models.DateField(
        _("storage until"),
        null=True,
        blank=True,
        help_text=_("Storage only: the last day the furniture is stored (the end of the period)."),
    )
    note = models.CharField(_("internal note"), max_length=300, blank=True)
    receipt = models.FileField(
        _("receipt"), storage=private_storage, upload_to=receipt_path, blank=True, max_length=200
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,  # goes only with its case (an erasure)
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        permissions = [("approve_expense", "Approve expenses of a project")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExpenseKind.values), name="expense_kind_valid"
            ),
            # Only a correction may be negative; nothing is zero.
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(corrects__isnull=False) & ~Q(amount=0)),
                name="expense_amount_positive_unless_correction",
            ),
            models.CheckConstraint(
                condition=Q(storage_until__isnull=True)
                | (Q(kind=ExpenseKind.STORAGE) & Q(storage_until__gte=F("spent_on"))),
                name="expense_storage_until_for_storage_after_date",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(corrects=F("pk")),
                name="expense_correction_of_another",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "kind"], name="expense_case_kind_idx"),
            models.Index(
                fields=["entered_at"],
                condition=Q(approved_at__isnull=True),
                name="expense_awaiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} kr. ({self.spent_on:%d.%m.%Y})"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None


class BudgetLine(models.Model):
    """The project's rehousing budget for one category of expense."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("project")
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    amount = models.DecimalField(_("budget (kr.)"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["project", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "category"], name="budget_line_once_per_category"
            ),
            models.CheckConstraint(
                condition=Q(category__in=BudgetCategory.values),
                name="budget_line_category_valid",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount} kr."
