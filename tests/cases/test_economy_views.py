"""The pages of the rehousing economy over HTTP: recording an expense with its receipt on the
case page, once only; editing before approval (versioned); approving; the receipt's download;
the approval queue; the budget page, its file and its exports; who sees nothing; the art. 15
copy."""

import io
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cases.economy.models import BudgetLine, Expense, ExpenseKind
from cases.economy.services import expense_approve, expense_create
from cases.stages import Stage
from households.models import AccessLog
from privacy.selectors import resident_data
from tests import factories
from tests.conftest import MARKERS

PDF = b"%PDF-1.4\n% a receipt\n"


@pytest.fixture
def receipts(tmp_path, settings, monkeypatch):
    """Receipts go to a temporary folder, never into the checkout."""
    location = tmp_path / "private"
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(
        Expense._meta.get_field("receipt"), "storage", FileSystemStorage(location=location)
    )
    return location


def post_expense(client, case, *, htmx: bool = False, **overrides):
    data = {
        "kind": "movers_out",
        "amount": "12500,00",
        "spent_on": "2026-03-15",
        "supplier": "Flyt & Co ApS",
        "note": "Faktura 4411",
        "once_key": str(uuid.uuid4()),
        **overrides,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("economy:case_expenses", args=[case.pk]), data, headers=headers)


def test_it_records_an_expense_with_its_receipt_from_the_case_page(client, cast, receipts):
    client.force_login(cast.rehousing_officer_a1)
    case = cast.case_a1
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert 'id="expenses"' in page.content.decode()
    receipt = SimpleUploadedFile("faktura.pdf", PDF, "application/pdf")
    key = str(uuid.uuid4())
    response = post_expense(client, case, receipt=receipt, once_key=key)
    assert response.status_code == 302
    expense = Expense.objects.get(case=case)
    assert (expense.kind, expense.amount, expense.entered_by) == (
        "movers_out", Decimal("12500"), cast.rehousing_officer_a1
    )  # fmt: skip
    assert expense.receipt.name.startswith("receipt/") and "faktura" not in expense.receipt.name
    assert (receipts / expense.receipt.name).read_bytes() == PDF
    # The same form posted again saves nothing twice.
    receipt = SimpleUploadedFile("faktura.pdf", PDF, "application/pdf")
    again = post_expense(client, case, receipt=receipt, once_key=key, htmx=True)
    assert Expense.objects.filter(case=case).count() == 1
    # The receipt is served to those who see the case, and the download is logged.
    download = client.get(reverse("economy:expense_receipt", args=[expense.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith('attachment; filename="kvittering-')
    assert AccessLog.objects.filter(what="receipt of an expense").exists()
    assert again.status_code == 200


def test_the_htmx_form_answers_with_the_section(client, cast, receipts):
    client.force_login(cast.caseworker_a1)
    response = post_expense(client, cast.case_a1, htmx=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<article class="expenses" id="expenses">')
    assert "12.500,00" in body
    assert "Afventer godkendelse" in body


def test_a_bad_receipt_or_amount_saves_nothing_and_says_why(client, cast, receipts):
    client.force_login(cast.rehousing_officer_a1)
    fake = SimpleUploadedFile("faktura.pdf", b"MZ not a pdf", "application/pdf")
    response = post_expense(client, cast.case_a1, receipt=fake, htmx=True)
    # htmx swaps no 4xx answer: the section with the form's errors comes back as a 200
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<article class="expenses" id="expenses">')
    assert "ikke en rigtig PDF-fil" in body and "Flyt &amp; Co ApS" in body
    assert "Vælg filen igen" in body  # a browser keeps no file it sent
    response = post_expense(client, cast.case_a1, amount="-100")
    assert response.status_code == 400
    assert "korrektion" in response.content.decode()
    assert not Expense.objects.exists()
    assert list(receipts.glob("**/*.pdf")) == []


def test_an_edit_before_approval_is_versioned_and_an_approved_one_is_locked(client, cast):
    expense = expense_create(
        case=cast.case_a1,
        by=cast.caseworker_a1,
        data={"kind": "cleaning", "amount": Decimal("900"), "spent_on": date(2026, 3, 1)},
    )
    client.force_login(cast.caseworker_a1)
    url = reverse("economy:expense", args=[expense.pk])
    form = {"kind": "cleaning", "amount": "950", "spent_on": "2026-03-01", "version": "1"}
    assert client.post(url, form).status_code == 302
    stale = client.post(url, {**form, "amount": "999"})
    assert stale.status_code == 409
    expense.refresh_from_db()
    assert expense.amount == Decimal("950")
    expense_approve(expense=expense, by=cast.manager_a)
    locked = client.post(url, {**form, "version": "2"})
    assert locked.status_code == 400
    assert "godkendt" in locked.content.decode()
    expense.refresh_from_db()
    assert expense.amount == Decimal("950")


def test_a_manager_approves_and_others_may_not(client, cast):
    expense = expense_create(
        case=cast.case_a1,
        by=cast.rehousing_officer_a1,
        data={"kind": "boxes", "amount": Decimal("450"), "spent_on": date(2026, 3, 1)},
    )
    url = reverse("economy:expense_approve", args=[expense.pk])
    client.force_login(cast.rehousing_officer_a1)
    assert client.post(url).status_code == 403
    client.force_login(cast.manager_b)
    assert client.post(url).status_code == 404
    client.force_login(cast.manager_a)
    queue = client.get(reverse("economy:approvals"))
    assert f'id="expense-{expense.pk}"' in queue.content.decode()
    assert client.post(url, {"back": "queue"})["Location"] == reverse("economy:approvals")
    expense.refresh_from_db()
    assert expense.approved_by == cast.manager_a
    assert (
        f'id="expense-{expense.pk}"'
        not in client.get(reverse("economy:approvals")).content.decode()
    )


def test_the_approval_queue_is_paged(client, cast, django_assert_max_num_queries):
    project = cast.case_a1.project
    Expense.objects.bulk_create(
        Expense(case=factories.make_case(project), kind="other", amount=Decimal(index + 1),
                spent_on=date(2026, 3, 1), entered_by=cast.caseworker_a1)
        for index in range(55)
    )  # fmt: skip
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(10):
        first = client.get(reverse("economy:approvals"))
    body = first.content.decode()
    assert body.count('id="expense-') == 50
    assert "?page=2" in body
    second = client.get(reverse("economy:approvals") + "?page=2")
    assert second.content.decode().count('id="expense-') == 5


def test_a_caseworker_of_another_estate_the_visitator_and_the_caretaker_see_nothing(client, cast):
    expense = expense_create(
        case=cast.case_a1,
        by=cast.caseworker_a1,
        data={"kind": "deposit", "amount": Decimal("31337"), "spent_on": date(2026, 3, 1),
              "supplier": "Depositum-Leverandør", "note": "HEMMELIG-NOTE"},
    )  # fmt: skip
    project = cast.case_a1.project
    urls = [
        reverse("economy:case_expenses", args=[cast.case_a1.pk]),
        reverse("economy:expense", args=[expense.pk]),
        reverse("economy:expense_correct", args=[expense.pk]),
        reverse("economy:expense_receipt", args=[expense.pk]),
        reverse("economy:budget", args=[project.pk]),
        reverse("economy:expenses_xlsx", args=[project.pk]),
        reverse("economy:budget_xlsx", args=[project.pk]),
        reverse("economy:approvals"),
        reverse("cases:detail", args=[cast.case_a1.pk]),
    ]
    for user in (cast.caseworker_a2, cast.caseworker_b1, cast.visitator, cast.caretaker_a1):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (403, 404), (user, url, response.status_code)
            body = response.content.decode()
            for marker in ("31.337", "31337", "HEMMELIG-NOTE", "Depositum", MARKERS["case_a1"][0]):
                assert marker not in body, (user, url, marker)
    # The bridge-builder assigned to the case sees the case, not its expenses.
    from cases.services import case_assign_staff

    case_assign_staff(case=cast.case_a1, user=cast.bridge_builder_a, by=cast.manager_a)
    client.force_login(cast.bridge_builder_a)
    page = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "31.337" not in page and 'id="expenses"' not in page


def test_the_budget_page_answers_in_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    project = cast.case_a1.project
    officer = cast.rehousing_officer_a1
    cases = [factories.make_case(project, stage=Stage.RETURNED) for _index in range(20)]
    Expense.objects.bulk_create(
        Expense(case=case, kind=kind, amount=Decimal("100"), spent_on=date(2026, 3, 1),
                entered_by=officer, approved_by=cast.manager_a, approved_at="2026-03-02T10:00Z")
        for case in cases
        for kind in ExpenseKind.values
    )  # fmt: skip
    BudgetLine.objects.create(project=project, category="movers_out", amount=Decimal("5000"))
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("economy:budget", args=[project.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="budget-movers_out"' in body and "2.000,00" in body
    assert "Huslejeforskel ved midlertidige ophold" in body
    assert "<svg" in body


def test_the_budget_from_a_file_is_previewed_then_saved(client, cast):
    project = cast.case_a1.project
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Kategori", "Beløb"])
    sheet.append(["Flytning ud", 250000])
    sheet.append(["Opmagasinering pr. måned", "60.000,50"])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile("budget.xlsx", content.getvalue())
    client.force_login(cast.manager_a)
    preview = client.post(reverse("economy:budget_upload", args=[project.pk]), {"file": upload})
    body = preview.content.decode()
    assert preview.status_code == 200 and 'id="budget-preview"' in body
    assert not BudgetLine.objects.exists()
    assert "250.000,00" in body and "60.000,50" in body
    # The preview's form posts the amounts again with "apply".
    data = {"action": "apply", "movers_out": "250000.00", "storage": "60000.50"}
    saved = client.post(reverse("economy:budget_edit", args=[project.pk]), data)
    assert saved.status_code == 302
    assert dict(BudgetLine.objects.values_list("category", "amount")) == {
        "movers_out": Decimal("250000"), "storage": Decimal("60000.50")
    }  # fmt: skip


def test_a_budget_file_with_errors_changes_nothing(client, cast):
    project = cast.case_a1.project
    csv = "kategori;beloeb\nFlyttemænd til Mars;100\nRengøring;mange\n".encode()
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("economy:budget_upload", args=[project.pk]),
        {"file": SimpleUploadedFile("budget.csv", csv)},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Flyttemænd til Mars" in body and "mange" in body
    assert not BudgetLine.objects.exists()


def test_the_exports_list_every_approved_expense_with_its_receipt(client, cast, receipts):
    client.force_login(cast.rehousing_officer_a1)
    receipt = SimpleUploadedFile("faktura.pdf", PDF, "application/pdf")
    post_expense(client, cast.case_a1, receipt=receipt)
    post_expense(client, cast.case_a1, amount="300", kind="boxes")  # not approved: not listed
    approved = Expense.objects.get(kind="movers_out")
    expense_approve(expense=approved, by=cast.manager_a)
    client.force_login(cast.manager_a)
    project = cast.case_a1.project
    response = client.get(reverse("economy:expenses_xlsx", args=[project.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][3] == "Flytning ud" and rows[1][5] == 12500
    assert rows[1][9] == f"kvittering-{approved.pk}.pdf"
    budget = client.get(reverse("economy:budget_xlsx", args=[project.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(budget.streaming_content))).active
    values = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert values["Flytning ud"][2] == 12500
    assert values["I alt"][3] == 300


def test_the_households_own_copy_lists_what_was_paid_without_the_internal_note(cast):
    expense_create(
        case=cast.case_a1,
        by=cast.caseworker_a1,
        data={"kind": "movers_out", "amount": Decimal("8000"), "spent_on": date(2026, 3, 1),
              "supplier": "Flyt & Co", "note": "Intern: rykket to gange"},
    )  # fmt: skip
    resident = cast.case_a1.household.residents.first()
    section = next(s for s in resident_data(resident=resident) if s.model == "cases.Expense")
    assert section.rows[0]["amount"] == "8000.00"
    assert section.rows[0]["spent_on"] == "2026-03-01"
    assert "note" not in section.rows[0]
    assert "Intern" not in repr(section.shown)


def test_the_project_report_for_the_board_has_the_budget(client, cast):
    from pypdf import PdfReader

    project = cast.case_a1.project
    expense = expense_create(
        case=cast.case_a1,
        by=cast.rehousing_officer_a1,
        data={"kind": "movers_out", "amount": Decimal("12500"), "spent_on": date(2026, 3, 1)},
    )
    expense_approve(expense=expense, by=cast.manager_a)
    BudgetLine.objects.create(project=project, category="movers_out", amount=Decimal("100000"))
    order = {"kind": "project", "target": project.pk}
    client.force_login(cast.manager_a)
    response = client.post(reverse("reports:print"), order)
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Genhusningsbudgettet" in text
    assert "Flytning ud" in text and "12.500,00" in text and "87.500,00" in text
    # A caseworker prints the project's report without the budget she may not see.
    client.force_login(cast.caseworker_a1)
    response = client.post(reverse("reports:print"), order)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Genhusningsbudgettet" not in text and "12.500,00" not in text


def test_erasing_the_household_takes_its_expenses_and_receipts(
    client, cast, receipts, django_capture_on_commit_callbacks
):
    from privacy.services import resident_erase

    client.force_login(cast.rehousing_officer_a1)
    post_expense(client, cast.case_a1, receipt=SimpleUploadedFile("f.pdf", PDF))
    original = Expense.objects.get()
    expense_approve(expense=original, by=cast.manager_a)
    from cases.economy.services import expense_correct

    expense_correct(expense=original, by=cast.manager_a, amount=Decimal("-500"),
                    spent_on=date(2026, 4, 1))  # fmt: skip
    stored = receipts / original.receipt.name
    assert stored.exists()
    resident = cast.case_a1.household.residents.get()
    with django_capture_on_commit_callbacks(execute=True):
        resident_erase(resident=resident, by=cast.manager_a)
    assert not Expense.objects.exists()
    assert not stored.exists()


def test_the_approval_message_shows_the_amount_the_danish_way(client, cast):
    expense = expense_create(
        case=cast.case_a1,
        by=cast.rehousing_officer_a1,
        data={"kind": "movers_out", "amount": Decimal("11450"), "spent_on": date(2026, 3, 1)},
    )
    client.force_login(cast.manager_a)

    response = client.post(
        reverse("economy:expense_approve", args=[expense.pk]), {"back": "queue"}, follow=True
    )

    assert "11.450,00 kr." in response.content.decode()
