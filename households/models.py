"""Places and people: organisations, estates, stairwells, flats, households and residents."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{3}$"), name="municipality_code_three_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A housing organisation (boligorganisation)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    waterbed_threshold = models.PositiveSmallIntegerField(
        _("waterbed threshold"),
        default=5,
        help_text=_(
            "The most particularly vulnerable rehoused households one destination area should "
            "receive; areas above it are ranked down and marked."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("housing organisation")
        verbose_name_plural = _("housing organisations")
        permissions = [
            ("manage_organisation", "Lead the organisation: see and assign all its cases"),
            ("staff_of_organisation", "Be staff of the organisation (can be assigned cases)"),
        ]

    def __str__(self) -> str:
        return self.name


class Estate(models.Model):
    """An estate (afdeling) of a housing organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="estates",
        verbose_name=_("organisation"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="estates",
        verbose_name=_("municipality"),
    )
    number = models.CharField(_("estate number"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    area = models.CharField(
        _("area"),
        max_length=100,
        help_text=_("Neighbourhood or district, used to follow where households move."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        permissions = [
            ("work_in_estate", "Work with the cases of the estate"),
            ("submit_tip", "Pass on tips about the flats of the estate"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="estate_number_unique_per_org"
            ),
            # The waterbed monitoring counts permanent moves per area: every estate has one.
            models.CheckConstraint(condition=~Q(area=""), name="estate_area_required"),
        ]

    def __str__(self) -> str:
        return _("%(name)s (estate %(number)s)") % {"name": self.name, "number": self.number}


# Full-text search of names and streets (households/selectors.py): the "simple" configuration
# (lower case, no stemming: names are not Danish words), GIN-indexed expressions the queries
# repeat exactly.
SEARCH_CONFIG = "simple"
RESIDENT_NAME_SEARCH = SearchVector("first_name", "last_name", config=SEARCH_CONFIG)
STAIRWELL_STREET_SEARCH = SearchVector("street", config=SEARCH_CONFIG)


class Stairwell(models.Model):
    """A stairwell (opgang): street and house number. Schedules are set per stairwell."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="stairwells", verbose_name=_("estate")
    )
    street = models.CharField(_("street"), max_length=100)
    number = models.PositiveSmallIntegerField(_("house number"))
    letter = models.CharField(_("letter"), max_length=1, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4)
    city = models.CharField(_("city"), max_length=100)

    class Meta:
        ordering = ["street", "number", "letter"]
        verbose_name = _("stairwell")
        verbose_name_plural = _("stairwells")
        constraints = [
            models.UniqueConstraint(
                fields=["street", "number", "letter", "postcode"], name="stairwell_address_unique"
            ),
            models.CheckConstraint(
                condition=Q(postcode__regex=r"^[0-9]{4}$"), name="stairwell_postcode_four_digits"
            ),
            models.CheckConstraint(
                condition=Q(letter__regex=r"^[A-Z]?$"), name="stairwell_letter_capital"
            ),
        ]
        indexes = [GinIndex(STAIRWELL_STREET_SEARCH, name="stairwell_street_search")]

    def __str__(self) -> str:
        return f"{self.street} {self.house_number}"

    @property
    def house_number(self) -> str:
        return f"{self.number}{self.letter}"


def format_floor(floor: int | None) -> str:
    if floor is None:
        return ""
    if floor == 0:
        return "st."
    if floor < 0:
        return "kl."
    return f"{floor}."


def address_text(street: str, house_number: str, floor: int | None, door: str) -> str:
    """'Blokvej 12, 2. tv': Flat.address from plain values (exports read no model instances)."""
    unit = " ".join(part for part in (format_floor(floor), door) if part)
    return f"{street} {house_number}, {unit}" if unit else f"{street} {house_number}"


def person_name(first_name: str, last_name: str) -> str:
    """Resident.full_name from plain values."""
    if not (first_name or last_name):  # the retention removed the name
        return str(_("(anonymised)"))
    return f"{first_name} {last_name}"


def household_name_text(name: str, others: int) -> str:
    """'Jens Nielsen (+2)': Household.display_name from its parts."""
    return f"{name} (+{others})" if others else name


def residents_name_and_others(residents: "Iterable[Resident]") -> tuple[str, int]:
    """Household.name_and_others from the household's residents (a list may read them into
    a list of its own: a Prefetch's to_attr, without a queryset made for each household)."""
    ordered = sorted(residents, key=lambda r: (not r.is_contact_person, r.pk))
    if not ordered:
        return str(_("(no residents)")), 0
    return ordered[0].full_name, len(ordered) - 1


class Flat(models.Model):
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, related_name="flats", verbose_name=_("stairwell")
    )
    floor = models.SmallIntegerField(
        _("floor"),
        null=True,
        blank=True,
        help_text=_("0 is the ground floor, -1 the basement; empty for a house."),
    )
    door = models.CharField(
        _("door"), max_length=10, blank=True, help_text=_("tv, th, mf or a number.")
    )
    rooms = models.PositiveSmallIntegerField(_("rooms"))
    area_m2 = models.PositiveSmallIntegerField(_("area (m²)"))
    tenancy_number = models.CharField(
        _("tenancy number"),
        max_length=30,
        blank=True,
        help_text=_("The number of the tenancy (lejemål) in the housing organisation's system."),
    )
    # The rent is economy (cases/economy/rents.py), not a fact of the flat for everyone: it is
    # shown only to roles with `view_rent`, never to the visitator.
    net_rent = models.DecimalField(
        _("net rent per month (kr.)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The rent without a-conto payments. Empty: not known."),
    )
    aconto = models.DecimalField(
        _("a-conto heating and water per month (kr.)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["stairwell", "floor", "door"]
        verbose_name = _("flat")
        verbose_name_plural = _("flats")
        permissions = [
            ("view_rent", "See the rents of flats and the rent of temporary stays"),
            ("change_rent", "Record the rent of a flat by hand"),
        ]
        indexes = [models.Index(fields=["tenancy_number"])]
        constraints = [
            models.UniqueConstraint(
                fields=["stairwell", "floor", "door"],
                name="flat_unique_in_stairwell",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(floor__isnull=True) | Q(floor__gte=-2, floor__lte=40),
                name="flat_floor_range",
            ),
            models.CheckConstraint(
                condition=Q(rooms__gte=1, rooms__lte=12), name="flat_rooms_range"
            ),
            models.CheckConstraint(
                condition=Q(area_m2__gte=10, area_m2__lte=400), name="flat_area_range"
            ),
            models.CheckConstraint(
                condition=Q(net_rent__isnull=True) | Q(net_rent__gte=0),
                name="flat_rent_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(aconto__isnull=True) | Q(aconto__gte=0), name="flat_aconto_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def unit(self) -> str:
        """Floor and door in Danish form: '2. tv', 'st. th'."""
        return " ".join(part for part in (format_floor(self.floor), self.door) if part)

    @property
    def address(self) -> str:
        """'Blokvej 12, 2. tv' (needs the stairwell loaded)."""
        unit = self.unit
        return f"{self.stairwell}, {unit}" if unit else str(self.stairwell)

    @property
    def monthly_rent(self):
        """Net rent and a-conto per month, or None when the net rent is not known."""
        if self.net_rent is None:
            return None
        return self.net_rent + (self.aconto or 0)

    @property
    def full_address(self) -> str:
        return f"{self.address}, {self.stairwell.postcode} {self.stairwell.city}"


class HouseholdQuerySet(models.QuerySet["Household"]):
    def current(self) -> "HouseholdQuerySet":
        return self.filter(moved_out_on__isnull=True)

    def for_user(self, user) -> "HouseholdQuerySet":
        from households.permissions import household_access_q

        return self.filter(household_access_q(user))


class ReachChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")
    DOOR = "door", _("At the door")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    GO_BETWEEN = "go_between", _("Through the go-between")


class GoBetweenKind(models.TextChoices):
    CARETAKER = "caretaker", _("Caretaker")
    RELATIVE = "relative", _("Relative")
    HOME_CARE = "home_care", _("Home care")
    OTHER = "other", _("Someone else")


class Household(models.Model):
    """The tenancy of a flat: the people who live there together."""

    flat = models.ForeignKey(
        Flat, on_delete=models.PROTECT, related_name="households", verbose_name=_("flat")
    )
    moved_in_on = models.DateField(_("moved in"), null=True, blank=True)
    moved_out_on = models.DateField(
        _("tenancy ended"),
        null=True,
        blank=True,
        help_text=_("The household no longer holds the tenancy."),
    )
    social_note = models.TextField(
        _("social note"),
        blank=True,
        help_text=_("Sensitive. Not shown to rehousing officers or outside the social team."),
    )
    # How to reach the household: what the stairwell needs before the door is knocked on.
    reach_channel = models.CharField(
        _("best way to reach"), max_length=20, choices=ReachChannel.choices, blank=True
    )
    reach_time = models.CharField(
        _("best time"), max_length=100, blank=True, help_text=_("For example: weekdays after 16")
    )
    go_between_kind = models.CharField(
        _("go-between"), max_length=20, choices=GoBetweenKind.choices, blank=True
    )
    go_between_name = models.CharField(_("go-between's name"), max_length=100, blank=True)
    go_between_phone = models.CharField(_("go-between's phone"), max_length=20, blank=True)
    reach_language = models.CharField(
        _("language to speak"), max_length=50, blank=True, help_text=_("Leave empty for Danish.")
    )
    reach_interpreter = models.BooleanField(_("an interpreter is needed"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by the retention (privacy/services.py) when names, contact data and free text of a
    # household whose cases closed long ago were removed; the statistics stay.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["flat"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        permissions = [("view_social_data", "See sensitive social notes and vulnerability factors")]
        constraints = [
            models.UniqueConstraint(
                fields=["flat"],
                condition=Q(moved_out_on__isnull=True),
                name="one_current_household_per_flat",
            )
        ]

    def __str__(self) -> str:
        return _("Household #%(id)s") % {"id": self.pk}

    def display_name(self) -> str:
        """'Jens Nielsen (+2)': the contact person and the count of the others.

        Lists prefetch the residents; a lone household loads them once, for every later call.
        """
        return household_name_text(*self.name_and_others())

    def name_and_others(self) -> tuple[str, int]:
        """The contact person's name and how many others live with her (display_name's parts)."""
        if "residents" not in getattr(self, "_prefetched_objects_cache", {}):
            models.prefetch_related_objects([self], "residents")
        return residents_name_and_others(self.residents.all())


class Resident(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="residents", verbose_name=_("household")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(
        _("language"), max_length=50, blank=True, help_text=_("Leave empty for Danish.")
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    digital = models.BooleanField(
        _("manages digitally"),
        default=True,
        help_text=_("Uses Digital Post and self-service on their own."),
    )
    is_contact_person = models.BooleanField(_("contact person"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-is_contact_person", "birth_year", "pk"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="resident_birth_year_range",
            )
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            GinIndex(RESIDENT_NAME_SEARCH, name="resident_name_search"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)


class VulnerabilityLevel(models.TextChoices):
    NONE = "none", _("Not vulnerable")
    LESS = "less", _("Less vulnerable")
    PARTICULARLY = "particularly", _("Particularly vulnerable")


class VulnerabilityFactor(models.TextChoices):
    MENTAL_ILLNESS = "mental_illness", _("Mental illness")
    ADDICTION = "addiction", _("Addiction")
    DEMENTIA = "dementia", _("Dementia")
    LONELINESS = "loneliness", _("Loneliness")
    DEBT = "debt", _("Debt")
    NO_NETWORK = "no_network", _("No network")
    RUN_DOWN_HOME = "run_down_home", _("Run-down home (rubbish, pests, mould, needles)")
    ELDERLY = "elderly", _("Elderly")
    PHYSICALLY_LIMITED = "physically_limited", _("Physically limited")
    NOT_DIGITAL = "not_digital", _("Not digital")


class VulnerabilityAssessment(models.Model):
    """How vulnerable a household is in the rehousing. The newest counts; history stays."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("household")
    )
    level = models.CharField(_("level"), max_length=20, choices=VulnerabilityLevel.choices)
    factors = ArrayField(
        models.CharField(max_length=30, choices=VulnerabilityFactor.choices),
        default=list,
        blank=True,
        verbose_name=_("factors"),
    )
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        get_latest_by = "assessed_at"
        verbose_name = _("vulnerability assessment")
        verbose_name_plural = _("vulnerability assessments")
        indexes = [models.Index(fields=["household", "-assessed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=VulnerabilityLevel.values), name="assessment_level_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.assessed_at:%d.%m.%Y})"

    def factor_labels(self) -> list[str]:
        return [str(VulnerabilityFactor(factor).label) for factor in self.factors]


# Guardian object permissions with direct foreign keys: fast joins, deleted with the object.
class OrganisationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class EstateUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Estate, on_delete=models.CASCADE)


class EstateGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Estate, on_delete=models.CASCADE)


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    PRINT = "print", _("Printed")
    DOWNLOAD = "download", _("Downloaded a file")
    ERASE = "erase", _("Erased on request")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    DENIED = "denied", _("Access refused")
    # A manager invited, changed, deactivated someone or handed her work over (team/).
    STAFF = "staff", _("Changed staff")


class AccessLog(models.Model):
    """Who saw or took out person-level data: one row per household (and resident) touched;
    also every login, logout, failed login and refused page (no household on those).

    Append-only: database triggers refuse UPDATE, DELETE and TRUNCATE, and chain every row to
    the one before it by a hash, so an edit behind the triggers' back is found
    (households.audit.access_log_verify). The references carry no foreign-key constraint, so a
    row outlives the user or household it names. For a failed login `username` is the name
    that was tried, and `user` the account of that name if any.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (…, at) indexes of Meta serve every lookup by it
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    household = models.ForeignKey(
        Household,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (…, at) indexes of Meta serve every lookup by it
        null=True,
        related_name="+",
        verbose_name=_("household"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (…, at) indexes of Meta serve every lookup by it
        null=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    what = models.CharField(_("what"), max_length=200)
    path = models.CharField(_("address"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The hash chain, written by the database on insert (households_accesslog_chain, migration
    # 0010): the row's number in the chain, and the SHA-256 over its content and the previous
    # row's hash. households.audit.access_log_verify recomputes it.
    seq = models.BigIntegerField(_("number in the chain"), unique=True, editable=False)
    hash = models.CharField(_("chain hash"), max_length=64, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["household", "-at"]),
            models.Index(fields=["resident", "-at"]),
            models.Index(fields=["user", "-at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AccessAction.values), name="access_log_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.username} {self.get_action_display()} {self.what}"


class TenantImport(models.Model):
    """One upload of the tenant list: previewed, then applied once.

    The file stays here (not with the client) between preview and apply; its content is
    cleared when the import is applied, and what is left is the record of the run.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Imported")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    file_kind = models.CharField(max_length=4)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    # "household:<id>" / "resident:<id>" -> the version the preview was made from
    seen_versions = models.JSONField(default=dict, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("tenant list import")
        verbose_name_plural = _("tenant list imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["previewed", "applied"]), name="tenant_import_status"
            ),
            models.CheckConstraint(
                condition=Q(file_kind__in=["csv", "xlsx"]), name="tenant_import_file_kind"
            ),
        ]

    def __str__(self) -> str:
        return _("Import #%(id)s") % {"id": self.pk}


class DuplicateDismissal(models.Model):
    """Two households a person said are not the same: not proposed as duplicates again."""

    household_low = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    household_high = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kept apart")
        verbose_name_plural = _("kept apart")
        constraints = [
            models.UniqueConstraint(
                fields=["household_low", "household_high"], name="dismissal_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(household_low__lt=models.F("household_high")),
                name="dismissal_ordered_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_low_id} / {self.household_high_id}"


class HouseholdMerge(models.Model):
    """The record of a merge: which household was folded into which, by whom, what moved.

    The removed household is gone, so it is named by its former id only.
    """

    kept = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("kept")
    )
    removed_id = models.PositiveIntegerField(_("merged-away household"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    moved = models.JSONField(_("rows moved"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("household merge")
        verbose_name_plural = _("household merges")

    def __str__(self) -> str:
        return f"{self.removed_id} -> {self.kept_id}"
