"""A rehousing officer matches three households to flats from the board; one offer is refused,
a second accepted and the move planned; the case page then shows the new temporary address."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.logistics.models import Offer, OfferStatus
from cases.models import Case
from cases.stages import Stage
from households.models import Organisation
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def both_widths(page, name: str) -> None:
    """Screenshots at 1280 and 375 px, then back to the desktop."""
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def puzzle(cast):
    """Agnete and two neighbours move out in three weeks; the pool has four flats."""
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    move_out = timezone.localdate() + timedelta(days=21)
    factories.make_schedule(
        project, stairwell, move_out_on=move_out, return_on=move_out + timedelta(days=100)
    )
    Case.objects.filter(pk=cast.case_a1.pk).update(stage=Stage.NOTIFIED)
    neighbours = [
        factories.make_case(
            project,
            factories.make_household(factories.make_flat(stairwell, 2, door), name),
            stage=Stage.NOTIFIED,
        )
        for door, name in (("tv", "Bent Nabosen"), ("th", "Dorte Genbo"))
    ]
    organisation = Organisation.objects.get(name="Boligselskabet A")
    rosenhaven = factories.make_estate(organisation, "Rosenhaven")
    for number, rent in ((2, 5200), (4, 5400), (6, 5900), (8, 6100)):
        flat = factories.make_flat(factories.make_stairwell(rosenhaven, "Rosenvej", number), 0)
        factories.make_pool_flat(organisation, flat, rent=rent, available_from=date(2020, 1, 1))
    return [cast.case_a1, *neighbours]


def test_an_officer_matches_three_households_and_plans_a_move(desktop, cast, puzzle):
    page = desktop
    agnete = puzzle[0]
    log_in(page, cast.rehousing_officer_a1.username)

    page.goto(f"/projekter/{agnete.project_id}/")
    page.get_by_role("button", name="Match husstande og boliger").click()
    page.wait_for_url("**/matchning/")
    assert "3 husstande venter på et tilbud" in page.locator(".puzzle").inner_text()
    both_widths(page, "rehousing-board")

    # Three one-click offers: htmx swaps the board each time, without a page load.
    page.evaluate("window.__marker = 1")
    for case in puzzle:
        row = page.locator(f"#case-{case.pk}")
        row.locator(".suggestion").first.get_by_role("button", name="Tilbyd").click()
        page.locator(f"#case-{case.pk} .offered").wait_for()
    assert page.evaluate("window.__marker") == 1
    assert Offer.objects.filter(status=OfferStatus.PENDING).count() == 3
    assert len(set(Offer.objects.values_list("pool_flat", flat=True))) == 3  # no flat twice
    assert "reserveret og tilbudt" in page.get_by_role("status").first.inner_text()
    both_widths(page, "rehousing-board-offered")

    # Agnete says no (too far from her daughter), and takes the fourth flat instead.
    page.locator(f"#case-{agnete.pk} .offered a").click()
    page.wait_for_url(f"**/sager/{agnete.pk}/genhusning/#offers")
    page.get_by_text("Registrér svaret").click()
    page.locator("input[name=status][value=refused]").check()
    page.get_by_label("Begrundelse for afslag").select_option("location")
    page.get_by_role("button", name="Gem svaret").click()
    page.locator(".offer-refused").wait_for()
    assert "1 afslået" in page.locator(".offer-count").inner_text()

    page.get_by_role("button", name="Find passende boliger").click()
    page.wait_for_url("**/genhusning/boliger/")
    both_widths(page, "rehousing-ranked-list")
    first = page.locator(".ranked-flat").first
    # The others are reserved, and a flat she said no to is not suggested again.
    assert page.locator(".ranked-flat").count() == 1 and "Rosenvej 8" in first.inner_text()
    first.get_by_text("Tilbyd denne bolig").click()
    first.get_by_role("button", name="Reservér og tilbyd").click()
    page.wait_for_url(f"**/sager/{agnete.pk}/genhusning/")
    page.locator(".offer-pending").get_by_text("Registrér svaret").click()
    page.locator(".offer-pending input[name=status][value=accepted]").check()
    page.locator(".offer-pending").get_by_role("button", name="Gem svaret").click()
    page.locator(".offer-accepted", has_text="Rosenvej 8").wait_for()

    # The move: on the move-out day, movers booked and paid by the project.
    page.get_by_text("Planlæg en flytning").click()
    page.get_by_label("Flyttefirma").fill("Flyttefirmaet Hvidovre ApS")
    page.get_by_label("Flyttefolk bestilt").check()
    page.get_by_role("button", name="Planlæg flytningen").click()
    page.locator(".move-planned").wait_for()
    assert "Flyttefirmaet Hvidovre ApS" in page.locator(".move-planned").inner_text()
    both_widths(page, "rehousing-offers-and-moves")

    page.get_by_role("link", name="Agnete Markørsen").first.click()
    page.wait_for_url(f"**/sager/{agnete.pk}/")
    rehousing = page.locator("#rehousing").inner_text()
    assert "Næste flytning" in rehousing and "Rosenvej 8" in rehousing
    assert "Rosenvej 8" in page.locator(".case-side").inner_text()  # the temporary flat
    both_widths(page, "rehousing-case-page")

    case = Case.objects.get(pk=agnete.pk)
    assert str(case.temporary_flat.stairwell) == "Rosenvej 8"

    moves_on = timezone.localdate() + timedelta(days=21)
    page.goto(f"/projekter/{agnete.project_id}/flytninger/?uge={moves_on}")
    assert "Flyttefirmaet Hvidovre ApS" in page.locator(".week-moves").inner_text()
    both_widths(page, "rehousing-week")
    page.emulate_media(media="print")
    screenshot(page, "rehousing-week-print")
    page.emulate_media(media="screen")

    page.goto("/genhusningsboliger/")
    assert "Rosenvej 8" in page.locator("table.pool").inner_text()
    both_widths(page, "rehousing-pool")
