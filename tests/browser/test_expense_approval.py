"""A rehousing officer records a mover's invoice with its receipt for a case; a manager approves
it from her queue; the project's budget page shows it under movers out, with the new total."""

from decimal import Decimal

import pytest

from cases.economy.models import BudgetLine, Expense
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% the movers' invoice\n"


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def receipts(tmp_path, settings, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(
        Expense._meta.get_field("receipt"),
        "storage",
        FileSystemStorage(location=tmp_path / "private"),
    )
    invoice = tmp_path / "faktura-flyttefirma.pdf"
    invoice.write_bytes(PDF)
    return invoice


def test_an_officer_records_an_invoice_a_manager_approves_it_and_the_budget_shows_it(
    browser, live_server, desktop, cast, receipts
):
    case = cast.case_a1
    project = case.project
    BudgetLine.objects.create(project=project, category="movers_out", amount=Decimal("100000"))
    page = desktop
    log_in(page, cast.rehousing_officer_a1.username)
    page.goto(f"/sager/{case.pk}/")
    section = page.locator("#expenses")
    section.get_by_text("Registrér en udgift").click()
    page.locator("#id_kind").select_option("movers_out")
    page.locator("#id_amount").fill("-100")  # a typo: a minus is for corrections
    page.locator("#id_supplier").fill("Flyt & Co ApS")
    page.locator("#id_receipt").set_input_files(str(receipts))
    page.evaluate("window.__marker = 1")
    section.get_by_role("button", name="Gem udgiften").click()
    # htmx swaps the section with the form and its Danish error (it swaps no 400 answer)
    page.locator("#expenses .expense-form", has_text="korrektion").wait_for()
    assert page.locator("#id_supplier").input_value() == "Flyt & Co ApS"
    assert "Vælg filen igen" in section.inner_text()  # the receipt is to be chosen again
    assert page.locator(".htmx-alert").count() == 0 or page.locator(".htmx-alert").is_hidden()
    assert not Expense.objects.exists()
    screenshot(page, "expense-bad-amount")
    page.locator("#id_amount").fill("12500,00")
    page.locator("#id_receipt").set_input_files(str(receipts))  # a browser keeps no file
    section.get_by_role("button", name="Gem udgiften").click()
    page.locator("#expenses .expense-awaiting").wait_for()
    assert page.evaluate("window.__marker") == 1  # htmx swapped the section, no page load
    assert "12.500,00" in page.locator("#expenses").inner_text()
    expense = Expense.objects.get(case=case)
    assert expense.receipt and expense.approved_at is None
    screenshot(page, "expense-recorded")

    manager = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    ).new_page()
    log_in(manager, cast.manager_a.username)
    manager.goto("/udgifter/godkendelse/")
    row = manager.locator(f"#expense-{expense.pk}")
    assert "Flyt & Co ApS" in row.inner_text()
    screenshot(manager, "expense-approval-queue")
    row.get_by_role("button", name="Godkend").click()
    manager.wait_for_url("**/udgifter/godkendelse/")
    assert "Intet venter på din godkendelse." in manager.content()
    expense.refresh_from_db()
    assert expense.approved_by == cast.manager_a

    manager.goto(f"/projekter/{project.pk}/budget/")
    movers = manager.locator("#budget-movers_out").inner_text()
    assert "Flytning ud" in movers and "12.500,00" in movers and "87.500,00" in movers
    total = manager.locator("#budget-total").inner_text()
    assert "12.500,00" in total
    assert manager.locator(".budget-chart svg").count() == 1
    screenshot(manager, "project-budget")
    manager.context.close()
