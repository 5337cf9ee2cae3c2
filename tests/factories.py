"""Small factories: plain functions with sensible defaults, one per model the tests need."""

import itertools
from datetime import date

from django.contrib.auth.models import Group, Permission, User
from guardian.shortcuts import assign_perm

from cases.models import Case, Project, ProjectKind, StairwellSchedule
from cases.services import case_open
from households.models import (
    Estate,
    Flat,
    Household,
    Municipality,
    Organisation,
    Resident,
    Stairwell,
    VulnerabilityAssessment,
)

_numbers = itertools.count(1)

PASSWORD = "a-long-test-password-42"


def make_user(username: str, role: str | None = None, **fields) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_user_with_perms(username: str, estate: Estate, *perms: str) -> User:
    """A user of a made-up role with only `perms` ("app.codename"), working in `estate`."""
    group = Group.objects.create(name=f"role-{username}")
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user = make_user(username)
    user.groups.add(group)
    assign_perm("households.work_in_estate", user, estate)
    return user


def make_municipality(name: str = "Hvidovre", code: str = "167") -> Municipality:
    return Municipality.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_organisation(name: str | None = None) -> Organisation:
    return Organisation.objects.create(name=name or f"Boligselskab {next(_numbers)}")


def make_estate(organisation: Organisation, name: str | None = None, **fields) -> Estate:
    number = next(_numbers)
    fields.setdefault("municipality", make_municipality())
    return Estate.objects.create(
        organisation=organisation,
        number=str(number),
        name=name or f"Afdeling {number}",
        area="Syd",
        **fields,
    )


def make_stairwell(estate: Estate, street: str = "Egevej", number: int | None = None) -> Stairwell:
    return Stairwell.objects.create(
        estate=estate,
        street=street,
        number=number or next(_numbers),
        postcode="2650",
        city="Hvidovre",
    )


def make_flat(stairwell: Stairwell, floor: int = 1, door: str = "tv", **fields) -> Flat:
    fields.setdefault("rooms", 3)
    fields.setdefault("area_m2", 75)
    return Flat.objects.create(stairwell=stairwell, floor=floor, door=door, **fields)


def make_household(flat: Flat, *names: str, **fields) -> Household:
    household = Household.objects.create(flat=flat, **fields)
    for index, name in enumerate(names or ("Hanne Jensen",)):
        first, last = name.split(" ", 1)
        Resident.objects.create(
            household=household,
            first_name=first,
            last_name=last,
            birth_year=1950 + index,
            is_contact_person=index == 0,
        )
    return household


def make_households(estate: Estate, count: int, street: str = "Tællevej") -> list[Household]:
    """`count` households in one new stairwell of `estate`, ten flats a floor."""
    stairwell = make_stairwell(estate, street=street)
    return [
        make_household(
            make_flat(stairwell, floor=index // 10, door=str(index % 10 + 1)),
            f"Person{index} Tælle",
        )
        for index in range(count)
    ]


def make_project(
    estate: Estate, kind: str = ProjectKind.RENOVATION_WITH_RETURN, **fields
) -> Project:
    fields.setdefault("name", f"Helhedsplan {estate.name}")
    fields.setdefault("starts_on", date(2026, 1, 1))
    fields.setdefault("ends_on", date(2028, 12, 31))
    return Project.objects.create(estate=estate, kind=kind, **fields)


def make_schedule(project: Project, stairwell: Stairwell, **dates) -> StairwellSchedule:
    return StairwellSchedule.objects.create(project=project, stairwell=stairwell, **dates)


def make_case(project: Project, household: Household | None = None, **fields) -> Case:
    if household is None:
        stairwell = make_stairwell(project.estate)
        household = make_household(make_flat(stairwell))
    case = case_open(household=household, project=project, by=None)
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
        case.refresh_from_db()
    return case


def assess(
    household: Household, level: str, factors: list[str] | None = None, note: str = ""
) -> None:
    VulnerabilityAssessment.objects.create(
        household=household, level=level, factors=factors or [], note=note
    )


def make_pool_flat(organisation: Organisation, flat: Flat | None = None, **fields):
    """A flat in the organisation's pool, free from 1 Jan 2026 with no end date, 5,000 kr."""
    from cases.logistics.models import PoolFlat, PoolKind

    if flat is None:
        flat = make_flat(make_stairwell(make_estate(organisation)))
    fields.setdefault("kind", PoolKind.BOTH)
    fields.setdefault("rent", 5000)
    fields.setdefault("available_from", date(2026, 1, 1))
    return PoolFlat.objects.create(organisation=organisation, flat=flat, **fields)


def make_need(case: Case, **fields):
    from cases.logistics.models import HousingNeed
    from cases.logistics.services import default_need_kind

    fields.setdefault("kind", default_need_kind(case.project))
    return HousingNeed.objects.create(case=case, **fields)


# --- partners, consents, referrals (referrals app) ---


def make_partner(organisation: Organisation, name: str = "Hjemmeplejen Syd", **fields):
    from referrals.models import Partner, PartnerKind

    fields.setdefault("kind", PartnerKind.HOME_CARE)
    if fields["kind"] == PartnerKind.MUNICIPAL_VISITATOR:
        fields.setdefault("municipality", make_municipality())
    return Partner.objects.create(organisation=organisation, name=name, **fields)


def make_consent(household: Household, by: User, **fields):
    """A written consent of the whole household, given 30 days ago, to share identity and
    housing with `partner` (or `partner_kind`) for a referral."""
    from datetime import timedelta

    from django.utils import timezone

    from referrals.consents.services import consent_record
    from referrals.models import DataCategory, Purpose

    fields.setdefault("given_by", "Hanne Jensen")
    fields.setdefault("purpose", Purpose.REFERRAL)
    fields.setdefault("categories", [DataCategory.IDENTITY, DataCategory.HOUSING])
    fields.setdefault("method", "written")
    fields.setdefault("given_on", timezone.localdate() - timedelta(days=30))
    return consent_record(household=household, by=by, **fields)


def make_totp_device(user: User):
    """The user's confirmed authenticator-app device (the second factor), made once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)


def totp_code(device) -> str:
    """The code the user's phone shows now. A code works once; this one is always fresh."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t():  # used in this 30-second step already: the test may reuse it
        device.last_t = totp.t() - 1
        device.save(update_fields=["last_t"])
    return f"{totp.token():0{device.digits}d}"


def make_twin_households(estate, count: int, tag: str) -> None:
    """`count` households registered twice (Dobbeltvej and Dobbelvej), one resident each: in
    bulk, a handful of queries however many."""
    stairwells = [make_stairwell(estate, street=street) for street in ("Dobbeltvej", "Dobbelvej")]
    flats = Flat.objects.bulk_create(
        Flat(stairwell=stairwell, floor=n // 10, door=str(n % 10 + 1), rooms=3, area_m2=75)
        for stairwell in stairwells
        for n in range(count)
    )
    households = Household.objects.bulk_create(Household(flat=flat) for flat in flats)
    Resident.objects.bulk_create(
        Resident(
            household=household,
            first_name=f"Person{index % count}{tag}",
            last_name="Dobbelt",
            birth_year=1950,
            is_contact_person=True,
        )
        for index, household in enumerate(households)
    )


def make_many_flats(estate, count: int, street: str = "Mængdevej", first: int = 1) -> list:
    """`count` empty flats in the estate, three to a floor, ten floors to a stairwell (house
    numbers from `first`)."""
    stairwells = [
        make_stairwell(estate, street=street, number=first + n) for n in range((count + 29) // 30)
    ]
    return Flat.objects.bulk_create(
        Flat(
            stairwell=stairwells[n // 30],
            floor=(n % 30) // 3,
            door=("tv", "mf", "th")[n % 3],
            rooms=3,
            area_m2=75,
        )
        for n in range(count)
    )
