"""Outreach: every attempt to reach a household, tips, meetings, the drop-in café, letters that
await a reply, and the flags that say who has gone quiet."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case, Project
from core.jobs import JobFields
from households.models import Estate, Flat, Household, Stairwell


class Channel(models.TextChoices):
    DOOR_KNOCK = "door_knock", _("Door knock")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    DROP_IN = "drop_in", _("Drop-in café")
    INFO_MEETING = "info_meeting", _("Information meeting")
    VIA_CARETAKER = "via_caretaker", _("Via the caretaker")
    VIA_NEIGHBOUR = "via_neighbour", _("Via a neighbour")
    VIA_VISITATOR = "via_visitator", _("Via the municipal visitator")
    VIA_HOME_CARE = "via_home_care", _("Via home care or housing support")


class Outcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    NOTE_LEFT = "note_left", _("Note left")
    TALKED_AT_DOOR = "talked_at_door", _("Talked at the door")
    VISIT_INSIDE = "visit_inside", _("Visit inside")
    TALKED = "talked", _("Talked")
    REPLIED = "replied", _("Replied")
    APPOINTMENT = "appointment", _("Appointment made")
    INTERPRETER_NEEDED = "interpreter_needed", _("Interpreter needed")
    REFUSED = "refused", _("Refused")
    WRONG_PERSON = "wrong_person", _("Wrong person or moved")
    SAFETY_CONCERN = "safety_concern", _("Safety concern")
    SENT = "sent", _("Sent, awaiting reply")


# The household was reached: someone from it answered, came, replied or spoke to us.
REACHED_OUTCOMES = (
    Outcome.TALKED_AT_DOOR,
    Outcome.VISIT_INSIDE,
    Outcome.TALKED,
    Outcome.REPLIED,
    Outcome.APPOINTMENT,
    Outcome.INTERPRETER_NEEDED,
    Outcome.REFUSED,
    Outcome.SAFETY_CONCERN,
)


class HomeObservation(models.TextChoices):
    RUBBISH = "rubbish", _("Rubbish")
    PESTS = "pests", _("Pests")
    MOULD = "mould", _("Mould")
    NEEDLES = "needles", _("Needles")
    HOARDING = "hoarding", _("Hoarding")


class HelpTopic(models.TextChoices):
    ADDRESS_CHANGE = "address_change", _("Change of address (PostNord)")
    ENERGY = "energy", _("Energy company")
    BANK = "bank", _("Bank and Betalingsservice")
    INTERNET_TV = "internet_tv", _("Internet and TV")
    MOVING = "moving", _("Moving and packing")
    TEMPORARY_FLAT = "temporary_flat", _("The temporary flat")
    LETTERS = "letters", _("Letters and Digital Post")
    RENT_MONEY = "rent_money", _("Rent and money")
    OTHER = "other", _("Other")


class DropInSession(models.Model):
    """A session of the weekly drop-in café ("Kaffen er Klar")."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="drop_in_sessions", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=100, default="Kaffen er Klar")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("drop-in café session")
        verbose_name_plural = _("drop-in café sessions")

    def __str__(self) -> str:
        return f"{self.name} {self.held_on:%d.%m.%Y}"


class Meeting(models.Model):
    """An information meeting of a project, to which stairwells are invited."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("project")
    )
    held_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200)
    stairwells = models.ManyToManyField(
        Stairwell, related_name="meetings", blank=True, verbose_name=_("stairwells invited")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_at"]
        verbose_name = _("information meeting")
        verbose_name_plural = _("information meetings")

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_at:%d.%m.%Y})"


class InvitationChannel(models.TextChoices):
    LETTER = "letter", _("Letter")
    DIGITAL_POST = "digital_post", _("Digital Post")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    BY_HAND = "by_hand", _("Handed out in person")


class Invitation(models.Model):
    """A household's invitation to a meeting, and whether it came. Walk-ins are uninvited."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    invited = models.BooleanField(_("invited"), default=True)
    sent_via = models.CharField(
        _("sent via"), max_length=20, choices=InvitationChannel.choices, blank=True
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "household"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "household"], name="one_invitation_per_household"
            ),
            models.CheckConstraint(
                condition=Q(invited=True) | Q(attended=True), name="walk_in_attended"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} – {self.meeting}"


class Contact(models.Model):
    """One attempt to reach a household, successful or not."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("household")
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("case"),
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("staff"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reached = models.GeneratedField(
        expression=Q(outcome__in=REACHED_OUTCOMES),  # type: ignore[arg-type]  # Q is an expression
        output_field=models.BooleanField(),
        db_persist=True,
    )
    met = models.CharField(_("who was met"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    observations = ArrayField(
        models.CharField(max_length=20, choices=HomeObservation.choices),
        default=list,
        blank=True,
        verbose_name=_("observations about the home"),
    )
    observation_note = models.TextField(_("about the home"), blank=True, max_length=2000)
    help_topics = ArrayField(
        models.CharField(max_length=20, choices=HelpTopic.choices),
        default=list,
        blank=True,
        verbose_name=_("needed help with"),
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)
    drop_in_session = models.ForeignKey(
        DropInSession, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        # "contact" alone is the contact person (a resident's tag); this is an entry of the log.
        verbose_name = pgettext_lazy("contact log entry", "contact")
        verbose_name_plural = pgettext_lazy("contact log entries", "contacts")
        indexes = [
            models.Index(fields=["household", "-occurred_at"]),
            models.Index(
                fields=["household", "-occurred_at"],
                condition=Q(reached=True),
                name="contact_reached_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="contact_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="contact_outcome_valid"
            ),
            models.UniqueConstraint(
                fields=["drop_in_session", "household"],
                name="one_visit_per_session",
                condition=Q(drop_in_session__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["meeting", "household"],
                name="one_attendance_contact",
                condition=Q(meeting__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.get_outcome_display()}"


# What names or points to another person than the household: who passed on a tip (a neighbour,
# the caretaker) and who else was met at the door. Every copy made for the household itself
# leaves it out: the right-of-access zip (privacy.selectors.WITHHELD) and the case summary's
# own copy (reports.selectors.case_summary), both through `withhold_others`.
IDENTIFIES_OTHERS: dict[str, frozenset[str]] = {
    "outreach.Tip": frozenset({"source", "submitted_by"}),
    "outreach.Contact": frozenset({"met"}),
}


def withhold_others(rows: list[models.Model]) -> list[models.Model]:
    """The rows with the fields of IDENTIFIES_OTHERS emptied (in memory only, never saved)."""
    for row in rows:
        for name in IDENTIFIES_OTHERS.get(row._meta.label, ()):
            field = row._meta.get_field(name)
            setattr(row, name, None if field.is_relation or getattr(field, "null", False) else "")
    return rows


class TipSource(models.TextChoices):
    CARETAKER = "caretaker", _("Caretaker")
    NEIGHBOUR = "neighbour", _("Neighbour")
    FAMILY = "family", _("Family or friend")
    STAFF = "staff", _("Other staff")
    OTHER = "other", _("Other")


class Tip(models.Model):
    """What a caretaker or neighbour knows about a flat ("never opens; shops Tuesday mornings")."""

    flat = models.ForeignKey(
        Flat, on_delete=models.PROTECT, related_name="tips", verbose_name=_("flat")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tips",
        verbose_name=_("household"),
    )
    source = models.CharField(_("from"), max_length=20, choices=TipSource.choices)
    text = models.TextField(_("tip"), max_length=1000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")

    def __str__(self) -> str:
        return f"Tip {self.flat} {self.submitted_at:%d.%m.%Y}"


class AwaitedReply(models.Model):
    """An outgoing letter or form that expects an answer by a date."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="awaited_replies"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="awaited_replies"
    )
    subject = models.CharField(_("about"), max_length=200)
    sent_via = models.CharField(_("sent via"), max_length=20, choices=InvitationChannel.choices)
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    due_on = models.DateField(_("reply due"))
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply_note = models.CharField(_("reply"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("letter awaiting reply")
        verbose_name_plural = _("letters awaiting reply")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("sent_on")), name="reply_due_after_sending"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(replied_on__isnull=True), name="reply_open_idx"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class FlagKind(models.TextChoices):
    MISSED_MEETINGS = "missed_meetings", _("Missed information meetings")
    NO_REPLY = "no_reply", _("No reply by the due date")
    NO_CONTACT = "no_contact", _("No contact while a deadline is near")
    PACKING_NOT_STARTED = "packing_not_started", _("Move-out soon, packing not started")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due after a permanent move")
    SAFETY_CONCERN = "safety_concern", _("Safety concern")
    OFFERS_REFUSED = "offers_refused", _("Refused the project's suitable offers")


# Raised and resolved by the nightly scan; the others are raised by people and resolved by people.
SCANNED_KINDS = (
    FlagKind.MISSED_MEETINGS,
    FlagKind.NO_REPLY,
    FlagKind.NO_CONTACT,
    FlagKind.PACKING_NOT_STARTED,
    FlagKind.FOLLOW_UP_DUE,
    FlagKind.OFFERS_REFUSED,
)


class Flag(models.Model):
    """A household that needs outreach now, and why. One open flag per household and kind."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="flags", verbose_name=_("household")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=FlagKind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    # The facts behind the reason (dates, counts, a letter's subject): pages word them in the
    # reader's language (outreach.scan.flag_reason_text); `reason` is the Danish wording.
    reason_data = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Indexed only where set (flag_resolved_by_idx): a scan raises ~27,000 flags with none.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)
    # The household's estate (its flat's stairwell's), written by the database alone for every
    # writer (migration 0010's triggers: on a flag's insert and change of household, and when a
    # household, flat or stairwell moves), never by Python: the flags page finds the flags of
    # the estates a user works in without first joining every household to its estate
    # (households.permissions.household_ids_access_q's `estate_field`). No foreign-key
    # constraint of its own: the triggers copy it from the household's stairwell, whose
    # constraint holds it, and checking it again cost each inserted flag a lookup at commit
    # (90 ms of a scan that raises 20,000 flags).
    estate = models.ForeignKey(
        Estate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_kind",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_valid"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="resolved_flag_has_resolution",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind"], condition=Q(resolved_at__isnull=True), name="flag_open_idx"
            ),
            models.Index(
                fields=["resolved_by"],
                condition=Q(resolved_by__isnull=False),
                name="flag_resolved_by_idx",
            ),
            # The scan's rules ask, per candidate, when a person last resolved the kind for
            # the household (outreach/scan.py, _manual_resolution): a few rows, not every flag.
            models.Index(
                fields=["household", "kind", "-resolved_at"],
                condition=Q(resolved_by__isnull=False),
                name="flag_manual_resolution_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


DEFAULT_THRESHOLDS = {
    "missed_meetings": 2,
    "no_contact_days": 30,
    "deadline_window_days": 45,
    "packing_window_days": 14,
    "follow_up_days": 14,
}


class FlagThresholds(models.Model):
    """A project's own thresholds for the flag scan; without a row the defaults apply."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="flag_thresholds"
    )
    missed_meetings = models.PositiveSmallIntegerField(
        _("missed meetings"),
        default=DEFAULT_THRESHOLDS["missed_meetings"],
        help_text=_("Flag a household that missed this many of the meetings it was invited to."),
    )
    no_contact_days = models.PositiveSmallIntegerField(
        _("days without contact"),
        default=DEFAULT_THRESHOLDS["no_contact_days"],
        help_text=_("Flag a household not reached for this many days…"),
    )
    deadline_window_days = models.PositiveSmallIntegerField(
        _("deadline window (days)"),
        default=DEFAULT_THRESHOLDS["deadline_window_days"],
        help_text=_("…when its next deadline in the schedule is this close."),
    )
    packing_window_days = models.PositiveSmallIntegerField(
        _("packing window (days)"),
        default=DEFAULT_THRESHOLDS["packing_window_days"],
        help_text=_("Flag a household whose move-out is this close while packing has not started."),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up after (days)"),
        default=DEFAULT_THRESHOLDS["follow_up_days"],
        help_text=_(
            "Flag a household that moved permanently and was not reached for this many days."
        ),
    )

    class Meta:
        verbose_name = _("flag thresholds")
        verbose_name_plural = _("flag thresholds")
        constraints = [
            models.CheckConstraint(condition=Q(**{f"{name}__gte": 1}), name=f"{name}_at_least_one")
            for name in DEFAULT_THRESHOLDS
        ]

    def __str__(self) -> str:
        return f"{self.project}"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")  # another scan held the lock: this one did nothing


class ScanRun(JobFields):
    """One run of the flag scan, so that a scan that stopped running is noticed."""

    status = models.CharField(
        _("status"), max_length=20, choices=ScanStatus.choices, default=ScanStatus.QUEUED
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    households_scanned = models.PositiveIntegerField(default=0)
    raised = models.JSONField(default=dict, blank=True)
    resolved = models.JSONField(default=dict, blank=True)
    # {organisation id: {"households": n, "raised": {kind: n}, "resolved": {kind: n}}}: the
    # scan covers every organisation, and each manager sees the numbers of her own.
    by_organisation = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("flag scan")
        verbose_name_plural = _("flag scans")

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.queued_at:%d.%m.%Y %H:%M}"


class FlagDigest(models.Model):
    """The morning e-mail of new flags, at most one per person per day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    flag_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_digest_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on}"


class CalendarFeed(models.Model):
    """A user's personal calendar subscription. Only the SHA-256 of its secret token is kept:
    the URL is shown once, and whoever reads the database cannot subscribe with it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return _("Calendar feed #%(id)s") % {"id": self.pk}


# Letters from the organisation's templates have their own module; importing it here registers
# its models with the app.
from outreach.letters import models as _letters_models  # noqa: E402, F401
