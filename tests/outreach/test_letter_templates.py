"""Letter templates (issue 15): the placeholder language, versions, and the manager's pages."""

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases.deadlines import LetterKind
from households.models import AccessLog
from outreach.letters.models import LetterTemplate, LetterTemplateVersion, StaffContact
from outreach.letters.rendering import (
    PLACEHOLDER_NAMES,
    TemplateTextError,
    context_for,
    render,
    render_html,
    validate,
)
from outreach.letters.services import (
    StaleVersionError,
    current_version,
    standard_templates_add,
    template_create,
    version_save,
)
from outreach.letters.standard_texts import STANDARD_TEXTS
from tests import factories

# --- the placeholder language ------------------------------------------------------------------


def messages_of(body: str) -> list[str]:
    return [str(error) for error in validate(body)]


def test_a_text_with_known_placeholders_is_valid():
    assert validate("Kære {{ beboere }}\n\nSvar senest {{svarfrist}}.") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{{ settings.SECRET_KEY }}", "med et punktum"),
        ("{% load static %}", "er ikke tilladt"),
        ("{{ household.other }}", "med et punktum"),
        ("{{ husstand_navn.residents }}", "med et punktum"),
        ("{{ naboens_navn }}", "ikke en pladsholder fra listen"),
        ("{{ beboere|upper }}", "filtre"),
        ("{# skjult #}", "er ikke tilladt"),
        ("{{ BEBOERE }}", "ikke en pladsholder fra listen"),
        ("{{ beboere ", "ikke lukket"),
    ],
)
def test_each_forbidden_thing_fails_with_its_line_in_danish(text, words):
    body = f"Kære beboer\n\nLinje tre\n{text}\nMed venlig hilsen"
    errors = validate(body)
    assert [error.line for error in errors] == [4]
    assert errors[0].message.startswith("Linje 4:"), errors[0].message
    assert words in errors[0].message


def test_every_error_of_a_text_is_found():
    errors = validate("{{ settings.DEBUG }}\nok\n{% load static %} {{ x }}")
    assert [error.line for error in errors] == [1, 3, 3]


def test_render_refuses_a_text_with_errors_and_never_reads_attributes():
    with pytest.raises(TemplateTextError) as raised:
        render("Hej {{ settings.SECRET_KEY }}", {"settings": "LEAK"})
    assert "Linje 1" in str(raised.value)


def test_render_replaces_only_placeholders_and_keeps_the_lines():
    text = render(
        "Kære {{ beboere }}\n\nSvar senest {{ svarfrist }}.\n{ ikke en pladsholder }",
        {
            "beboere": "Jens og Aisha",
            "svarfrist": "1. maj 2027",
        },
    )
    assert text == "Kære Jens og Aisha\n\nSvar senest 1. maj 2027.\n{ ikke en pladsholder }"


def test_render_html_escapes_the_values_and_the_text_and_makes_paragraphs():
    html = render_html("<b>Kære</b> {{ beboere }}\nlinje\n\nafsnit", {"beboere": "<script>x"})
    assert "<script>" not in html and "&lt;script&gt;x" in html and "&lt;b&gt;" in html
    assert html.count("<p>") == 2 and "<br>" in html


def test_the_standard_texts_use_the_list_only():
    for kind, languages in STANDARD_TEXTS.items():
        assert "da" in languages, kind
        for language, text in languages.items():
            assert validate(text.body) == [] and validate(text.subject) == [], (kind, language)
    assert set(STANDARD_TEXTS) == set(LetterKind.values)
    for kind in (LetterKind.NOTICE, LetterKind.OFFER):
        assert {"da", "en", "ar"} <= set(STANDARD_TEXTS[kind])
    termination = STANDARD_TEXTS[LetterKind.TERMINATION]["da"].body
    assert "Begrundelse" in termination and "indsigelse" in termination
    assert "Underskrift" in STANDARD_TEXTS[LetterKind.OFFER]["da"].body
    assert "For lejer" in STANDARD_TEXTS[LetterKind.AGREEMENT]["da"].body


def test_context_for_one_household_its_case_offer_and_writer(db):
    organisation = factories.make_organisation("Boligselskabet Test")
    estate = factories.make_estate(organisation, "Søndergården")
    stairwell = factories.make_stairwell(estate, street="Blokvej", number=12)
    household = factories.make_household(
        factories.make_flat(stairwell, floor=2, door="tv", tenancy_number="12-345"),
        "Jens Nielsen",
        "Aisha Nielsen",
    )
    project = factories.make_project(estate, name="Renovering af Søndergården")
    factories.make_schedule(
        project, stairwell, notice_on=date(2027, 3, 1), move_out_on=date(2027, 5, 15)
    )
    case = factories.make_case(project, household)
    other = factories.make_household(factories.make_flat(stairwell, floor=3), "Nabo Naboesen")
    pool = factories.make_pool_flat(
        organisation, factories.make_flat(factories.make_stairwell(estate, "Parkvej", 3), rooms=4)
    )
    from cases.logistics.models import Offer

    offer = Offer.objects.create(
        case=case,
        pool_flat=pool,
        kind="temporary",
        holds_from=date(2027, 5, 15),
        holds_until=date(2027, 12, 1),
        sent_via="letter",
        sent_on=date(2027, 4, 1),
        reply_due_on=date(2027, 4, 15),
    )
    writer = factories.make_user("mette", first_name="Mette", last_name="Hansen", email="mh@x.dk")
    StaffContact.objects.create(user=writer, phone="12 34 56 78")

    values = context_for(household, case, offer, writer, today=date(2026, 12, 6))

    assert set(values) == PLACEHOLDER_NAMES
    assert values["beboere"] == "Jens Nielsen og Aisha Nielsen"
    assert values["husstand_navn"] == "Jens Nielsen"
    assert values["adresse"] == "Blokvej 12, 2. tv"
    assert values["lejemaalsnummer"] == "12-345"
    assert values["dato_varsling"] == "1. marts 2027"
    assert values["dato_fraflytning"] == "15. maj 2027"
    assert values["dato_tilbageflytning"] == ""
    assert values["tilbud_adresse"].startswith("Parkvej 3")
    assert values["tilbud_vaerelser"] == "4"
    assert values["tilbud_husleje"] == "5.000,00 kr."  # the pool flat's rent
    assert values["svarfrist"] == "15. april 2027"
    assert values["dato_i_dag"] == "6. december 2026"
    assert values["sagsbehandler_navn"] == "Mette Hansen"
    assert values["sagsbehandler_telefon"] == "12 34 56 78"
    assert values["sagsbehandler_email"] == "mh@x.dk"
    assert "Naboesen" not in " ".join(values.values()) and other.pk
    arabic = context_for(household, case, offer, writer, language="ar", today=date(2026, 12, 6))
    assert arabic["dato_i_dag"] != values["dato_i_dag"] and "2026" in arabic["dato_i_dag"]
    assert arabic["beboere"] == "Jens Nielsen و Aisha Nielsen"


def test_without_an_offer_the_reply_deadline_follows_the_kind(db):
    estate = factories.make_estate(factories.make_organisation())
    project = factories.make_project(estate, reply_days=14)
    case = factories.make_case(project)
    values = context_for(
        case.household, case, None, None, kind=LetterKind.OFFER, today=date(2027, 1, 4)
    )
    assert values["svarfrist"] == "18. januar 2027"
    assert values["tilbud_adresse"] == ""
    assert context_for(case.household, case, kind=LetterKind.NOTICE)["svarfrist"] == ""


# --- versions -------------------------------------------------------------------------------


@pytest.fixture
def template(cast):
    organisation = cast.case_a1.project.estate.organisation
    return template_create(
        organisation=organisation,
        kind=LetterKind.NOTICE,
        name="Varsling",
        from_standard=True,
        by=cast.manager_a,
    )


def test_a_template_from_the_standard_text_has_danish_english_and_arabic(template):
    versions = {v.language: v for v in template.versions.all()}
    assert set(versions) == {"da", "en", "ar"}
    assert all(version.number == 1 for version in versions.values())
    assert versions["en"].translates == versions["da"] and versions["da"].translates is None


def test_an_edit_is_a_new_version_and_the_old_text_stays(template, cast):
    old = current_version(template, "da")
    new = version_save(
        template=template,
        language="da",
        subject="Ny overskrift",
        body="Kære {{ beboere }}",
        based_on=1,
        by=cast.manager_a,
    )
    assert new.number == 2
    old.refresh_from_db()
    assert old.number == 1 and old.body == STANDARD_TEXTS[LetterKind.NOTICE]["da"].body
    assert current_version(template, "da") == new
    assert current_version(template, "en").number == 1  # one edit of one language
    # Saving the same text again makes no version.
    same = version_save(
        template=template,
        language="da",
        subject="Ny overskrift",
        body="Kære {{ beboere }}",
        based_on=2,
        by=cast.manager_a,
    )
    assert same is None


def test_an_edit_on_an_older_version_is_refused_not_lost(template, cast):
    version_save(
        template=template, language="da", subject="A", body="a", based_on=1, by=cast.manager_a
    )
    with pytest.raises(StaleVersionError) as raised:
        version_save(
            template=template, language="da", subject="B", body="b", based_on=1, by=cast.manager_a
        )
    assert raised.value.current.number == 2


def test_a_saved_version_cannot_be_changed_even_in_sql(template):
    version = current_version(template, "da")
    with pytest.raises(ValueError):
        version.save()
    with (
        pytest.raises(DatabaseError, match="never edited"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE outreach_lettertemplateversion SET body = 'x' WHERE id = %s", [version.pk]
        )
    # Clearing the author (her account erased) is allowed.
    LetterTemplateVersion.objects.filter(pk=version.pk).update(created_by=None)


def test_a_translation_needs_the_danish_text_first(cast):
    template = template_create(
        organisation=cast.case_a1.project.estate.organisation,
        kind=LetterKind.REMINDER,
        name="Tom",
        from_standard=False,
        by=cast.manager_a,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        version_save(
            template=template, language="en", subject="x", body="y", based_on=None, by=None
        )


def test_the_standard_set_is_made_once(db):
    organisation = factories.make_organisation()
    assert len(standard_templates_add(organisation=organisation)) == 8
    standard_templates_add(organisation=organisation)
    assert LetterTemplate.objects.filter(organisation=organisation).count() == 8
    assert LetterTemplateVersion.objects.filter(template__organisation=organisation).count() == 12


# --- the pages ------------------------------------------------------------------------------


def edit_url(template, language="da"):
    return reverse("outreach:template_edit", args=[template.pk, language])


def test_the_manager_edits_previews_and_saves(client, cast, template):
    client.force_login(cast.manager_a)
    household = cast.case_a1.household
    page = client.get(edit_url(template))
    assert page.status_code == 200
    body = page.content.decode()
    assert "{{ dato_fraflytning }}" in body and "Opgangens dato for varsling" in body

    text = "Kære {{ beboere }}\n\nDin adresse er {{ adresse }}."
    preview = client.post(
        edit_url(template),
        {
            "based_on": 1,
            "subject": "Varsling",
            "body": text,
            "household": household.pk,
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    shown = preview.content.decode()
    assert "Agnete Markørsen" in shown and "Markørvej" in shown
    assert current_version(template, "da").number == 1  # a preview saves nothing
    assert AccessLog.objects.filter(household_id=household.pk).exists()

    saved = client.post(
        edit_url(template),
        {"based_on": 1, "subject": "Varsling", "body": text, "action": "save"},
    )
    assert saved.status_code == 302
    assert current_version(template, "da").body == text
    detail = client.get(reverse("outreach:template", args=[template.pk])).content.decode()
    assert "Version 2" in detail and "Version 1" in detail


def test_a_wrong_placeholder_is_shown_with_its_line_and_the_text_is_kept(client, cast, template):
    client.force_login(cast.manager_a)
    text = "Kære {{ beboere }}\n{{ settings.SECRET_KEY }}"
    response = client.post(
        edit_url(template), {"based_on": 1, "subject": "S", "body": text, "action": "save"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Linje 2:" in body
    assert "settings.SECRET_KEY" in body  # the text stays in the form
    assert current_version(template, "da").number == 1


def test_arabic_is_edited_right_to_left(client, cast, template):
    client.force_login(cast.manager_a)
    body = client.get(edit_url(template, "ar")).content.decode()
    assert 'dir="rtl"' in body and "عزيزي" in body


def test_the_preview_of_another_organisations_household_is_404(client, cast, template):
    client.force_login(cast.manager_a)
    foreign = cast.case_b1.household
    response = client.post(
        edit_url(template),
        {"based_on": 1, "subject": "S", "body": "{{ beboere }}", "household": foreign.pk,
         "action": "preview"},
    )  # fmt: skip
    assert response.status_code == 404
    assert "Carl" not in response.content.decode()
    search = client.get(
        reverse("outreach:template_households", args=[template.pk]), {"q": "Markørby"}
    )
    assert "Carl" not in search.content.decode()
    found = client.get(
        reverse("outreach:template_households", args=[template.pk]), {"q": "Markørsen"}
    )
    assert "Agnete" in found.content.decode()


def test_another_organisations_manager_gets_404_and_a_caseworker_403(client, cast, template):
    urls = [
        reverse("outreach:template", args=[template.pk]),
        edit_url(template),
        reverse("outreach:template_households", args=[template.pk]),
    ]
    client.force_login(cast.manager_b)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(cast.caseworker_a1)
    for url in [*urls, reverse("outreach:templates"), reverse("outreach:template_new")]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        edit_url(template),
        {"based_on": 1, "subject": "S", "body": "x", "household": cast.case_a1.household_id,
         "action": "preview"},
    )  # fmt: skip
    assert response.status_code == 403


def test_a_new_template_from_the_standard_text(client, cast):
    client.force_login(cast.manager_a)
    response = client.get(reverse("outreach:template_new"))
    assert response.status_code == 200
    key = response.context["form"]["once_key"].value()
    data = {
        "once_key": key,
        "organisation": cast.case_a1.project.estate.organisation_id,
        "kind": LetterKind.OFFER,
        "name": "Tilbud, midlertidig",
        "from_standard": "on",
    }
    first = client.post(reverse("outreach:template_new"), data)
    assert first.status_code == 302
    again = client.post(reverse("outreach:template_new"), data)  # the double click
    assert again.status_code == 302
    template = LetterTemplate.objects.get(name="Tilbud, midlertidig")
    assert set(template.versions.values_list("language", flat=True)) == {"da", "en", "ar"}


def test_the_template_list_has_a_pinned_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    organisation = cast.case_a1.project.estate.organisation
    standard_templates_add(organisation=organisation)
    client.force_login(cast.manager_a)
    client.get(reverse("outreach:templates"))  # the session and the grants, once
    with django_assert_max_num_queries(6):
        response = client.get(reverse("outreach:templates"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/opsoegning') >= 0
    assert len(response.context["rows"]) == 8
    # More templates, the same number of queries.
    standard_templates_add(organisation=factories.make_organisation())
    for index in range(5):
        template_create(
            organisation=organisation,
            kind=LetterKind.REMINDER,
            name=f"Påmindelse {index}",
            from_standard=True,
            by=None,
        )
    with django_assert_max_num_queries(6):
        response = client.get(reverse("outreach:templates"))
    assert len(response.context["rows"]) == 13


def test_staff_give_the_phone_their_letters_print(client, cast):
    url = reverse("outreach:letter_contact")
    client.force_login(cast.caseworker_a1)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"phone": "ring mig"})
    assert bad.status_code == 400 and "ring mig" in bad.content.decode()
    assert client.post(url, {"phone": "36 98 70 12"}).status_code == 302
    assert StaffContact.objects.get(user=cast.caseworker_a1).phone == "36 98 70 12"
    values = context_for(cast.case_a1.household, cast.case_a1, None, cast.caseworker_a1)
    assert values["sagsbehandler_telefon"] == "36 98 70 12"
    client.force_login(cast.visitator)
    assert client.get(url).status_code == 403


def test_the_retention_deletes_the_letter_pdfs(cast, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    from outreach.letters.models import Letter
    from privacy.services import retention_anonymise

    field = Letter._meta.get_field("pdf")
    storage = FileSystemStorage(location=tmp_path)
    original = field.storage
    field.storage = storage
    try:
        template = standard_templates_add(organisation=cast.case_a1.project.estate.organisation)[0]
        version = template.versions.get(language="da")
        case = cast.case_a1
        letter = Letter(
            household=case.household,
            case=case,
            template_version=version,
            subject="Varsling",
            body_rendered="Kære Agnete Markørsen",
        )
        letter.pdf.save("x.pdf", ContentFile(b"%PDF-1.4"), save=True)
        name = letter.pdf.name
        assert storage.exists(name)
        from cases.stages import Stage

        type(case).objects.filter(pk=case.pk).update(
            stage=Stage.CLOSED, closed_at=timezone.now() - timedelta(days=365 * 20)
        )
        with _run_on_commit():
            retention_anonymise()
        letter.refresh_from_db()
        assert letter.pdf.name == "" and letter.body_rendered == ""
        assert not storage.exists(name)
    finally:
        field.storage = original


def _run_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_renaming_to_a_name_in_use_is_an_error_not_a_crash(client, cast, template):
    other = template_create(
        organisation=template.organisation,
        kind=template.kind,
        name="Varsling 2",
        from_standard=False,
        by=None,
    )
    client.force_login(cast.manager_a)
    url = reverse("outreach:template", args=[other.pk])
    response = client.post(url, {"name": "Varsling", "active": "on", "version": other.version})
    assert response.status_code == 400
    assert "allerede en skabelon" in response.content.decode()
    stale = client.post(url, {"name": "Ny", "active": "on", "version": other.version + 5})
    assert stale.status_code == 409
    assert client.post(url, {"name": "Ny", "version": other.version}).status_code == 302
    other.refresh_from_db()
    assert other.name == "Ny" and other.active is False


def test_a_households_letter_is_in_its_language_where_the_template_has_it(db):
    from households.models import Resident
    from outreach.letters.services import household_letter_language, letter_language_of

    assert letter_language_of("Arabisk") == "ar" and letter_language_of(" english ") == "en"
    assert letter_language_of("") == "da" and letter_language_of("somali") is None
    flat = factories.make_flat(factories.make_stairwell(factories.make_estate(
        factories.make_organisation())))  # fmt: skip
    household = factories.make_household(flat, "Amira Haddad", "Omar Haddad")
    assert household_letter_language(household, {"da", "ar"}) == "da"
    Resident.objects.filter(household=household, is_contact_person=True).update(language="arabisk")
    household = type(household).objects.get(pk=household.pk)
    assert household_letter_language(household, {"da", "en", "ar"}) == "ar"
    assert household_letter_language(household, {"da", "en"}) == "da"  # no Arabic text
    Resident.objects.filter(household=household).update(language="somali")
    household = type(household).objects.get(pk=household.pk)
    assert household_letter_language(household, {"da", "en", "ar"}) == "da"
