"""Rehousing logistics: the pool of replacement flats, each case's housing needs, offers with a
reply deadline, and the moves that make up a household's address history.

An active offer (pending or accepted) holds its pool flat for a period; the database refuses two
active offers on one pool flat in overlapping periods, so a temporary flat can serve one
stairwell after another but never two households at once.
"""

from datetime import date

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    BigIntegerRangeField,
    DateRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from households.models import Flat, Organisation


class RehousingKind(models.TextChoices):
    TEMPORARY = "temporary", _("Temporary")
    PERMANENT = "permanent", _("Permanent")


class PoolKind(models.TextChoices):
    TEMPORARY = "temporary", _("Temporary")
    PERMANENT = "permanent", _("Permanent")
    BOTH = "both", _("Temporary or permanent")


class PoolFlatQuerySet(models.QuerySet["PoolFlat"]):
    def for_user(self, user) -> "PoolFlatQuerySet":
        from cases.logistics.permissions import pool_access_q

        return self.filter(pool_access_q(user))


class PoolFlat(models.Model):
    """A flat the organisation can rehouse a household in, for a period.

    The flat may belong to another estate of the organisation, to the renovated estate itself
    once finished, or to another landlord (registered as a flat of that landlord's estate).
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="pool_flats",
        verbose_name=_("rehousing organisation"),
    )
    flat = models.ForeignKey(
        Flat, on_delete=models.PROTECT, related_name="pool_entries", verbose_name=_("flat")
    )
    kind = models.CharField(_("use"), max_length=20, choices=PoolKind.choices)
    rent = models.PositiveIntegerField(_("rent per month (kr.)"))
    # What the building project pays for the flat while a household stays in it or it stands
    # ready, when that differs from the flat's own rent (cases/economy/rents.py).
    project_rent = models.DecimalField(
        _("rent the project pays per month (kr.)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the flat's own rent with a-conto, else the rent above."),
    )
    has_lift = models.BooleanField(_("lift"), default=False)
    step_free = models.BooleanField(
        _("step-free"), default=False, help_text=_("No steps from the street to the flat.")
    )
    pets_allowed = models.BooleanField(_("pets allowed"), default=False)
    available_from = models.DateField(_("available from"))
    available_to = models.DateField(
        _("available until"), null=True, blank=True, help_text=_("Empty: no end date.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(
        _("in the pool"), default=True, help_text=_("Untick to take the flat out of the pool.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PoolFlatQuerySet.as_manager()

    class Meta:
        ordering = ["available_from", "pk"]
        verbose_name = _("pool flat")
        verbose_name_plural = _("pool of replacement flats")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "flat"], name="pool_flat_once_per_org"),
            models.CheckConstraint(
                condition=Q(kind__in=PoolKind.values), name="pool_flat_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(project_rent__isnull=True) | Q(project_rent__gte=0),
                name="pool_flat_project_rent_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(available_to__isnull=True) | Q(available_to__gte=F("available_from")),
                name="pool_flat_window_in_order",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "is_active", "kind"])]

    def __str__(self) -> str:
        return str(self.flat)


class HousingNeed(models.Model):
    """What the household needs of a new flat. Hard needs filter, wishes score."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="housing_need", verbose_name=_("case")
    )
    kind = models.CharField(
        _("rehousing"),
        max_length=20,
        choices=RehousingKind.choices,
        help_text=_("Temporary and home again, or a permanent move."),
    )
    rooms = models.PositiveSmallIntegerField(
        _("rooms needed"), null=True, blank=True, help_text=_("Empty: as many as now.")
    )
    step_free = models.BooleanField(
        _("needs step-free access"), default=False, help_text=_("Wheelchair or walker.")
    )
    ground_floor_or_lift = models.BooleanField(
        _("needs ground floor or a lift"), default=False, help_text=_("Cannot climb stairs.")
    )
    pets = models.BooleanField(_("has pets"), default=False)
    rent_limit = models.PositiveIntegerField(
        _("highest rent per month (kr.)"), null=True, blank=True
    )
    wished_areas = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name=_("wished areas")
    )
    school_area = models.CharField(_("school or daycare in the area"), max_length=100, blank=True)
    family_area = models.CharField(_("family or network in the area"), max_length=100, blank=True)
    note = models.CharField(_("other wishes"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("housing need")
        verbose_name_plural = _("housing needs")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RehousingKind.values), name="housing_need_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(rooms__isnull=True) | Q(rooms__gte=1, rooms__lte=12),
                name="housing_need_rooms_range",
            ),
        ]

    def __str__(self) -> str:
        return _("Needs of %(case)s") % {"case": self.case}


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting reply")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    NO_REPLY = "no_reply", _("No reply")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The statuses that hold the pool flat for the offer's period.
HOLDING_STATUSES = (OfferStatus.PENDING, OfferStatus.ACCEPTED)


class RefusalReason(models.TextChoices):
    SIZE = "size", _("Size or layout")
    LOCATION = "location", _("Location")
    RENT = "rent", _("Rent")
    ACCESSIBILITY = "accessibility", _("Stairs or accessibility")
    CONDITION = "condition", _("Condition of the flat")
    OWN_SOLUTION = "own_solution", _("Has found a home herself")
    NONE_GIVEN = "none_given", _("No reason given")
    OTHER = "other", _("Other")


class OfferChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    DIGITAL_POST = "digital_post", _("Digital Post")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    BY_HAND = "by_hand", _("Handed out in person")


class Offer(models.Model):
    """A pool flat offered to a household, for temporary or permanent rehousing."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="offers", verbose_name=_("case")
    )
    pool_flat = models.ForeignKey(
        PoolFlat, on_delete=models.PROTECT, related_name="offers", verbose_name=_("flat")
    )
    kind = models.CharField(_("rehousing"), max_length=20, choices=RehousingKind.choices)
    holds_from = models.DateField(_("from"))
    holds_until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty for a permanent move.")
    )
    sent_via = models.CharField(_("sent via"), max_length=20, choices=OfferChannel.choices)
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    reply_due_on = models.DateField(_("reply due"))
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    replied_on = models.DateField(_("answered on"), null=True, blank=True)
    refusal_reason = models.CharField(
        _("reason for refusal"), max_length=20, choices=RefusalReason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The letter that awaits the reply: an offer unanswered by its deadline is flagged for
    # outreach by the nightly scan like any other letter.
    awaited_reply = models.OneToOneField(
        "outreach.AwaitedReply",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offer",
    )
    # A temporary flat outside the household's municipality needs her agreement (almenlejeloven
    # § 86 a, stk. 1, cases/deadlines.py): who registered it, and when.
    other_municipality_agreed_at = models.DateTimeField(
        _("agreement to another municipality registered"), null=True, blank=True
    )
    other_municipality_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreement registered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RehousingKind.values), name="offer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reply_due_on__gte=F("sent_on")), name="offer_reply_due_after_sending"
            ),
            models.CheckConstraint(
                condition=Q(holds_until__isnull=True) | Q(holds_until__gt=F("holds_from")),
                name="offer_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(refusal_reason="") | Q(status=OfferStatus.REFUSED),
                name="offer_reason_only_when_refused",
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status=OfferStatus.PENDING),
                name="one_pending_offer_per_case_and_kind",
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status=OfferStatus.ACCEPTED),
                name="one_accepted_offer_per_case_and_kind",
            ),
            ExclusionConstraint(
                name="offer_no_double_booking",
                expressions=[
                    # The same flat, as a one-value range: GiST compares ranges natively, so
                    # no btree_gist extension is needed (the embedded PostgreSQL has none).
                    (
                        Func(
                            F("pool_flat"),
                            F("pool_flat"),
                            Value("[]"),
                            function="int8range",
                            output_field=BigIntegerRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                    (
                        Func(
                            F("holds_from"),
                            F("holds_until"),
                            RangeBoundary(),
                            function="daterange",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=HOLDING_STATUSES),
            ),
        ]
        indexes = [models.Index(fields=["case", "-sent_on"])]

    def __str__(self) -> str:
        return _("Offer of %(flat)s") % {"flat": self.pool_flat}

    @property
    def is_pending(self) -> bool:
        return self.status == OfferStatus.PENDING

    @property
    def letter_day(self) -> date | None:
        """The day its letter is sent, when it was sent by letter (its letter awaits the
        reply): the day the offer was recorded as sent, so the one sending has one date."""
        return self.sent_on if self.awaited_reply_id else None

    def is_overdue(self, today) -> bool:
        return self.is_pending and self.reply_due_on < today


class MoveKind(models.TextChoices):
    TO_TEMPORARY = "to_temporary", _("To the temporary flat")
    RETURN = "return", _("Home again")
    TO_PERMANENT = "to_permanent", _("To the new home")


class MoveStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Moved")
    CANCELLED = "cancelled", _("Cancelled")


class Move(models.Model):
    """A household's move from one flat to another. Done moves are its address history."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="moves", verbose_name=_("case")
    )
    kind = models.CharField(_("move"), max_length=20, choices=MoveKind.choices)
    from_flat = models.ForeignKey(
        Flat, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_flat = models.ForeignKey(
        Flat, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    moves_on = models.DateField(_("moving day"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MoveStatus.choices, default=MoveStatus.PLANNED
    )
    movers = models.CharField(_("movers"), max_length=100, blank=True)
    movers_booked = models.BooleanField(_("movers booked"), default=False)
    paid_by_project = models.BooleanField(_("paid by the building project"), default=True)
    keys_handed_over = models.BooleanField(_("keys to the new flat handed over"), default=False)
    keys_returned = models.BooleanField(_("keys to the old flat returned"), default=False)
    electricity_reading = models.DecimalField(
        _("electricity meter (kWh)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    water_reading = models.DecimalField(
        _("water meter (m³)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    heat_reading = models.DecimalField(
        _("heat meter"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["moves_on", "starts_at", "pk"]
        verbose_name = _("move")
        verbose_name_plural = _("moves")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MoveKind.values), name="move_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=MoveStatus.values), name="move_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(from_flat=F("to_flat")), name="move_to_another_flat"
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=~Q(status=MoveStatus.CANCELLED),
                name="one_move_per_case_and_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["moves_on"], condition=~Q(status=MoveStatus.CANCELLED), name="move_day_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.moves_on:%d.%m.%Y}"
