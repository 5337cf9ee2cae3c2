"""Demo data: two housing organisations, their estates and projects, cases in every stage, and
a login per role.

Everything is generated from a fixed seed: the people are fictional, the names and addresses
Danish. Dates are relative to today, so the demo always looks current. Each organisation and
user is found by its natural key (name, username); what exists already is left alone, so a
second load changes nothing.
"""

import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import takewhile
from typing import TypeVar

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases.models import (
    AssignmentRole,
    Case,
    CaseAssignment,
    CaseQuerySet,
    CaseUserObjectPermission,
    Project,
    ProjectKind,
    StageChange,
    StairwellSchedule,
)
from cases.stages import OPEN_STAGES, EndReason, Stage
from core.roles import Role
from demo.accounts import accounts_demo_load
from demo.economy import economy_demo_load
from demo.letters import letters_demo_load
from demo.logistics import logistics_demo_load
from demo.outreach import demo_contacts_settle, outreach_demo_load
from demo.referrals import referrals_demo_load
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
from households.models import VulnerabilityFactor as Factor
from households.models import VulnerabilityLevel as Level
from households.services import estate_assign_staff, organisation_add_manager, roles_sync
from outreach.models import AwaitedReply, Contact, Invitation
from outreach.scan import flag_scan_run

_T = TypeVar("_T")

DEMO_PASSWORD = "genhusning-demo"  # noqa: S105 - printed for everyone to log in with
SEED = 2650

VESTEGNEN = "Boligselskabet Vestegnen"
FJORDBO = "Fjordbo Boligforening"
SOHUSENE = "Søhusene"
ROSENHAVEN = "Rosenhaven"
VACATED = "vacated"  # renovated flats in Vestergården left empty by households that moved away


# --- Who logs in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    full_name: str
    role: str
    sees: str


@dataclass(frozen=True)
class DemoSummary:
    logins: tuple[DemoLogin, ...]
    organisations_created: tuple[str, ...]
    counts: dict[str, int]
    cases_by_stage: dict[str, int]


@dataclass(frozen=True)
class _UserSpec:
    username: str
    first_name: str
    last_name: str
    group: str | None
    role: str
    sees: str
    superuser: bool = False


_USERS = (
    _UserSpec(
        "sagsbehandler",
        "Mette",
        "Lund Sørensen",
        Role.CASEWORKER,
        "Boligsocial medarbejder",
        "Alle sager i Vestergården; ansvarlig for ca. 60 åbne sager, flest sårbare",
    ),
    _UserSpec(
        "sagsbehandler2",
        "Jonas",
        "Bech Andreasen",
        Role.CASEWORKER,
        "Boligsocial medarbejder",
        "Alle sager i Nordparken (omdannelse, permanente flytninger)",
    ),
    _UserSpec(
        "brobygger",
        "Fatima",
        "Kjær",
        Role.BRIDGE_BUILDER,
        "Brobygger",
        "Kun de sager hun er tildelt: husstande der er flyttet permanent",
    ),
    _UserSpec(
        "genhusning",
        "Henrik",
        "Dahl",
        Role.REHOUSING_OFFICER,
        "Genhusningsmedarbejder",
        "Sagerne i Vestergården og Nordparken, uden sociale noter og sårbarhed",
    ),
    _UserSpec(
        "leder",
        "Birgitte",
        "Møller Holst",
        Role.MANAGER,
        "Leder",
        "Alle sager i Boligselskabet Vestegnen; tildeler medarbejdere",
    ),
    _UserSpec(
        "visitator",
        "Lone",
        "Krogh",
        Role.VISITATOR,
        "Social visitator (kommune)",
        "Berørte boliger i Hvidovre (kun boligniveau); husstande med samtykke; henvisninger",
    ),
    _UserSpec(
        "vicevaert",
        "Bent",
        "Poulsen",
        Role.CARETAKER,
        "Ejendomsfunktionær",
        "Kun tipsformularen for Vestergårdens lejligheder",
    ),
    _UserSpec(
        "fjordbo",
        "Karen",
        "Friis",
        Role.CASEWORKER,
        "Boligsocial medarbejder (Fjordbo)",
        "Kun Fjordbo Boligforenings sager i Strandparken",
    ),
    _UserSpec(
        "admin",
        "System",
        "Administrator",
        None,
        "Administrator",
        "Alt, også Django-admin på /admin/",
        superuser=True,
    ),
)


# --- Places -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The flats of one stairwell: the same doors (door, rooms, m²) on every floor."""

    floors: range
    doors: tuple[tuple[str, int, int], ...]
    basement: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class _EstatePlan:
    number: str
    name: str
    area: str
    postcode: str
    city: str
    stairwells: tuple[tuple[str, int, str, _Layout], ...]  # street, number, letter, layout


_BLOCK_SMALL = _Layout(range(8), (("tv", 4, 94), ("mf", 2, 61), ("th", 3, 79)))
_BLOCK_LARGE = _Layout(
    range(8),
    (("tv", 5, 112), ("mf", 3, 76), ("th", 4, 97)),
    basement=(("tv", 1, 38), ("mf", 1, 34), ("th", 1, 38)),
)
_BLOCK_FAMILY = _Layout(range(8), (("tv", 4, 92), ("mf", 3, 76), ("th", 5, 108)))
_ROW_LOW = _Layout(range(4), (("tv", 2, 58), ("th", 3, 77)))
_ROW_MEDIUM = _Layout(range(5), (("tv", 3, 81), ("th", 4, 96)))
_ROW_FJORD = _Layout(range(5), (("tv", 3, 78), ("th", 2, 62)))

VESTERGAARDEN = _EstatePlan(
    "14",
    "Vestergården",
    "Vestergården/Hvidovre Syd",
    "2650",
    "Hvidovre",
    (
        *(("Vestergårdsvej", number, "", _BLOCK_SMALL) for number in range(2, 13, 2)),
        *(("Kløvermarken", number, letter, _BLOCK_LARGE) for number in (3, 5) for letter in "ABC"),
    ),
)
NORDPARKEN = _EstatePlan(
    "7",
    "Nordparken",
    "Nordparken/Avedøre",
    "2650",
    "Hvidovre",
    tuple(("Nordparken", number, "", _BLOCK_FAMILY) for number in (20, 22, 24, 26)),
)
SOHUSENE_PLAN = _EstatePlan(
    "21",
    SOHUSENE,
    "Avedøre",
    "2650",
    "Hvidovre",
    tuple(("Søhusvej", number, "", _ROW_LOW) for number in (1, 3, 5, 7, 9)),
)
ROSENHAVEN_PLAN = _EstatePlan(
    "9",
    ROSENHAVEN,
    "Friheden",
    "2650",
    "Hvidovre",
    tuple(("Rosenhaven", number, "", _ROW_MEDIUM) for number in (2, 4, 6, 8)),
)
# An estate with an imported tenant list and no project yet: the README's "start your own
# project" walk begins here (a manager creates the project, its schedule, opens the cases).
KILDEPARKEN = _EstatePlan(
    "31",
    "Kildeparken",
    "Hvidovre Nord",
    "2650",
    "Hvidovre",
    tuple(("Kildeparken", number, letter, _BLOCK_SMALL) for number in (1, 3) for letter in "ABC"),
)
STRANDPARKEN = _EstatePlan(
    "3",
    "Strandparken",
    "Køge Nord",
    "4600",
    "Køge",
    (("Strandparken", 10, "", _ROW_FJORD), ("Strandparken", 12, "", _ROW_FJORD)),
)

# Move-out day per stairwell (days from today), in plan order: two waves a year, so that today
# finds the first stairwells home again and the last not yet notified.
VESTERGAARDEN_MOVE_OUT = (-440, -426, -300, -286, -200, -115, -95, -40, 12, 26, 75, 140)
NORDPARKEN_DEADLINE = (-150, 75, 170, 320)
STRANDPARKEN_MOVE_OUT = (35, 120)

NOTICE_DAYS = 91  # renovation: three months' notice
TRANSFORMATION_NOTICE_DAYS = 182
PACKING_DAYS = 14
AWAY_DAYS = 105
RETURN_NOTICE_DAYS = 42


# --- People -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Names:
    men: tuple[str, ...]
    women: tuple[str, ...]
    last: tuple[str, ...]
    boys: tuple[str, ...] = ()
    girls: tuple[str, ...] = ()
    old_men: tuple[str, ...] = ()
    old_women: tuple[str, ...] = ()


_DANISH = _Names(
    men=(
        "Jens", "Peter", "Lars", "Henrik", "Søren", "Niels", "Michael", "Thomas", "Anders",
        "Martin", "Jesper", "Brian", "Kim", "Rasmus", "Mads", "Mikkel", "Kasper", "Jacob",
    ),
    women=(
        "Anne", "Kirsten", "Hanne", "Mette", "Susanne", "Lene", "Marianne", "Camilla",
        "Louise", "Maria", "Julie", "Sofie", "Pia", "Tina", "Line", "Helle", "Charlotte",
    ),
    last=(
        "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
        "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen",
        "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen",
        "Jakobsen", "Mikkelsen", "Frederiksen", "Lund", "Holm", "Schmidt", "Eriksen", "Clausen",
        "Svendsen", "Iversen", "Østergaard", "Jeppesen", "Nissen", "Lauridsen", "Dam", "Bech",
    ),
    boys=("Noah", "Oscar", "William", "Lucas", "Alfred", "Karl", "Aksel", "Emil", "Valdemar"),
    girls=("Emma", "Ida", "Alma", "Freja", "Ella", "Clara", "Agnes", "Sofia", "Olivia"),
    old_men=("Bent", "Kurt", "Poul", "Erik", "Finn", "Jørgen", "Knud", "Ove", "Svend", "Leif"),
    old_women=(
        "Grethe", "Ruth", "Tove", "Inge", "Birthe", "Else", "Edith", "Gudrun", "Jytte", "Bodil",
    ),
)  # fmt: skip
_OTHER_LANGUAGES = {
    "arabisk": _Names(
        men=("Ahmad", "Mohammed", "Khaled", "Omar", "Yousef", "Samir"),
        women=("Fatima", "Amira", "Layla", "Noor", "Rania", "Huda"),
        last=("Haddad", "Khalil", "Nasser", "Saleh", "Hamdan", "Mansour"),
    ),
    "somali": _Names(
        men=("Abdi", "Mohamed", "Hassan", "Ali", "Yusuf"),
        women=("Hodan", "Ayaan", "Fadumo", "Sahra", "Hibo"),
        last=("Warsame", "Farah", "Abdullahi", "Hersi", "Osman"),
    ),
    "tyrkisk": _Names(
        men=("Mehmet", "Ahmet", "Mustafa", "Emre", "Hasan"),
        women=("Ayşe", "Fatma", "Elif", "Zeynep", "Emine"),
        last=("Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk"),
    ),
    "urdu": _Names(
        men=("Imran", "Tariq", "Asif", "Bilal", "Zubair"),
        women=("Nadia", "Saima", "Rukhsana", "Farah", "Shazia"),
        last=("Khan", "Hussain", "Iqbal", "Malik", "Chaudhry"),
    ),
    "polsk": _Names(
        men=("Piotr", "Krzysztof", "Tomasz", "Marek", "Paweł"),
        women=("Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna"),
        last=("Nowak", "Wójcik", "Mazur", "Krawczyk", "Zając"),
    ),
}

# Household kinds per number of rooms, with weights.
_KINDS_BY_ROOMS: dict[int, tuple[tuple[str, int], ...]] = {
    1: (("single", 6), ("elderly_single", 4)),
    2: (("elderly_single", 4), ("single", 2), ("elderly_couple", 2), ("couple", 2)),
    3: (
        ("couple", 2),
        ("single_parent", 3),
        ("elderly_single", 2),
        ("family", 3),
        ("elderly_couple", 1),
    ),
    4: (("family", 6), ("single_parent", 2), ("couple", 2), ("elderly_couple", 1)),
    5: (("family", 8), ("single_parent", 2), ("extended", 1)),
}

# Chances (in %) of none / less / particularly vulnerable, per household kind.
_VULNERABILITY_ODDS: dict[str, tuple[int, int, int]] = {
    "elderly_single": (47, 35, 18),
    "single": (70, 10, 20),
    "elderly_couple": (55, 40, 5),
    "couple": (86, 7, 7),
    "single_parent": (72, 13, 15),
    "family": (84, 8, 8),
    "extended": (65, 30, 5),
}
_HEAVY_FACTORS = (
    Factor.MENTAL_ILLNESS,
    Factor.ADDICTION,
    Factor.LONELINESS,
    Factor.DEBT,
    Factor.NO_NETWORK,
    Factor.RUN_DOWN_HOME,
)

_PARTICULARLY_NOTES = (
    "Bor alene, ingen pårørende. Åbner sjældent døren; har sagt ja til besøg sammen med "
    "viceværten.",
    "Hjemmet er meget tilrodet; flyttefolkene vil ikke gå ind før social rengøring.",
    "Har huslejerestance og åbner ikke sine breve. Vi har aftalt at åbne posten sammen.",
    "Psykisk sårbar og svinger meget. Bedst at ringe om formiddagen.",
    "Kommer i Kaffen er Klar om torsdagen; det er der, vi får talt med ham.",
    "Tegn på demens; datteren i Aarhus er kontaktperson.",
    "Kommer ikke til beboermøder. Svarer på sms, ikke på brev.",
    "Skadedyr i køkkenet; bekæmpelse bestilt via ejendomskontoret.",
)
_LESS_NOTES = (
    "Dårligt gående og bor højt oppe; skal have hjælp til nedpakning.",
    "Bruger ikke Digital Post; breve skal afleveres personligt.",
    "Skal have hjælp til midlertidig adresseændring hos PostNord og til Betalingsservice.",
    "Ældre ægtepar, klarer sig fint med lidt praktisk hjælp.",
    "Har brug for tolk ved alle samtaler om flytningen.",
)
_SOCIAL_NOTES = (
    "Tidligere udsættelsestruet pga. restance. Kontakt til økonomisk rådgiver i kommunen.",
    "Søn på 17 kommer og går; familieafdelingen er inde over.",
    "Har fortalt om angst for at flytte; tidligere indlagt. Ønsker samme medarbejder hver gang.",
    "Stærkt tilrodet bolig og skimmel i badeværelset. Hjemmeplejen vil ikke komme ind.",
    "Intet netværk. Hunden betyder alt for hende og skal med i genhusningsboligen.",
    "Drikker meget i perioder; naboer har klaget over larm om natten.",
)

_STAGE_NOTES: dict[str, tuple[str, ...]] = {
    Stage.IDENTIFIED: ("Sag oprettet ved projektstart",),
    Stage.NOTIFIED: (
        "Varslingsbrev udleveret personligt",
        "Varslingsbrev sendt med Digital Post",
        "Varslingen gennemgået med tolk",
        "Varslingsbrev lagt i postkassen; intet svar endnu",
    ),
    Stage.PACKING: ("Flyttekasser leveret", "Container bestilt fra ejendomskontoret"),
    Stage.TEMPORARY: ("Nøgler afleveret", "Flyttet ind i genhusningsboligen"),
    Stage.RETURN_NOTIFIED: ("Hjemflytningsbrev udleveret",),
    Stage.PACKING_RETURN: ("Flyttefolk bestilt til hjemflytningen",),
    Stage.RETURNED: ("Nøgler til den renoverede bolig udleveret",),
    Stage.REESTABLISHED: ("Alt virker; mangelliste afleveret",),
    Stage.MOVED_PERMANENTLY: ("Har takket ja til den nye bolig", "Nøgler til ny bolig udleveret"),
    Stage.FOLLOW_UP: ("Brobyggeren har været på første besøg",),
    Stage.CLOSED: ("Afsluttet efter opfølgningssamtale",),
}
_END_NOTES: dict[str, str] = {
    EndReason.LEFT_ON_OWN: "Har selv fundet bolig og opsagt lejemålet",
    EndReason.EVICTED: "Udsat pga. huslejerestance; kontakt til herberg formidlet",
    EndReason.DECEASED: "Beboeren er afgået ved døden; pårørende tager sig af dødsboet",
}
_NEXT_STEPS: dict[str, tuple[str, ...]] = {
    Stage.IDENTIFIED: (
        "Planlæg første hjemmebesøg",
        "Inviter til informationsmøde",
        "Tal med viceværten om husstanden",
    ),
    Stage.NOTIFIED: (
        "Ring og aftal nedpakningsdag",
        "Gennemgå varslingsbrevet med husstanden",
        "Hjælp med midlertidig adresseændring hos PostNord",
    ),
    Stage.PACKING: (
        "Følg op på flyttebestilling",
        "Bestil container fra ejendomskontoret",
        "Tjek at el og varme er meldt flyttet",
    ),
    Stage.TEMPORARY: ("Besøg i genhusningsboligen", "Ring og hør hvordan det går"),
    Stage.RETURN_NOTIFIED: ("Aftal dato for hjemflytning", "Gennemgå hjemflytningsbrevet"),
    Stage.PACKING_RETURN: ("Bekræft flyttefolk til hjemflytningen",),
    Stage.RETURNED: ("Tjek at alt virker i den renoverede bolig", "Hjælp med udpakning"),
    Stage.REESTABLISHED: ("Afsluttende opfølgningssamtale", "Følg op på mangellisten"),
    Stage.MOVED_PERMANENTLY: ("Første besøg i den nye bolig", "Overdrag til brobygger"),
    Stage.FOLLOW_UP: (
        "Introducér til beboerhuset",
        "Følg med til foreningsaften",
        "Opfølgningsbesøg efter tre måneder",
    ),
}
_OUTREACH_STEPS = (
    "Besøg sammen med viceværten",
    "Bank på igen – har ikke åbnet døren",
    "Aftal social rengøring før flytning",
)
_LOGISTICS_STAGES = {
    Stage.NOTIFIED,
    Stage.PACKING,
    Stage.TEMPORARY,
    Stage.RETURN_NOTIFIED,
    Stage.PACKING_RETURN,
    Stage.RETURNED,
    Stage.MOVED_PERMANENTLY,
}
_TEMPORARY_STAGES = (Stage.TEMPORARY, Stage.RETURN_NOTIFIED, Stage.PACKING_RETURN)


@dataclass(frozen=True)
class _Step:
    stage: str
    day: date
    note: str = ""


@dataclass
class _Draft:
    """One household as it is generated, before anything is saved."""

    household: Household
    residents: list[Resident]
    kind: str
    level: str
    factors: list[str]
    assessment_note: str = ""
    assessed: bool = True
    steps: list[_Step] = field(default_factory=list)
    end_reason: str = ""
    move_out_on: date | None = None
    temporary_from: date | None = None
    permanent_from: date | None = None
    temporary_flat: Flat | None = None
    permanent_flat: Flat | None = None

    @property
    def stage(self) -> str:
        return self.steps[-1].stage

    @property
    def elderly(self) -> bool:
        return self.kind in ("elderly_single", "elderly_couple")

    @property
    def vulnerable(self) -> bool:
        return self.level != Level.NONE


# --- The load -----------------------------------------------------------------------------------


@transaction.atomic
def demo_load() -> DemoSummary:
    """Load the demo: organisations, estates, projects, cases and users, unless they exist."""
    today = timezone.localdate()
    roles_sync()
    users = _users_sync()
    accounts_demo_load(users=users)
    created = []
    if not Organisation.objects.filter(name=VESTEGNEN).exists():
        _vestegnen_build(random.Random(f"{SEED}-{VESTEGNEN}"), users=users, today=today)
        created.append(VESTEGNEN)
    if not Organisation.objects.filter(name=FJORDBO).exists():
        _fjordbo_build(random.Random(f"{SEED}-{FJORDBO}"), users=users, today=today)
        created.append(FJORDBO)
    if not Estate.objects.filter(name=KILDEPARKEN.name).exists():
        _kildeparken_build(random.Random(f"{SEED}-kildeparken"), today=today)
    _staff_access_sync(users)
    _assignments_sync(random.Random(f"{SEED}-assignments"), users=users, today=today)
    loading_since = timezone.now()
    outreach_created = outreach_demo_load(users=users, today=today)
    outreach_created |= referrals_demo_load(users=users, today=today)
    outreach_created |= logistics_demo_load(users=users, today=today)
    outreach_created |= letters_demo_load(users=users)
    outreach_created |= economy_demo_load(users=users, today=today)
    if created or outreach_created:
        _statistics_refresh()
    if outreach_created:
        demo_contacts_settle(since=loading_since)
        flag_scan_run()  # so that a new user meets the open flags at once
    return _summary(created)


def _statistics_refresh() -> None:
    """Without fresh statistics PostgreSQL may plan joins over just-loaded tables as if they
    were empty (a cross product: minutes instead of milliseconds, seen in the tests)."""
    tables = [
        model._meta.db_table
        for model in (
            Stairwell,
            Flat,
            Household,
            Resident,
            VulnerabilityAssessment,
            StairwellSchedule,
            Case,
            StageChange,
            CaseAssignment,
            CaseUserObjectPermission,
            Contact,
            Invitation,
            AwaitedReply,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _users_sync() -> dict[str, User]:
    groups = {group.name: group for group in Group.objects.all()}
    users: dict[str, User] = {}
    fresh: list[User] = []
    for spec in _USERS:
        wanted = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@example.dk",
            "is_active": True,
            "is_staff": spec.superuser,
            "is_superuser": spec.superuser,
        }
        user, created = User.objects.get_or_create(username=spec.username, defaults=wanted)
        if created:
            fresh.append(user)
        elif any(getattr(user, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(user, name, value)
            user.save(update_fields=list(wanted))
        user.groups.set([groups[spec.group]] if spec.group else [])
        users[spec.username] = user
    _passwords_sync(list(users.values()), fresh=fresh)
    return users


def _passwords_sync(users: list[User], *, fresh: list[User]) -> None:
    """Give every demo user the demo password, hashing it once: the hasher is slow on purpose."""
    stale = list(fresh)
    verified: dict[str, bool] = {}
    for user in users:
        if user in fresh:
            continue
        if user.password not in verified:
            verified[user.password] = check_password(DEMO_PASSWORD, user.password)
        if not verified[user.password]:
            stale.append(user)
    if stale:
        hashed = make_password(DEMO_PASSWORD)
        for user in stale:
            user.password = hashed
        User.objects.bulk_update(stale, ["password"])


def _staff_access_sync(users: dict[str, User]) -> None:
    vestegnen = Organisation.objects.get(name=VESTEGNEN)
    estate_a = _estate(VESTEGNEN, VESTERGAARDEN)
    estate_b = _estate(VESTEGNEN, NORDPARKEN)
    estate_assign_staff(estate=estate_a, user=users["sagsbehandler"])
    estate_assign_staff(estate=estate_b, user=users["sagsbehandler2"])
    estate_assign_staff(estate=estate_a, user=users["genhusning"])
    estate_assign_staff(estate=estate_b, user=users["genhusning"])
    estate_assign_staff(estate=_estate(FJORDBO, STRANDPARKEN), user=users["fjordbo"])
    # The bridge-builder sits centrally: staff of the organisation, but she works in no estate.
    assign_perm("households.staff_of_organisation", users["brobygger"], vestegnen)
    organisation_add_manager(organisation=vestegnen, user=users["leder"])


def _estate(organisation: str, plan: _EstatePlan) -> Estate:
    return Estate.objects.select_related("organisation").get(
        organisation__name=organisation, number=plan.number
    )


# --- Boligselskabet Vestegnen -------------------------------------------------------------------


def _vestegnen_build(rng: random.Random, *, users: dict[str, User], today: date) -> None:
    hvidovre, _ = Municipality.objects.get_or_create(code="167", defaults={"name": "Hvidovre"})
    organisation = Organisation.objects.create(name=VESTEGNEN)
    flats_a = _estate_build(organisation, hvidovre, VESTERGAARDEN)
    flats_b = _estate_build(organisation, hvidovre, NORDPARKEN)
    destinations = {
        SOHUSENE: _all_flats(_estate_build(organisation, hvidovre, SOHUSENE_PLAN)),
        ROSENHAVEN: _all_flats(_estate_build(organisation, hvidovre, ROSENHAVEN_PLAN)),
    }

    renovation = _renovation_schedules(flats_a, VESTERGAARDEN_MOVE_OUT, today=today)
    project_a = _project_create(
        flats_a,
        renovation,
        name="Helhedsplan Vestergården",
        kind=ProjectKind.RENOVATION_WITH_RETURN,
        description=(
            "Ny klimaskærm, nye køkkener og badeværelser og elevator i alle opgange. "
            "Beboerne genhuses opgang for opgang i omkring tre måneder og flytter derefter hjem."
        ),
    )
    drafts_a = _renovation_drafts(rng, flats_a, renovation, project=project_a, today=today)

    transformation = _transformation_schedules(flats_b, NORDPARKEN_DEADLINE, today=today)
    project_b = _project_create(
        flats_b,
        transformation,
        name="Omdannelse af Nordparken",
        kind=ProjectKind.TRANSFORMATION,
        description=(
            "Familieboligerne lægges om til ungdoms- og seniorboliger. Husstandene genhuses "
            "permanent i selskabets andre afdelinger."
        ),
    )
    drafts_b = _transformation_drafts(rng, flats_b, transformation, project=project_b, today=today)

    _flats_allocate(rng, [*drafts_a, *drafts_b], destinations, renovation, today=today)
    _drafts_save(
        rng,
        drafts_a,
        project_a,
        caseworker=users["sagsbehandler"],
        officer=users["genhusning"],
        today=today,
    )
    _drafts_save(
        rng,
        drafts_b,
        project_b,
        caseworker=users["sagsbehandler2"],
        officer=users["genhusning"],
        today=today,
    )


def _kildeparken_build(rng: random.Random, *, today: date) -> None:
    """Households and residents as the tenant import leaves them: no case, no project."""
    organisation = Organisation.objects.get(name=VESTEGNEN)
    hvidovre = Municipality.objects.get(code="167")
    flats = _all_flats(_estate_build(organisation, hvidovre, KILDEPARKEN))
    drafts = [_household_draft(rng, flat, today=today, foreign=0.2) for flat in flats]
    households = Household.objects.bulk_create(draft.household for draft in drafts)
    for draft, household in zip(drafts, households, strict=True):
        for resident in draft.residents:
            resident.household = household
    Resident.objects.bulk_create(r for draft in drafts for r in draft.residents)


def _fjordbo_build(rng: random.Random, *, users: dict[str, User], today: date) -> None:
    koge, _ = Municipality.objects.get_or_create(code="259", defaults={"name": "Køge"})
    organisation = Organisation.objects.create(name=FJORDBO)
    flats = _estate_build(organisation, koge, STRANDPARKEN)
    schedules = _renovation_schedules(flats, STRANDPARKEN_MOVE_OUT, today=today)
    project = _project_create(
        flats,
        schedules,
        name="Renovering af Strandparken",
        kind=ProjectKind.RENOVATION_WITH_RETURN,
        description="Nye vinduer, nyt tag og nye badeværelser. Genhusning i ca. tre måneder.",
    )
    drafts = _renovation_drafts(rng, flats, schedules, project=project, today=today)
    caseworker = users["fjordbo"]
    _drafts_save(rng, drafts, project, caseworker=caseworker, officer=caseworker, today=today)


# --- Places: estates, stairwells, flats ---------------------------------------------------------


def _estate_build(
    organisation: Organisation, municipality: Municipality, plan: _EstatePlan
) -> dict[Stairwell, list[Flat]]:
    estate = Estate.objects.create(
        organisation=organisation,
        municipality=municipality,
        number=plan.number,
        name=plan.name,
        area=plan.area,
    )
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(
            estate=estate,
            street=street,
            number=number,
            letter=letter,
            postcode=plan.postcode,
            city=plan.city,
        )
        for street, number, letter, _layout in plan.stairwells
    )
    flats: dict[Stairwell, list[Flat]] = {}
    for stairwell, (*_address, layout) in zip(stairwells, plan.stairwells, strict=True):
        units = [(-1, door) for door in layout.basement] + [
            (floor, door) for floor in layout.floors for door in layout.doors
        ]
        flats[stairwell] = [
            Flat(stairwell=stairwell, floor=floor, door=door, rooms=rooms, area_m2=area)
            for floor, (door, rooms, area) in units
        ]
    Flat.objects.bulk_create(_all_flats(flats))
    return flats


def _all_flats(flats: dict[Stairwell, list[Flat]]) -> list[Flat]:
    return [flat for stairwell_flats in flats.values() for flat in stairwell_flats]


def _renovation_schedules(
    flats: dict[Stairwell, list[Flat]], move_out: Sequence[int], *, today: date
) -> dict[Stairwell, StairwellSchedule]:
    schedules = {}
    for stairwell, offset in zip(flats, move_out, strict=True):
        move_out_on = today + timedelta(days=offset)
        schedules[stairwell] = StairwellSchedule(
            stairwell=stairwell,
            notice_on=move_out_on - timedelta(days=NOTICE_DAYS),
            packing_on=move_out_on - timedelta(days=PACKING_DAYS),
            move_out_on=move_out_on,
            return_on=move_out_on + timedelta(days=AWAY_DAYS),
        )
    return schedules


def _transformation_schedules(
    flats: dict[Stairwell, list[Flat]], deadlines: Sequence[int], *, today: date
) -> dict[Stairwell, StairwellSchedule]:
    """The stairwell must be empty by move_out_on; each household moves when it finds a home."""
    schedules = {}
    for stairwell, offset in zip(flats, deadlines, strict=True):
        deadline = today + timedelta(days=offset)
        schedules[stairwell] = StairwellSchedule(
            stairwell=stairwell,
            notice_on=deadline - timedelta(days=TRANSFORMATION_NOTICE_DAYS),
            move_out_on=deadline,
        )
    return schedules


def _project_create(
    flats: dict[Stairwell, list[Flat]],
    schedules: dict[Stairwell, StairwellSchedule],
    *,
    name: str,
    kind: str,
    description: str,
) -> Project:
    first_notice = min(s.notice_on for s in schedules.values() if s.notice_on)
    last_move = max((s.return_on or s.move_out_on) for s in schedules.values() if s.move_out_on)
    project = Project.objects.create(
        estate=next(iter(flats)).estate,
        name=name,
        kind=kind,
        starts_on=first_notice - timedelta(days=45),
        ends_on=last_move + timedelta(days=60),
        description=description,
    )
    for schedule in schedules.values():
        schedule.project = project
    StairwellSchedule.objects.bulk_create(schedules.values())
    # the stairwells it affects, as "Nyt projekt" saves them: the schedule and the distribution
    # pages list these, and "open the missing cases" counts their households
    project.stairwells.set(schedules)
    return project


# --- People: households and residents -----------------------------------------------------------


def _household_draft(rng: random.Random, flat: Flat, *, today: date, foreign: float) -> _Draft:
    kind = _weighted(rng, _KINDS_BY_ROOMS[min(flat.rooms, 5)])
    language = rng.choice(list(_OTHER_LANGUAGES)) if rng.random() < foreign else ""
    names = _OTHER_LANGUAGES.get(language, _DANISH)
    family_name = rng.choice(names.last)
    year = today.year

    # (age, woman, adult)
    people: list[tuple[int, bool, bool]] = []
    if kind in ("elderly_single", "elderly_couple"):
        age = rng.randint(70, 92)
        people.append((age, rng.random() < 0.65, True))
        if kind == "elderly_couple":
            people.append((max(66, age + rng.randint(-5, 4)), not people[0][1], True))
    elif kind == "single":
        people.append((rng.randint(20, 66), rng.random() < 0.5, True))
    else:
        age = rng.randint(27, 52) if kind != "couple" else rng.randint(24, 66)
        woman = rng.random() < (0.8 if kind == "single_parent" else 0.5)
        people.append((age, woman, True))
        if kind != "single_parent":
            people.append((max(20, age + rng.randint(-5, 5)), not woman, True))
        if kind == "extended":
            people.append((rng.randint(68, 84), rng.random() < 0.7, True))
        if kind != "couple":
            most = min(3 if rng.random() < 0.75 else 4, max(1, flat.rooms - 1), 6 - len(people))
            for _child in range(rng.randint(1, most)):
                people.append((rng.randint(0, min(17, age - 19)), rng.random() < 0.5, False))

    residents = []
    for index, (age, woman, adult) in enumerate(people):
        birth_year = year - age
        first = _first_name(rng, names, woman=woman, birth_year=birth_year, adult=adult)
        last = family_name
        if adult and index > 0 and not language and rng.random() < 0.35:
            last = rng.choice(names.last)
        resident = Resident(
            first_name=first,
            last_name=last,
            birth_year=birth_year,
            is_contact_person=index == 0,
        )
        if adult:
            _adult_details(rng, resident, age=age, language=language)
        residents.append(resident)

    oldest_adult = max(age for age, _woman, adult in people if adult)
    first_year = max(1968, year - oldest_adult + 19)
    moved_in = date(rng.randint(first_year, year - 1), rng.randint(1, 12), rng.randint(1, 28))
    level = _weighted(rng, tuple(zip(Level.values, _VULNERABILITY_ODDS[kind], strict=True)))
    draft = _Draft(
        household=Household(flat=flat, moved_in_on=moved_in),
        residents=residents,
        kind=kind,
        level=level,
        factors=[],
    )
    _vulnerability_draw(rng, draft)
    return draft


def _first_name(
    rng: random.Random, names: _Names, *, woman: bool, birth_year: int, adult: bool
) -> str:
    if not adult and names.boys:
        return rng.choice(names.girls if woman else names.boys)
    if birth_year < 1960 and names.old_men:
        return rng.choice(names.old_women if woman else names.old_men)
    return rng.choice(names.women if woman else names.men)


def _adult_details(rng: random.Random, resident: Resident, *, age: int, language: str) -> None:
    elderly = age >= 70
    resident.language = language
    resident.interpreter_needed = bool(language) and rng.random() < (0.7 if elderly else 0.25)
    resident.digital = rng.random() >= (0.5 if elderly else 0.07)
    if rng.random() < (0.8 if elderly else 0.92):
        # Danish numbers never start with 0: these cannot reach a real person.
        digits = f"0{rng.randint(0, 9_999_999):07d}"
        resident.phone = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    if resident.digital and rng.random() < (0.4 if elderly else 0.75):
        local = f"{_ascii(resident.first_name)}.{_ascii(resident.last_name)}"
        resident.email = f"{local}{rng.randint(1, 99)}@example.dk"


def _ascii(name: str) -> str:
    for letter, spelled in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ı", "i"), ("ł", "l")):
        name = name.lower().replace(letter, spelled)
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(char for char in plain if char.isalnum())


def _vulnerability_draw(rng: random.Random, draft: _Draft) -> None:
    not_digital = any(not resident.digital for resident in draft.residents)
    has_elderly = draft.elderly or draft.kind == "extended"
    if draft.level == Level.NONE and not_digital and rng.random() < 0.2:
        draft.level = Level.LESS
    if draft.level == Level.NONE:
        draft.assessed = rng.random() < 0.9
        return
    factors = set()
    if has_elderly:
        factors.add(Factor.ELDERLY)
    if not_digital:
        factors.add(Factor.NOT_DIGITAL)
    if draft.level == Level.LESS:
        if not factors or rng.random() < 0.35:
            factors.add(Factor.PHYSICALLY_LIMITED)
        if rng.random() < 0.35:
            draft.assessment_note = rng.choice(_LESS_NOTES)
    else:
        heavy = list(_HEAVY_FACTORS)
        if has_elderly:
            heavy.append(Factor.DEMENTIA)
        factors.update(rng.sample(heavy, rng.randint(1, 3)))
        if len(draft.residents) == 1 and rng.random() < 0.5:
            factors.add(Factor.LONELINESS)
        if rng.random() < 0.6:
            draft.assessment_note = rng.choice(_PARTICULARLY_NOTES)
        if rng.random() < 0.5:
            draft.household.social_note = rng.choice(_SOCIAL_NOTES)
    draft.factors = sorted(factors)
    draft.assessed = rng.random() < 0.97


# --- Cases: the path of each household through the stage machine --------------------------------


def _renovation_drafts(
    rng: random.Random,
    flats: dict[Stairwell, list[Flat]],
    schedules: dict[Stairwell, StairwellSchedule],
    *,
    project: Project,
    today: date,
) -> list[_Draft]:
    drafts = []
    for stairwell, stairwell_flats in flats.items():
        schedule = schedules[stairwell]
        for flat in stairwell_flats:
            draft = _household_draft(rng, flat, today=today, foreign=0.10)
            _renovation_path(rng, draft, schedule, project=project, today=today)
            drafts.append(draft)
    return drafts


def _renovation_path(
    rng: random.Random,
    draft: _Draft,
    schedule: StairwellSchedule,
    *,
    project: Project,
    today: date,
) -> None:
    assert schedule.notice_on and schedule.packing_on and schedule.move_out_on
    assert schedule.return_on
    move_out = schedule.move_out_on
    # Some of the most vulnerable are not ready when the stairwell moves: a date of their own.
    if (
        draft.level == Level.PARTICULARLY
        and move_out < today < move_out + timedelta(days=60)
        and rng.random() < 0.4
    ):
        move_out = today + timedelta(days=rng.randint(4, 12))
        draft.move_out_on = move_out
    stays_away = (
        rng.random() < (0.08 if draft.elderly or draft.level == Level.PARTICULARLY else 0.025)
        and schedule.packing_on < today + timedelta(days=PACKING_DAYS)
        and draft.move_out_on is None
    )
    back = schedule.return_on
    steps = [
        _Step(Stage.IDENTIFIED, _identified_on(rng, project)),
        _Step(Stage.NOTIFIED, schedule.notice_on + _days(rng, 0, 2)),
        _Step(Stage.PACKING, schedule.packing_on + _days(rng, -3, 4)),
    ]
    if stays_away:
        steps += _permanent_tail(rng, move_out)
    else:
        reestablished = back + _days(rng, 14, 45)
        steps += [
            _Step(Stage.TEMPORARY, move_out),
            _Step(
                Stage.RETURN_NOTIFIED, back - timedelta(days=RETURN_NOTICE_DAYS) + _days(rng, 0, 3)
            ),
            _Step(Stage.PACKING_RETURN, back - timedelta(days=10) + _days(rng, -4, 4)),
            _Step(Stage.RETURNED, back),
            _Step(Stage.REESTABLISHED, reestablished),
        ]
        if rng.random() < 0.85:
            steps.append(_Step(Stage.CLOSED, reestablished + _days(rng, 30, 150)))
    _path_finish(rng, draft, steps, today=today)
    if _has_moved(draft) or (stays_away and not draft.end_reason):
        draft.permanent_from = move_out
    elif draft.end_reason:
        return
    elif draft.stage in (Stage.PACKING, *_TEMPORARY_STAGES) and rng.random() >= 0.15:
        # The rest stay with family or in a summer house while the works go on.
        draft.temporary_from = move_out


def _transformation_drafts(
    rng: random.Random,
    flats: dict[Stairwell, list[Flat]],
    schedules: dict[Stairwell, StairwellSchedule],
    *,
    project: Project,
    today: date,
) -> list[_Draft]:
    drafts = []
    for stairwell, stairwell_flats in flats.items():
        schedule = schedules[stairwell]
        assert schedule.notice_on and schedule.move_out_on
        for flat in stairwell_flats:
            draft = _household_draft(rng, flat, today=today, foreign=0.12)
            moves_on = schedule.move_out_on - _days(rng, 0, 90)
            if moves_on != schedule.move_out_on:
                draft.move_out_on = moves_on
            steps = [
                _Step(Stage.IDENTIFIED, _identified_on(rng, project)),
                _Step(Stage.NOTIFIED, schedule.notice_on + _days(rng, 0, 2)),
                _Step(Stage.PACKING, moves_on - _days(rng, 7, 14)),
                *_permanent_tail(rng, moves_on),
            ]
            _path_finish(rng, draft, steps, today=today)
            if _has_moved(draft) or (not draft.end_reason and draft.stage == Stage.PACKING):
                draft.permanent_from = moves_on
            drafts.append(draft)
    return drafts


def _has_moved(draft: _Draft) -> bool:
    return any(step.stage == Stage.MOVED_PERMANENTLY for step in draft.steps)


def _permanent_tail(rng: random.Random, moves_on: date) -> list[_Step]:
    follow_up = moves_on + _days(rng, 7, 21)
    steps = [_Step(Stage.MOVED_PERMANENTLY, moves_on), _Step(Stage.FOLLOW_UP, follow_up)]
    if rng.random() < 0.8:
        steps.append(_Step(Stage.CLOSED, follow_up + _days(rng, 90, 240)))
    return steps


def _path_finish(rng: random.Random, draft: _Draft, planned: list[_Step], *, today: date) -> None:
    """Keep the steps taken before today (maybe ending the case early), and add notes."""
    reason = _end_reason_draw(rng, draft)
    steps = list(takewhile(lambda step: step.day < today, _in_order(planned)))
    if reason:
        closed_on = next((s.day for s in steps if s.stage == Stage.CLOSED), today)
        earliest = steps[0].day + timedelta(days=20)
        latest = closed_on - timedelta(days=1)
        if earliest < latest:
            ends_on = earliest + _days(rng, 0, (latest - earliest).days)
            steps = [step for step in steps if step.day < ends_on]
            steps.append(_Step(Stage.ENDED, ends_on, _END_NOTES[reason]))
            closes_on = ends_on + _days(rng, 14, 60)
            if closes_on < today and rng.random() < 0.7:
                steps.append(_Step(Stage.CLOSED, closes_on))
            draft.end_reason = reason
    draft.steps = [
        step
        if step.note or rng.random() > 0.3 or step.stage not in _STAGE_NOTES
        else _Step(step.stage, step.day, rng.choice(_STAGE_NOTES[step.stage]))
        for step in steps
    ]
    left_on = next(
        (s.day for s in draft.steps if s.stage in (Stage.MOVED_PERMANENTLY, Stage.ENDED)), None
    )
    draft.household.moved_out_on = left_on


def _end_reason_draw(rng: random.Random, draft: _Draft) -> str:
    if len(draft.residents) == 1 and draft.elderly and rng.random() < 0.05:
        return EndReason.DECEASED
    if {Factor.DEBT, Factor.ADDICTION} & set(draft.factors) and rng.random() < 0.2:
        return EndReason.EVICTED
    if not draft.elderly and rng.random() < 0.015:
        return EndReason.LEFT_ON_OWN
    return ""


def _in_order(steps: list[_Step]) -> list[_Step]:
    """Jittered dates may cross; a later step never comes before an earlier one."""
    ordered: list[_Step] = []
    for step in steps:
        if ordered and step.day < ordered[-1].day:
            step = _Step(step.stage, ordered[-1].day, step.note)
        ordered.append(step)
    return ordered


def _identified_on(rng: random.Random, project: Project) -> date:
    assert project.starts_on
    return project.starts_on + _days(rng, 0, 21)


# --- Where they move: temporary and permanent flats ---------------------------------------------


def _flats_allocate(
    rng: random.Random,
    drafts: list[_Draft],
    destinations: dict[str, list[Flat]],
    renovation: dict[Stairwell, StairwellSchedule],
    *,
    today: date,
) -> None:
    """One household per flat at a time. Vulnerable movers lean towards Søhusene (the waterbed).

    Permanent moves are served first, then the households in temporary housing now, then those
    packing; whoever is left has not been given a flat yet.
    """
    pool: dict[str, list[tuple[Flat, date]]] = {
        name: [(flat, date.min) for flat in flats] for name, flats in destinations.items()
    }
    # Renovated flats left by households that moved away or ended are let again.
    pool[VACATED] = []
    for draft in drafts:
        schedule = renovation.get(draft.household.flat.stairwell)
        left_on = draft.household.moved_out_on
        if schedule and schedule.return_on and left_on:
            pool[VACATED].append((draft.household.flat, max(left_on, schedule.return_on)))

    def take(on: date, prefer: Iterable[str]) -> Flat | None:
        for name in prefer:
            free = [flat for flat, available_on in pool[name] if available_on <= on]
            if free:
                flat = rng.choice(free)
                pool[name] = [entry for entry in pool[name] if entry[0] is not flat]
                return flat
        return None

    movers = sorted(
        (d for d in drafts if d.permanent_from), key=lambda d: d.permanent_from or today
    )
    for draft in movers:
        assert draft.permanent_from
        lean = 0.8 if draft.vulnerable else 0.35
        first, second = (SOHUSENE, ROSENHAVEN) if rng.random() < lean else (ROSENHAVEN, SOHUSENE)
        draft.permanent_flat = take(draft.permanent_from, (first, second, VACATED))
    away = [d for d in drafts if d.temporary_from]
    away.sort(key=lambda d: (d.stage == Stage.PACKING, d.temporary_from))
    for draft in away:
        assert draft.temporary_from
        draft.temporary_flat = take(draft.temporary_from, (ROSENHAVEN, SOHUSENE, VACATED))


# --- Saving -------------------------------------------------------------------------------------


def _drafts_save(
    rng: random.Random,
    drafts: list[_Draft],
    project: Project,
    *,
    caseworker: User,
    officer: User,
    today: date,
) -> None:
    households = Household.objects.bulk_create(draft.household for draft in drafts)
    for draft, household in zip(drafts, households, strict=True):
        for resident in draft.residents:
            resident.household = household
    Resident.objects.bulk_create(r for draft in drafts for r in draft.residents)

    cases: list[Case] = []
    changes: list[StageChange] = []
    assessments: list[VulnerabilityAssessment] = []
    opened: list[datetime] = []
    for draft in drafts:
        stamps = _timestamps(rng, draft.steps)
        case = Case(
            household=draft.household,
            project=project,
            stage=draft.stage,
            end_reason=draft.end_reason,
            stage_changed_at=stamps[-1],
            move_out_on=draft.move_out_on,
            temporary_flat=draft.temporary_flat,
            permanent_flat=draft.permanent_flat,
            closed_at=stamps[-1] if draft.stage == Stage.CLOSED else None,
        )
        if draft.stage in OPEN_STAGES:
            _next_step_plan(rng, case, draft, today=today)
        previous = ""
        for step, stamp in zip(draft.steps, stamps, strict=True):
            by = officer if step.stage in _LOGISTICS_STAGES else caseworker
            changes.append(
                StageChange(
                    case=case,
                    from_stage=previous,
                    to_stage=step.stage,
                    changed_by=by,
                    changed_at=stamp,
                    note=step.note,
                )
            )
            case.updated_by = by
            previous = step.stage
        cases.append(case)
        assessments += _assessments_for(rng, draft, stamps[0], by=caseworker, today=today)
        opened.append(stamps[0])

    Case.objects.bulk_create(cases)
    StageChange.objects.bulk_create(changes)
    VulnerabilityAssessment.objects.bulk_create(assessments)
    # Inserting stamps auto_now(_add) fields with the present; the past needs an update.
    for case, household, stamp in zip(cases, households, opened, strict=True):
        case.opened_at = case.updated_at = household.created_at = household.updated_at = stamp
    Case.objects.bulk_update(cases, ["opened_at", "updated_at"])
    Household.objects.bulk_update(households, ["created_at", "updated_at"])


def _timestamps(rng: random.Random, steps: list[_Step]) -> list[datetime]:
    stamps: list[datetime] = []
    for step in steps:
        moment = datetime.combine(step.day, time(rng.randint(8, 15), rng.choice((0, 15, 30, 45))))
        stamp = timezone.make_aware(moment)
        if stamps and stamp <= stamps[-1]:
            stamp = stamps[-1] + timedelta(minutes=rng.randint(5, 40))
        stamps.append(stamp)
    return stamps


def _next_step_plan(rng: random.Random, case: Case, draft: _Draft, *, today: date) -> None:
    if rng.random() < 0.2:
        return
    steps = _NEXT_STEPS[draft.stage]
    if draft.level == Level.PARTICULARLY and draft.stage in (
        Stage.IDENTIFIED,
        Stage.NOTIFIED,
        Stage.PACKING,
    ):
        steps = steps + _OUTREACH_STEPS
    case.next_step = rng.choice(steps)
    if draft.stage == Stage.PACKING and draft.temporary_from and not draft.temporary_flat:
        case.next_step = "Find genhusningsbolig"
    case.next_step_on = today + _days(rng, -7, 30)


def _assessments_for(
    rng: random.Random, draft: _Draft, opened_at: datetime, *, by: User, today: date
) -> list[VulnerabilityAssessment]:
    if not draft.assessed:
        return []
    days_open = (today - opened_at.date()).days
    assessed_at = opened_at + timedelta(days=rng.randint(1, max(1, min(60, days_open - 1))))
    latest = VulnerabilityAssessment(
        household=draft.household,
        level=draft.level,
        factors=draft.factors,
        note=draft.assessment_note,
        assessed_by=by,
        assessed_at=assessed_at,
    )
    # Some were first seen as less vulnerable; the newest assessment counts, the old one stays.
    if draft.level == Level.PARTICULARLY and days_open > 120 and rng.random() < 0.25:
        earlier = VulnerabilityAssessment(
            household=draft.household,
            level=Level.LESS,
            factors=[f for f in draft.factors if f in (Factor.ELDERLY, Factor.NOT_DIGITAL)]
            or [Factor.PHYSICALLY_LIMITED],
            assessed_by=by,
            assessed_at=assessed_at,
        )
        latest.assessed_at = assessed_at + timedelta(days=rng.randint(30, days_open - 61))
        return [earlier, latest]
    return [latest]


# --- Who is responsible for which cases ---------------------------------------------------------


def _assignments_sync(rng: random.Random, *, users: dict[str, User], today: date) -> None:
    """Direct assignments, once per person and organisation (notified: no e-mails are sent)."""
    vestegnen = Case.objects.filter(project__estate__organisation__name=VESTEGNEN)
    _assign(
        rng,
        users["sagsbehandler"],
        vestegnen.open().filter(project__estate=_estate(VESTEGNEN, VESTERGAARDEN)),
        how_many=60,
        by=users["leder"],
        today=today,
    )
    _assign(
        rng,
        users["sagsbehandler2"],
        vestegnen.open().filter(project__estate=_estate(VESTEGNEN, NORDPARKEN)),
        by=users["leder"],
        today=today,
    )
    _assign(
        rng,
        users["brobygger"],
        vestegnen.filter(stage__in=[Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP]),
        role=AssignmentRole.BRIDGE_BUILDER,
        by=users["leder"],
        today=today,
    )
    _assign(
        rng,
        users["fjordbo"],
        Case.objects.open().filter(project__estate__organisation__name=FJORDBO),
        by=None,
        today=today,
    )


def _assign(
    rng: random.Random,
    user: User,
    cases: CaseQuerySet,
    *,
    by: User | None,
    today: date,
    how_many: int | None = None,
    role: str = AssignmentRole.CASEWORKER,
) -> None:
    if CaseAssignment.objects.filter(user=user, case__in=cases).exists():
        return
    candidates = list(cases.with_vulnerability().order_by("pk"))
    if how_many is not None:
        weight = {Level.PARTICULARLY: 30.0, Level.LESS: 5.0, Level.NONE: 1.0}
        # Weighted sampling without replacement (Efraimidis-Spirakis); unassessed weigh 2.
        keyed = sorted(
            candidates,
            key=lambda case: rng.random() ** (1 / weight.get(case.vulnerability, 2.0)),  # type: ignore[attr-defined]
            reverse=True,
        )
        candidates = sorted(keyed[:how_many], key=lambda case: case.pk)
    now = timezone.now()
    assignments = []
    for case in candidates:
        assigned_at = max(case.opened_at, now - timedelta(days=rng.randint(3, 120)))
        if role == AssignmentRole.BRIDGE_BUILDER:
            assigned_at = case.stage_changed_at
        assignments.append(
            CaseAssignment(
                case=case,
                user=user,
                role=role,
                assigned_at=assigned_at,
                assigned_by=by,
                notified_at=assigned_at,
            )
        )
    CaseAssignment.objects.bulk_create(assignments)
    chosen = Case.objects.filter(pk__in=[case.pk for case in candidates])
    # guardian takes a queryset for bulk grants; its type hints only know single objects.
    assign_perm("cases.view_case", user, chosen)  # type: ignore[arg-type]
    assign_perm("cases.change_case", user, chosen)  # type: ignore[arg-type]


# --- Summary ------------------------------------------------------------------------------------


def demo_logins() -> tuple[DemoLogin, ...]:
    return tuple(
        DemoLogin(
            username=spec.username,
            password=DEMO_PASSWORD,
            full_name=f"{spec.first_name} {spec.last_name}",
            role=spec.role,
            sees=spec.sees,
        )
        for spec in _USERS
    )


def _summary(created: list[str]) -> DemoSummary:
    # Joins on a literal list of ids: nested IN-subqueries plan badly on freshly loaded tables.
    names = [VESTEGNEN, FJORDBO]
    estates = list(Estate.objects.filter(organisation__name__in=names).values_list("pk", flat=True))
    in_households = {"household__flat__stairwell__estate__in": estates}
    cases = Case.objects.filter(project__estate__in=estates)
    counts = {
        "organisationer": Organisation.objects.filter(name__in=names).count(),
        "afdelinger": len(estates),
        "opgange": Stairwell.objects.filter(estate__in=estates).count(),
        "boliger": Flat.objects.filter(stairwell__estate__in=estates).count(),
        "husstande": Household.objects.filter(flat__stairwell__estate__in=estates).count(),
        "beboere": Resident.objects.filter(**in_households).count(),
        "sårbarhedsvurderinger": VulnerabilityAssessment.objects.filter(**in_households).count(),
        "projekter": Project.objects.filter(estate__in=estates).count(),
        "sager": cases.count(),
        "faseskift": StageChange.objects.filter(case__project__estate__in=estates).count(),
        "tildelinger": CaseAssignment.objects.filter(case__project__estate__in=estates).count(),
    }
    by_stage = dict(cases.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    return DemoSummary(
        logins=demo_logins(),
        organisations_created=tuple(created),
        counts=counts,
        cases_by_stage={stage: by_stage.get(stage, 0) for stage in Stage.values},
    )


# --- Small helpers ------------------------------------------------------------------------------


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _weighted(rng: random.Random, choices: Sequence[tuple[_T, int]]) -> _T:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]
