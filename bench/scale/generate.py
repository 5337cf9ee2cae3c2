"""Fill the scale bench's database (gh_scale50k) to the size of a national provider.

    python -m bench.scale.generate [--reset]

8 organisations, 40 estates, 50,000 households, ~101,000 residents, ~58,700 cases, 1,000,000
contact-log rows, 1,000,000 access-log rows and 500 staff. Migrations run first; the rows then
go in with COPY (explicit ids, the sequences moved on at the end), so the whole fill takes a few
minutes and one core. Staff reach their cases through the grant tables the app itself reads
(guardian's per-object rows for `work_in_estate`, `staff_of_organisation` and
`manage_organisation`, and the role groups of core/roles.py): most caseworkers work on one to
three estates of their organisation, the managers lead it.

Not the test database: `--reset` drops and recreates gh_scale50k only. Without it, a database
that already holds organisations is left alone (the fill is skipped).
"""

import argparse
import datetime
import os
import random
import sys
import time

SCALE_DATABASE_URL = os.environ.get(
    "SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gh_scale50k"
)

# Households per organisation (sum 50,000): the first has the 10,000-row export, the second the
# organisation report of 8,000 households; the last estate holds the named 300-household project.
ORGANISATION_HOUSEHOLDS = [10_100, 8_000, 7_000, 6_500, 5_500, 5_000, 4_400, 3_500]
ESTATE_SHARES = [0.34, 0.26, 0.2, 0.12, 0.08]
SMALL_ESTATE_HOUSEHOLDS = 300
CONTACTS = 1_000_000
ACCESS_LOG = 1_000_000
STAFF_PER_ORGANISATION = [63, 63, 63, 63, 62, 62, 62, 62]  # 500
MANAGERS, REHOUSING_OFFICERS, BRIDGE_BUILDERS = 3, 6, 8
FLATS_PER_STAIRWELL = 8
EARLIER_PROJECT_SHARE = 0.174  # ~8,700 households had a case in an earlier, finished project

FIRST_NAMES = [
    "Jens",
    "Anne",
    "Peter",
    "Kirsten",
    "Lars",
    "Mette",
    "Henrik",
    "Hanne",
    "Søren",
    "Susanne",
    "Niels",
    "Lene",
    "Michael",
    "Inge",
    "Hans",
    "Karen",
    "Thomas",
    "Birgit",
    "Morten",
    "Marianne",
    "Ahmed",
    "Fatima",
    "Ali",
    "Aisha",
    "Mohammad",
    "Leila",
    "Omar",
    "Yasmin",
    "Ib",
    "Grethe",
    "Poul",
    "Bente",
    "Jørgen",
    "Lone",
    "Erik",
    "Tove",
    "Ole",
    "Dorthe",
    "Kim",
    "Pia",
    "Jan",
    "Rikke",
    "Per",
    "Camilla",
    "Bo",
    "Louise",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Hussein",
    "Ahmadi",
    "Yilmaz",
    "Khan",
    "Ali",
    "Haddad",
    "Nguyen",
    "Kowalski",
    "Østergaard",
    "Mikkelsen",
    "Frederiksen",
    "Lund",
    "Holm",
    "Schmidt",
    "Eriksen",
    "Knudsen",
    "Iversen",
    "Jakobsen",
    "Bach",
    "Dam",
]
STREET_PARTS = [
    "Ege",
    "Bøge",
    "Ask",
    "Hyld",
    "Elme",
    "Pile",
    "Lind",
    "Røn",
    "Tjørne",
    "Hassel",
    "Kastanje",
    "Gran",
    "Fyrre",
    "Birke",
    "Valnød",
    "Kløver",
    "Syren",
    "Rose",
    "Lavendel",
    "Timian",
    "Mynte",
    "Humle",
    "Vibe",
    "Lærke",
    "Stær",
    "Svale",
    "Mejse",
    "Ugle",
    "Ravne",
    "Måge",
    "Krage",
    "Spurve",
    "Falke",
    "Høge",
    "Ørne",
    "Tranebær",
    "Hvede",
    "Rug",
    "Byg",
    "Havre",
]
MUNICIPALITIES = [
    ("101", "København"),
    ("167", "Hvidovre"),
    ("151", "Ballerup"),
    ("751", "Aarhus"),
    ("851", "Aalborg"),
    ("461", "Odense"),
    ("561", "Esbjerg"),
    ("630", "Vejle"),
]
OPEN_STAGE_WEIGHTS = [
    ("identified", 24),
    ("notified", 24),
    ("packing", 14),
    ("temporary", 10),
    ("return_notified", 5),
    ("packing_return", 3),
    ("returned", 5),
    ("reestablished", 4),
    ("moved_permanently", 4),
    ("follow_up", 4),
    ("ended", 3),
]
CHANNEL_OUTCOMES = [
    ("door_knock", "no_answer", 30),
    ("door_knock", "note_left", 8),
    ("door_knock", "talked_at_door", 14),
    ("door_knock", "visit_inside", 6),
    ("phone", "talked", 14),
    ("phone", "no_answer", 10),
    ("sms", "sent", 6),
    ("letter", "sent", 4),
    ("email", "replied", 3),
    ("info_meeting", "talked", 3),
    ("phone", "appointment", 2),
    ("door_knock", "refused", 0.5),
    ("door_knock", "interpreter_needed", 0.4),
    ("door_knock", "safety_concern", 0.05),
]


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = SCALE_DATABASE_URL
    os.environ.setdefault("SECRET_KEY", "scale-bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale.settings")
    import django

    django.setup()


def _database_name() -> str:
    return SCALE_DATABASE_URL.rsplit("/", 1)[1].split("?")[0]


def _ensure_database(reset: bool) -> None:
    import psycopg

    name = _database_name()
    if not name.startswith("gh_scale"):
        sys.exit(f"refusing to touch {name!r}: the scale bench's database is named gh_scale…")
    admin_url = SCALE_DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _weighted(rng: random.Random, pairs, k: int) -> list:
    values = [pair[:-1] if len(pair) > 2 else pair[0] for pair in pairs]
    weights = [pair[-1] for pair in pairs]
    return rng.choices(values, weights=weights, k=k)


class Filler:
    def __init__(self, cursor, seed: int = 19) -> None:
        self.cursor = cursor
        self.rng = random.Random(seed)
        self.now = datetime.datetime.now(datetime.UTC)
        self.today = self.now.date()

    def copy(self, table: str, columns: list[str], rows) -> int:
        extra_columns, extra = self.model_defaults(table, columns)
        count = 0
        names = ", ".join(columns + extra_columns)
        with self.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row) + extra if extra else row)
                count += 1
        return count

    def model_defaults(self, table: str, columns: list[str]) -> tuple[list[str], tuple]:
        """The model's defaults for the NOT NULL columns this generator does not fill (fields
        added by later migrations: the database has no defaults, Django fills them)."""
        from django.apps import apps
        from django.db import connection

        for model in apps.get_models(include_auto_created=True):
            if model._meta.db_table == table:
                break
        else:
            return [], ()
        names, values = [], []
        for model_field in model._meta.concrete_fields:
            if (
                model_field.column in columns
                or model_field.null
                or model_field.primary_key
                or model_field.generated
            ):
                continue
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = self.now
            else:
                value = model_field.get_default()  # "" for text fields without a default
            if value is None:
                continue
            names.append(model_field.column)
            values.append(model_field.get_db_prep_save(value, connection))
        return names, tuple(values)

    def permission_id(self, app_label: str, codename: str) -> int:
        self.cursor.execute(
            "SELECT p.id FROM auth_permission p JOIN django_content_type c "
            "ON c.id = p.content_type_id WHERE c.app_label = %s AND p.codename = %s",
            [app_label, codename],
        )
        return self.cursor.fetchone()[0]

    def fill(self) -> None:
        rng, now, today = self.rng, self.now, self.today
        self.copy(
            "households_municipality",
            ["id", "code", "name"],
            [(n + 1, code, name) for n, (code, name) in enumerate(MUNICIPALITIES)],
        )
        self.copy(
            "households_organisation",
            ["id", "name", "waterbed_threshold"],
            [(n + 1, f"Boligorganisation {n + 1}", 5) for n in range(8)],
        )
        # Estates and their sizes.
        estate_sizes: list[int] = []
        estates = []
        for org in range(8):
            sizes = [round(ORGANISATION_HOUSEHOLDS[org] * share) for share in ESTATE_SHARES]
            if org == 7:
                sizes[-1] = SMALL_ESTATE_HOUSEHOLDS
            sizes[0] += ORGANISATION_HOUSEHOLDS[org] - sum(sizes)
            for n, size in enumerate(sizes):
                estate_id = len(estates) + 1
                estates.append(
                    (
                        estate_id,
                        str(100 + n),
                        f"{STREET_PARTS[estate_id - 1]}parken",
                        f"Bydel {estate_id % 12 + 1}",
                        org + 1,
                        org + 1,
                    )
                )
                estate_sizes.append(size)
        self.copy(
            "households_estate",
            ["id", "number", "name", "area", "municipality_id", "organisation_id"],
            estates,
        )
        # Stairwells, flats, households: each estate has its own street and postcode.
        stairwells, flats, households = [], [], []
        flat_estate: dict[int, int] = {}
        household_estate: list[int] = []  # index = household id - 1
        household_stairwell: list[int] = []
        estate_households: dict[int, list[int]] = {}
        estate_stairwells: dict[int, list[int]] = {}
        for estate_id, size in enumerate(estate_sizes, start=1):
            street = f"{STREET_PARTS[estate_id - 1]}vej"
            postcode = str(2000 + estate_id * 10)
            for n in range(size):
                if n % FLATS_PER_STAIRWELL == 0:
                    stairwell_id = len(stairwells) + 1
                    stairwells.append(
                        (
                            stairwell_id,
                            street,
                            n // FLATS_PER_STAIRWELL + 1,
                            "",
                            postcode,
                            MUNICIPALITIES[(estate_id - 1) // 5][1],
                            estate_id,
                        )
                    )
                    estate_stairwells.setdefault(estate_id, []).append(stairwell_id)
                flat_id = len(flats) + 1
                slot = n % FLATS_PER_STAIRWELL
                flats.append(
                    (
                        flat_id,
                        slot // 2,
                        ("tv", "th")[slot % 2],
                        rng.randint(1, 5),
                        rng.randint(35, 120),
                        stairwell_id,
                        f"{estate_id}-{n + 1}",
                    )
                )
                flat_estate[flat_id] = estate_id
                household_id = flat_id
                moved_in = today - datetime.timedelta(days=rng.randint(30, 40 * 365))
                note = "Har brug for hjælp til pakning." if rng.random() < 0.05 else ""
                households.append((household_id, moved_in, note, 1, now, now, flat_id))
                household_estate.append(estate_id)
                household_stairwell.append(stairwell_id)
                estate_households.setdefault(estate_id, []).append(household_id)
        self.copy(
            "households_stairwell",
            ["id", "street", "number", "letter", "postcode", "city", "estate_id"],
            stairwells,
        )
        self.copy(
            "households_flat",
            ["id", "floor", "door", "rooms", "area_m2", "stairwell_id", "tenancy_number"],
            flats,
        )
        self.copy(
            "households_household",
            ["id", "moved_in_on", "social_note", "version", "created_at", "updated_at", "flat_id"],
            households,
        )

        def residents():
            resident_id = 0
            for household_id in range(1, len(households) + 1):
                count = rng.choices((1, 2, 3, 4), weights=(35, 35, 22, 8))[0]
                last = rng.choice(LAST_NAMES)
                for n in range(count):
                    resident_id += 1
                    adult = n < 2
                    yield (
                        resident_id,
                        rng.choice(FIRST_NAMES),
                        last,
                        rng.randint(1935, 2000) if adult else rng.randint(2005, 2022),
                        f"{rng.randint(20000000, 99999999)}" if adult else "",
                        "",
                        "" if rng.random() < 0.85 else rng.choice(("arabisk", "tyrkisk", "somali")),
                        rng.random() < 0.05,
                        rng.random() < 0.8,
                        n == 0,
                        1,
                        household_id,
                    )

        resident_count = self.copy(
            "households_resident",
            [
                "id",
                "first_name",
                "last_name",
                "birth_year",
                "phone",
                "email",
                "language",
                "interpreter_needed",
                "digital",
                "is_contact_person",
                "version",
                "household_id",
            ],
            residents(),
        )
        levels = _weighted(rng, [("none", 60), ("less", 30), ("particularly", 10)], len(households))
        self.copy(
            "households_vulnerabilityassessment",
            ["id", "level", "factors", "note", "assessed_at", "household_id"],
            (
                (
                    n + 1,
                    level,
                    "{not_digital}" if level != "none" and n % 2 else "{}",
                    "",
                    now - datetime.timedelta(days=rng.randint(1, 400)),
                    n + 1,
                )
                for n, level in enumerate(levels)
            ),
        )

        # Staff: users, role groups, grants through guardian's tables.
        self.cursor.execute("SELECT name, id FROM auth_group")
        groups = dict(self.cursor.fetchall())
        work_in_estate = self.permission_id("households", "work_in_estate")
        staff_of_org = self.permission_id("households", "staff_of_organisation")
        manage_org = self.permission_id("households", "manage_organisation")
        users, memberships, estate_grants, org_grants = [], [], [], []
        caseworkers_of_estate: dict[int, list[int]] = {}
        bridge_builders_of_estate: dict[int, list[int]] = {}
        for org in range(8):
            org_estates = [e[0] for e in estates if e[5] == org + 1]
            count = STAFF_PER_ORGANISATION[org]
            roles = (
                ["manager"] * MANAGERS
                + ["rehousing_officer"] * REHOUSING_OFFICERS
                + ["bridge_builder"] * BRIDGE_BUILDERS
            )
            roles += ["caseworker"] * (count - len(roles))
            numbers: dict[str, int] = {}
            for role in roles:
                numbers[role] = numbers.get(role, 0) + 1
                user_id = len(users) + 1
                username = f"o{org + 1}-{role.replace('_', '-')}-{numbers[role]}"
                users.append(
                    (
                        user_id,
                        "!",
                        False,
                        username,
                        rng.choice(FIRST_NAMES),
                        rng.choice(LAST_NAMES),
                        f"{username}@example.dk",
                        False,
                        True,
                        now,
                    )
                )
                memberships.append((len(memberships) + 1, user_id, groups[role]))
                org_grants.append((len(org_grants) + 1, org + 1, staff_of_org, user_id))
                if role == "manager":
                    org_grants.append((len(org_grants) + 1, org + 1, manage_org, user_id))
                    continue
                if role == "caseworker" and numbers[role] <= len(org_estates):
                    # Every estate has caseworkers; the first of each organisation has two.
                    chosen = [org_estates[numbers[role] - 1]]
                    if numbers[role] == 1:
                        chosen.append(org_estates[1])
                else:
                    chosen = rng.sample(org_estates, rng.choices((1, 2, 3), (50, 35, 15))[0])
                for estate_id in chosen:
                    estate_grants.append(
                        (len(estate_grants) + 1, estate_id, work_in_estate, user_id)
                    )
                    if role == "caseworker":
                        caseworkers_of_estate.setdefault(estate_id, []).append(user_id)
                    elif role == "bridge_builder":
                        bridge_builders_of_estate.setdefault(estate_id, []).append(user_id)
        self.copy(
            "auth_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            users,
        )
        self.copy("auth_user_groups", ["id", "user_id", "group_id"], memberships)
        self.copy(
            "households_estateuserobjectpermission",
            ["id", "content_object_id", "permission_id", "user_id"],
            estate_grants,
        )
        self.copy(
            "households_organisationuserobjectpermission",
            ["id", "content_object_id", "permission_id", "user_id"],
            org_grants,
        )

        # Projects: one current project per estate (every household has a case in it), and an
        # earlier, finished one on half the estates.
        projects = []
        current_project: dict[int, int] = {}
        earlier_project: dict[int, int] = {}
        for estate_id, name, *_rest in estates:
            project_id = len(projects) + 1
            kind = ("renovation", "transformation", "renovation", "demolition")[estate_id % 4]
            projects.append(
                (
                    project_id,
                    f"Helhedsplan {name}",
                    kind,
                    today - datetime.timedelta(days=300),
                    today + datetime.timedelta(days=700),
                    "",
                    estate_id,
                    2,
                )
            )
            current_project[estate_id] = project_id
            if estate_id % 2 == 0:
                project_id = len(projects) + 1
                projects.append(
                    (
                        project_id,
                        f"Tagudskiftning {name}",
                        "renovation",
                        today - datetime.timedelta(days=1500),
                        today - datetime.timedelta(days=900),
                        "",
                        estate_id,
                        2,
                    )
                )
                earlier_project[estate_id] = project_id
        self.copy(
            "cases_project",
            [
                "id",
                "name",
                "kind",
                "starts_on",
                "ends_on",
                "description",
                "estate_id",
                "required_offers",
            ],
            projects,
        )
        schedules = []
        for estate_id, project_id in current_project.items():
            for n, stairwell_id in enumerate(estate_stairwells[estate_id]):
                notice = today + datetime.timedelta(days=n % 200 - 60)
                schedules.append(
                    (
                        len(schedules) + 1,
                        notice,
                        notice + datetime.timedelta(days=60),
                        notice + datetime.timedelta(days=90),
                        notice + datetime.timedelta(days=270),
                        project_id,
                        stairwell_id,
                    )
                )
        self.copy(
            "cases_stairwellschedule",
            [
                "id",
                "notice_on",
                "packing_on",
                "move_out_on",
                "return_on",
                "project_id",
                "stairwell_id",
            ],
            schedules,
        )

        # Cases: every household in its estate's current project, ~17 % also in an earlier one.
        cases, stage_changes, assignments = [], [], []
        case_staff: list[int] = []  # index = case id - 1: the caseworker
        case_household: list[int] = []
        stages = _weighted(rng, OPEN_STAGE_WEIGHTS, len(households))
        all_flats = len(flats)
        earlier_estates = sorted(earlier_project)
        earlier_candidates = [h for e in earlier_estates for h in estate_households[e]]
        earlier_households = set(
            rng.sample(earlier_candidates, round(len(households) * EARLIER_PROJECT_SHARE))
        )

        def add_case(household_id: int, project_id: int, stage: str, estate_id: int) -> None:
            case_id = len(cases) + 1
            opened = now - datetime.timedelta(days=rng.randint(5, 300))
            end_reason = ""
            closed_at = None
            if stage == "ended":
                end_reason = rng.choice(("left_on_own", "evicted", "deceased"))
            if stage == "closed":
                end_reason = ""
                closed_at = opened + datetime.timedelta(days=200)
            next_step_on = (
                today + datetime.timedelta(days=rng.randint(-30, 90))
                if stage not in ("ended", "closed") and rng.random() < 0.7
                else None
            )
            temporary = (
                rng.randint(1, all_flats)
                if stage in ("temporary", "return_notified", "packing_return")
                else None
            )
            permanent = (
                rng.randint(1, all_flats) if stage in ("moved_permanently", "follow_up") else None
            )
            cases.append(
                (
                    case_id,
                    stage,
                    end_reason,
                    opened + datetime.timedelta(days=3),
                    "Ring og aftal besøg" if next_step_on else "",
                    next_step_on,
                    None,
                    None,
                    opened,
                    closed_at,
                    now,
                    1,
                    household_id,
                    permanent,
                    temporary,
                    project_id,
                )
            )
            case_household.append(household_id)
            stage_changes.append((len(stage_changes) + 1, "", "identified", opened, "", case_id))
            if stage != "identified":
                stage_changes.append(
                    (
                        len(stage_changes) + 1,
                        "identified",
                        stage,
                        opened + datetime.timedelta(days=3),
                        "",
                        case_id,
                    )
                )
            caseworker = rng.choice(caseworkers_of_estate[estate_id])
            case_staff.append(caseworker)
            assignments.append(
                (len(assignments) + 1, "caseworker", opened, now, case_id, caseworker)
            )
            builders = bridge_builders_of_estate.get(estate_id)
            if builders and rng.random() < 0.15:
                assignments.append(
                    (
                        len(assignments) + 1,
                        "bridge_builder",
                        opened,
                        now,
                        case_id,
                        rng.choice(builders),
                    )
                )

        for household_id in range(1, len(households) + 1):
            estate_id = household_estate[household_id - 1]
            if household_id in earlier_households:
                add_case(household_id, earlier_project[estate_id], "closed", estate_id)
            add_case(household_id, current_project[estate_id], stages[household_id - 1], estate_id)
        self.copy(
            "cases_case",
            [
                "id",
                "stage",
                "end_reason",
                "stage_changed_at",
                "next_step",
                "next_step_on",
                "move_out_on",
                "return_on",
                "opened_at",
                "closed_at",
                "updated_at",
                "version",
                "household_id",
                "permanent_flat_id",
                "temporary_flat_id",
                "project_id",
            ],
            cases,
        )
        self.copy(
            "cases_stagechange",
            ["id", "from_stage", "to_stage", "changed_at", "note", "case_id"],
            stage_changes,
        )
        self.copy(
            "cases_caseassignment",
            ["id", "role", "assigned_at", "notified_at", "case_id", "user_id"],
            assignments,
        )

        # Information meetings: three per current project (two held, one to come), every
        # stairwell invited; about a third came.
        meetings, meeting_stairwells, invitations = [], [], []
        for estate_id, project_id in current_project.items():
            for days in (-120, -30, 20):
                meeting_id = len(meetings) + 1
                held = now + datetime.timedelta(days=days)
                meetings.append(
                    (
                        meeting_id,
                        held,
                        "Beboerhuset",
                        "Informationsmøde om helhedsplanen",
                        project_id,
                    )
                )
                for stairwell_id in estate_stairwells[estate_id]:
                    meeting_stairwells.append(
                        (len(meeting_stairwells) + 1, meeting_id, stairwell_id)
                    )
                for household_id in estate_households[estate_id]:
                    attended = days < 0 and rng.random() < 0.35
                    invitations.append(
                        (
                            len(invitations) + 1,
                            True,
                            "letter",
                            (held - datetime.timedelta(days=21)).date(),
                            attended,
                            held if attended else None,
                            household_id,
                            meeting_id,
                        )
                    )
        self.copy(
            "outreach_meeting",
            ["id", "held_at", "place", "topic", "project_id"],
            meetings,
        )
        self.copy(
            "outreach_meeting_stairwells", ["id", "meeting_id", "stairwell_id"], meeting_stairwells
        )
        self.copy(
            "outreach_invitation",
            [
                "id",
                "invited",
                "sent_via",
                "sent_on",
                "attended",
                "attendance_recorded_at",
                "household_id",
                "meeting_id",
            ],
            invitations,
        )

        # The contact log: a million entries over two years, by the case's caseworker.
        combos = _weighted(rng, CHANNEL_OUTCOMES, CONTACTS)
        case_count = len(cases)

        def contacts():
            for n in range(CONTACTS):
                case_index = rng.randrange(case_count)
                channel, outcome = combos[n]
                at = now - datetime.timedelta(seconds=rng.randint(3600, 2 * 365 * 86400))
                yield (
                    n + 1,
                    at,
                    channel,
                    outcome,
                    "",
                    "Snakkede om genhusningen" if n % 3 else "",
                    "{}",
                    "",
                    "{}",
                    "",
                    None,
                    at,
                    case_index + 1,
                    case_household[case_index],
                    case_staff[case_index],
                )

        self.copy(
            "outreach_contact",
            [
                "id",
                "occurred_at",
                "channel",
                "outcome",
                "met",
                "note",
                "observations",
                "observation_note",
                "help_topics",
                "next_step",
                "next_step_on",
                "created_at",
                "case_id",
                "household_id",
                "staff_id",
            ],
            contacts(),
        )

        # The access log: a million rows over a year; one in ten a login (no household).
        usernames = {u[0]: u[3] for u in users}

        def access_log():
            for n in range(ACCESS_LOG):
                at = now - datetime.timedelta(seconds=n * 31 + rng.randint(0, 30))
                case_index = rng.randrange(case_count)
                user_id = case_staff[case_index]
                if n % 10 == 0:
                    yield (
                        n + 1,
                        at,
                        usernames[user_id],
                        "login",
                        "log in",
                        "/konto/login/",
                        "10.0.0.1",
                        None,
                        None,
                        user_id,
                    )
                else:
                    household_id = case_household[case_index]
                    yield (
                        n + 1,
                        at,
                        usernames[user_id],
                        "view",
                        "household page",
                        f"/husstande/{household_id}/",
                        "10.0.0.1",
                        household_id,
                        None,
                        user_id,
                    )

        self.copy(
            "households_accesslog",
            [
                "id",
                "at",
                "username",
                "action",
                "what",
                "path",
                "ip",
                "household_id",
                "resident_id",
                "user_id",
            ],
            access_log(),
        )
        self.counts = {
            "organisations": 8,
            "estates": len(estates),
            "households": len(households),
            "residents": resident_count,
            "cases": len(cases),
            "contacts": CONTACTS,
            "access log": ACCESS_LOG,
            "staff": len(users),
        }

    def finish(self) -> None:
        """Move every identity sequence past the explicit ids, then ANALYZE."""
        self.cursor.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND a.attidentity <> '' AND c.relkind = 'r'"
        )
        for table, column in self.cursor.fetchall():
            # The catalogue's own table and column names.
            sql = f'SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT COALESCE(max("{column}"), 0) + 1 FROM "{table}"), false)'  # noqa: E501, S608
            self.cursor.execute(sql, [table, column])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reset", action="store_true", help="drop and recreate gh_scale50k")
    args = parser.parse_args()
    _ensure_database(args.reset)
    _setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from households.models import Organisation
    from households.services import roles_sync

    start = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    roles_sync()
    if Organisation.objects.exists():
        print(f"{_database_name()} already holds data; left alone (--reset to start over)")
        return
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            filler = Filler(cursor)
            filler.fill()
            filler.finish()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"{_database_name()} filled in {time.perf_counter() - start:.0f} s: "
        + ", ".join(f"{value:,} {key}" for key, value in filler.counts.items())
    )


if __name__ == "__main__":
    main()
