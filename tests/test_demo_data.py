"""The demo data: the seeds' sizes, a valid history for every case, logins that work, and a
second load that changes nothing."""

from collections import defaultdict
from io import StringIO
from itertools import pairwise

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseAssignment, Project, StageChange, StairwellSchedule
from cases.stages import OPEN_STAGES, Stage, is_allowed
from core.roles import Role
from demo.accounts import DEMO_TOTP_SECRET, demo_totp_code
from demo.data import DEMO_PASSWORD, demo_logins
from households.models import Estate, Flat, Household, Organisation, Resident, Stairwell

VESTEGNEN = "Boligselskabet Vestegnen"
FJORDBO = "Fjordbo Boligforening"

EXPECTED_GROUPS = {
    "sagsbehandler": [Role.CASEWORKER],
    "sagsbehandler2": [Role.CASEWORKER],
    "brobygger": [Role.BRIDGE_BUILDER],
    "genhusning": [Role.REHOUSING_OFFICER],
    "leder": [Role.MANAGER],
    "visitator": [Role.VISITATOR],
    "vicevaert": [Role.CARETAKER],
    "fjordbo": [Role.CASEWORKER],
    "admin": [],
}


@pytest.fixture(autouse=True)
def _development(settings):
    # The command refuses a database that does not look like development; the test one is.
    settings.DEBUG = True


def _load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def _estate_a() -> Estate:
    return Estate.objects.get(organisation__name=VESTEGNEN, name="Vestergården")


def _row_counts() -> dict[str, int]:
    models = [
        model
        for app_label in ("households", "cases", "auth", "guardian")
        for model in apps.get_app_config(app_label).get_models()
    ]
    return {model._meta.label: model.objects.count() for model in models}


def _fingerprint() -> dict[str, list]:
    return {
        "users": list(User.objects.order_by("username").values_list("username", "password")),
        "cases": list(
            Case.objects.order_by("pk").values_list(
                "pk", "stage", "stage_changed_at", "next_step", "next_step_on", "temporary_flat"
            )
        ),
        "assignments": list(
            CaseAssignment.objects.order_by("pk").values_list("case", "user", "assigned_at")
        ),
    }


@pytest.mark.django_db
def test_it_builds_an_estate_of_the_seeds_size_with_cases_in_every_stage(demo_data):

    estate = _estate_a()
    households = Household.objects.filter(flat__stairwell__estate=estate)
    assert Stairwell.objects.filter(estate=estate).count() == 12
    assert 290 <= Flat.objects.filter(stairwell__estate=estate).count() <= 320
    assert 700 <= Resident.objects.filter(household__in=households).count() <= 900
    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)

    project = Project.objects.get(estate=estate)
    assert not households.current().exclude(cases__project=project).exists()
    assert Organisation.objects.filter(name__in=[VESTEGNEN, FJORDBO]).count() == 2


@pytest.mark.django_db
def test_it_changes_nothing_the_second_time(demo_data):
    counts, fingerprint = _row_counts(), _fingerprint()

    output = _load()

    assert _row_counts() == counts
    assert _fingerprint() == fingerprint
    assert "nothing new" in output


@pytest.mark.django_db
def test_every_printed_login_works_and_has_its_role(client, settings, demo_data):
    output = demo_data.output

    assert f"{settings.SITE_URL}/" in output
    assert DEMO_PASSWORD in output
    assert {login.username for login in demo_logins()} == set(EXPECTED_GROUPS)
    for username, groups in EXPECTED_GROUPS.items():
        assert username in output
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == groups
        assert user.is_superuser == (username == "admin")
        demo_login(client, username)
        assert client.get(reverse("home")).status_code in (200, 302), username
        assert "/konto/" not in client.get(reverse("home")).get("Location", ""), username
        client.post(reverse("logout"))
    assert DEMO_TOTP_SECRET in output


def demo_login(client, username: str) -> None:
    """As the README says: the demo password, then the code of the published demo key."""
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    response = client.post(reverse("accounts:otp_verify"), {"code": demo_totp_code()})
    assert response.status_code == 302, username
    assert response["Location"] == reverse("home"), username


def test_it_prints_the_code_command_with_the_virtual_environments_python(monkeypatch, tmp_path):
    from demo.management.commands.load_demo_data import this_python

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.executable", str(tmp_path / ".venv" / "bin" / "python"))
    assert this_python() == ".venv/bin/python"  # as make demo runs it, and the README says
    monkeypatch.setattr("sys.executable", "/usr/local/bin/python")
    assert this_python() == "python"


@pytest.mark.django_db
def test_the_caseload_renders_for_the_caseworker(client, demo_data):
    demo_login(client, "sagsbehandler")

    response = client.get(reverse("cases:caseload"))

    assert response.status_code == 200


@pytest.mark.django_db
def test_every_case_has_walked_the_stage_machine_to_its_stage(demo_data):
    now = timezone.now()
    chains = defaultdict(list)
    for change in StageChange.objects.order_by("changed_at", "pk"):
        chains[change.case_id].append(change)

    cases = list(Case.objects.all())
    assert cases
    for case in cases:
        chain = chains[case.pk]
        assert (chain[0].from_stage, chain[0].to_stage) == ("", Stage.IDENTIFIED)
        for earlier, later in pairwise(chain):
            assert later.from_stage == earlier.to_stage, case
            assert is_allowed(later.from_stage, later.to_stage), case
        assert chain[-1].to_stage == case.stage
        assert chain[-1].changed_at == case.stage_changed_at < now
        assert (case.closed_at == case.stage_changed_at) == (case.stage == Stage.CLOSED)
        ended = any(change.to_stage == Stage.ENDED for change in chain)
        assert bool(case.end_reason) == ended


@pytest.mark.django_db
def test_no_flat_houses_two_open_cases_or_a_current_household(demo_data):
    open_cases = Case.objects.filter(stage__in=OPEN_STAGES)

    shared = (
        open_cases.exclude(temporary_flat=None)
        .values("temporary_flat")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not shared.exists()
    temporary = set(open_cases.values_list("temporary_flat", flat=True)) - {None}
    permanent = set(Case.objects.values_list("permanent_flat", flat=True)) - {None}
    lived_in = set(Household.objects.current().values_list("flat", flat=True))
    assert temporary
    assert not temporary & permanent
    assert not (temporary | permanent) & lived_in
    for schedule in StairwellSchedule.objects.all():
        dates = [schedule.notice_on, schedule.packing_on, schedule.move_out_on, schedule.return_on]
        present = [day for day in dates if day]
        assert present == sorted(present)


@pytest.mark.django_db
def test_the_caseworker_sees_her_estate_and_nothing_of_fjordbo(demo_data):
    caseworker = User.objects.get(username="sagsbehandler")
    estate = _estate_a()

    visible = Case.objects.for_user(caseworker)

    assert visible.filter(project__estate=estate).count() == estate.projects.get().cases.count()
    assert not visible.filter(project__estate__organisation__name=FJORDBO).exists()
    fjordbo_visible = Case.objects.for_user(User.objects.get(username="fjordbo"))
    assert fjordbo_visible.exists()
    assert not fjordbo_visible.filter(project__estate__organisation__name=VESTEGNEN).exists()


@pytest.mark.django_db
def test_the_caseworker_is_assigned_mostly_vulnerable_open_cases(demo_data):
    caseworker = User.objects.get(username="sagsbehandler")

    open_cases = list(Case.objects.filter(project__estate=_estate_a()).open().with_vulnerability())
    mine = {case.pk for case in Case.objects.filter(assignments__user=caseworker)}

    assert len(mine) == 60
    assert mine <= {case.pk for case in open_cases}
    assigned = [case for case in open_cases if case.pk in mine]
    assert all(caseworker.has_perm("cases.change_case", case) for case in assigned)
    assert not CaseAssignment.objects.filter(notified_at=None).exists()
    vulnerable = {case.pk for case in open_cases if case.vulnerability in ("less", "particularly")}
    others = len(open_cases) - len(mine)
    assert len(mine & vulnerable) / len(mine) > 2 * len(vulnerable - mine) / others


@pytest.mark.django_db
def test_it_refuses_a_database_that_is_not_for_development(settings):
    settings.DEBUG = False
    settings.EMBEDDED_DATABASE = False

    with pytest.raises(CommandError):
        call_command("load_demo_data", stdout=StringIO())

    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_it_builds_a_pool_a_little_too_small_with_offers_moves_and_a_full_area(demo_data):
    from cases.logistics.models import Move, MoveStatus, Offer, OfferStatus, PoolFlat
    from cases.logistics.selectors import matching_board
    from cases.logistics.waterbed import waterbed_for
    from outreach.models import Flag, FlagKind

    vestegnen = Organisation.objects.get(name=VESTEGNEN)
    today = timezone.localdate()
    for name in ("Helhedsplan Vestergården", "Omdannelse af Nordparken"):
        board = matching_board(project=Project.objects.get(name=name), today=today, page_number=1)
        assert board.waiting_soon > board.shortfall > 0, name  # the real puzzle: a few too few
        assert any(row.matches for row in board.rows), name
    assert PoolFlat.objects.filter(organisation=vestegnen).count() > 50
    assert PoolFlat.objects.exclude(flat__stairwell__estate__organisation=vestegnen).exists()
    statuses = set(Offer.objects.values_list("status", flat=True))
    assert {OfferStatus.REFUSED, OfferStatus.ACCEPTED, OfferStatus.PENDING} <= statuses
    assert Move.objects.filter(status=MoveStatus.PLANNED, moves_on__gte=today).exists()
    assert Move.objects.filter(status=MoveStatus.DONE).exists()
    waterbed = waterbed_for(organisation=vestegnen)
    assert any(waterbed.counts[area] > waterbed.threshold for area in waterbed.full_areas)
    overdue = Flag.objects.filter(kind=FlagKind.NO_REPLY, resolved_at__isnull=True)
    assert overdue.filter(reason__icontains="tilbud").exists()


@pytest.mark.django_db
def test_each_project_affects_the_stairwells_of_its_schedule(client, demo_data):
    for project in Project.objects.all():
        scheduled = set(
            StairwellSchedule.objects.filter(project=project).values_list("stairwell", flat=True)
        )
        assert scheduled, project.name
        assert set(project.stairwells.values_list("pk", flat=True)) == scheduled, project.name

    demo_login(client, "leder")
    project = Project.objects.get(name="Helhedsplan Vestergården")
    distribute = client.get(reverse("cases:distribute", args=[project.pk]))
    assert len(list(distribute.context["form"].bound_rows())) == 12
    schedule = client.get(reverse("cases:schedule", args=[project.pk]))
    assert "Kløvermarken 5C" in schedule.content.decode()


@pytest.mark.django_db
def test_it_builds_rents_a_budget_expenses_and_sent_letters(client, demo_data):
    from cases.economy.models import BudgetLine, Expense
    from cases.economy.rents import project_empty_days, project_rent_difference
    from cases.logistics.models import PoolFlat
    from outreach.letters.models import Letter, LetterBatch, LetterBatchStatus

    manager = User.objects.get(username="leder")
    project = Project.objects.get(name="Helhedsplan Vestergården")
    flats = Flat.objects.filter(stairwell__estate__organisation__name=VESTEGNEN)
    assert not flats.filter(net_rent__isnull=True).exists()
    assert not flats.exclude(net_rent__range=(4500, 9500), aconto__range=(500, 1100)).exists()
    assert PoolFlat.objects.filter(project_rent__isnull=False).exists()
    assert project_rent_difference(project) > 0
    assert project_empty_days(project)
    assert BudgetLine.objects.filter(project=project).count() >= 5
    permanent = Project.objects.get(name="Omdannelse af Nordparken")  # moves out for good
    home_and_stays = ["movers_home", "rent_difference", "empty_days"]
    assert BudgetLine.objects.filter(project=project, category__in=home_and_stays).count() == 3
    assert not permanent.expects_return
    assert not BudgetLine.objects.filter(project=permanent, category__in=home_and_stays).exists()
    assert BudgetLine.objects.filter(project=permanent, category="movers_out").exists()
    expenses = Expense.objects.filter(case__project__estate__organisation__name=VESTEGNEN)
    assert 15 <= expenses.count() <= 30
    assert expenses.approved().filter(approved_by=manager).exists()
    for name in ("Helhedsplan Vestergården", "Omdannelse af Nordparken"):
        assert expenses.approved().filter(case__project__name=name).exists(), name
    assert expenses.awaiting_approval().exists()
    assert expenses.filter(corrects__isnull=False).exists()
    assert expenses.filter(storage_until__isnull=False).exists()
    batch = LetterBatch.objects.get(project=project)
    assert batch.status == LetterBatchStatus.DONE and batch.stairwell_id
    assert batch.letters.exists() and not batch.letters.filter(sent_on__isnull=True).exists()
    offer_letter = Letter.objects.get(offer__isnull=False)
    assert offer_letter.sent_on and offer_letter.awaited_reply == offer_letter.offer.awaited_reply
    # One sending, one day: the letter's, the offer's and that of the letter awaiting its reply.
    assert offer_letter.sent_on == offer_letter.offer.sent_on == offer_letter.awaited_reply.sent_on

    demo_login(client, "leder")
    assert client.get(reverse("economy:budget", args=[project.pk])).status_code == 200
    approvals = client.get(reverse("economy:approvals"))
    assert approvals.status_code == 200
    assert approvals.context["page"].object_list
    household = client.get(reverse("households:detail", args=[offer_letter.household_id]))
    assert household.status_code == 200
