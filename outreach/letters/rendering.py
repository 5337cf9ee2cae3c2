"""The placeholder language of letter templates: `{{ name }}` from a fixed list, nothing else.

A template's text is typed by a manager, so it is never given to Django's template engine (which
could load tags, read attributes and reach settings). Instead one regular expression finds every
`{{ … }}`, and a placeholder is replaced only when its name is one of `PLACEHOLDERS`; the values
come from `context_for`, which reads one household, its case, the offer and the member of staff
who writes, and nothing else. Anything else in braces is an error with its line number:
`validate` finds them before a version is saved, and `render` refuses a text that has them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str  # Danish, shown beside the editor
    example: str  # what it could say, shown in the list


# The one list. The descriptions are Danish: they are shown to the Danish manager as they are.
PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("husstand_navn", "Husstandens navn: kontaktpersonens navn", "Jens Nielsen"),
    Placeholder("husstand_nummer", "Husstandens nummer i genhusning", "1234"),
    Placeholder("lejemaalsnummer", "Lejemålsnummeret i boligorganisationens system", "12-345"),
    Placeholder(
        "beboere", "Alle beboernes navne, fx »Jens Nielsen og Aisha Nielsen«", "Jens og Aisha"
    ),
    Placeholder("adresse", "Lejlighedens adresse", "Blokvej 12, 2. tv"),
    Placeholder("postnummer_by", "Lejlighedens postnummer og by", "2650 Hvidovre"),
    Placeholder("afdeling", "Afdelingens navn", "Søndergården"),
    Placeholder("projekt", "Byggeprojektets navn", "Renovering af Søndergården"),
    Placeholder("organisation", "Boligorganisationens navn", "Boligselskabet Hvidovre"),
    Placeholder("dato_varsling", "Opgangens dato for varsling", "1. marts 2027"),
    Placeholder("dato_nedpakning", "Opgangens dato for nedpakning", "1. maj 2027"),
    Placeholder(
        "dato_fraflytning", "Datoen for fraflytning (husstandens egen, ellers opgangens)", "15. maj"
    ),
    Placeholder(
        "dato_tilbageflytning",
        "Datoen for tilbageflytning (husstandens egen, ellers opgangens)",
        "1. december 2027",
    ),
    Placeholder("tilbud_adresse", "Den tilbudte lejligheds adresse", "Parkvej 3, 1. th"),
    Placeholder("tilbud_postnummer_by", "Den tilbudte lejligheds postnummer og by", "2650"),
    Placeholder("tilbud_vaerelser", "Antal værelser i den tilbudte lejlighed", "3"),
    Placeholder("tilbud_areal", "Den tilbudte lejligheds areal i m²", "78"),
    Placeholder(
        "tilbud_husleje",
        "Husleje pr. måned for den tilbudte lejlighed, som den står i boligpuljen",
        "6.250,00 kr.",
    ),
    Placeholder("tilbud_fra", "Fra hvilken dato tilbuddet gælder", "15. maj 2027"),
    Placeholder("tilbud_til", "Til hvilken dato (tom ved permanent genhusning)", "1. dec. 2027"),
    Placeholder("svarfrist", "Svarfristen: den dag husstanden senest skal svare", "22. maj 2027"),
    Placeholder("dato_i_dag", "Dagens dato", "6. december 2026"),
    Placeholder("sagsbehandler_navn", "Navnet på den medarbejder, der skriver", "Mette Hansen"),
    Placeholder("sagsbehandler_telefon", "Medarbejderens telefonnummer", "12 34 56 78"),
    Placeholder("sagsbehandler_email", "Medarbejderens e-mail", "mh@bolig.dk"),
)
PLACEHOLDER_NAMES = frozenset(placeholder.name for placeholder in PLACEHOLDERS)

# Everything in double braces or brace-percent, whatever is inside it (across no line break).
_TAG = re.compile(r"\{\{(?P<var>.*?)\}\}|\{%(?P<block>.*?)%\}|\{#(?P<comment>.*?)#\}")
_NAME = re.compile(r"^[a-z_]+$")
# A brace pair opened and never closed on its line.
_UNCLOSED = re.compile(r"\{\{|\{%|\{#")


@dataclass(frozen=True)
class TemplateError:
    line: int
    message: str  # Danish, names the line

    def __str__(self) -> str:
        return self.message


def _error(line: int, text: str) -> TemplateError:
    return TemplateError(line, _("Line %(line)s: %(text)s") % {"line": line, "text": text})


def validate(body: str) -> list[TemplateError]:
    """Every placeholder or tag that is not allowed, with its line number (empty: all fine)."""
    errors: list[TemplateError] = []
    for number, line in enumerate(body.splitlines(), start=1):
        rest = line
        for match in _TAG.finditer(line):
            if match.group("block") is not None:
                errors.append(
                    _error(
                        number,
                        _(
                            "“%(tag)s” is not allowed. A letter can only contain placeholders "
                            "from the list, written as {{ name }}."
                        )
                        % {"tag": match.group(0)},
                    )
                )
                continue
            if match.group("comment") is not None:
                errors.append(
                    _error(number, _("“%(tag)s” is not allowed.") % {"tag": match.group(0)})
                )
                continue
            name = match.group("var").strip()
            if "|" in name:
                errors.append(
                    _error(
                        number,
                        _("“%(tag)s”: filters (|) are not allowed. Write only {{ name }}.")
                        % {"tag": match.group(0)},
                    )
                )
            elif "." in name:
                errors.append(
                    _error(
                        number,
                        _(
                            "“%(tag)s”: a placeholder cannot reach other data with a dot. "
                            "Use a name from the list."
                        )
                        % {"tag": match.group(0)},
                    )
                )
            elif not _NAME.match(name) or name not in PLACEHOLDER_NAMES:
                errors.append(
                    _error(
                        number,
                        _("“%(tag)s” is not a placeholder from the list.")
                        % {"tag": match.group(0)},
                    )
                )
        rest = _TAG.sub("", line)
        if _UNCLOSED.search(rest) or "}}" in rest or "%}" in rest:
            errors.append(
                _error(
                    number,
                    _("A placeholder is not closed. Write it as {{ name }} on one line."),
                )
            )
    return errors


class TemplateTextError(ValueError):
    def __init__(self, errors: list[TemplateError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def render(body: str, context: dict[str, str]) -> str:
    """The text with each placeholder replaced by its value, as plain text (line breaks kept).

    Refuses a text `validate` finds fault with; a placeholder the context lacks becomes empty."""
    errors = validate(body)
    if errors:
        raise TemplateTextError(errors)
    return _TAG.sub(lambda match: context.get(match.group("var").strip(), ""), body)


def render_html(body: str, context: dict[str, str]) -> SafeString:
    """The rendered text as HTML paragraphs: every value and every word of the text escaped,
    blank lines make paragraphs and single line breaks <br>."""
    return SafeString(linebreaks(escape(render(body, context))))


def letter_date(day: date | None, language: str = "da") -> str:
    """'6. december 2026' in Danish, '6 December 2026' in English, the Arabic month in Arabic."""
    if day is None:
        return ""
    with translation.override(language):
        return date_format(day, "j. F Y" if language == "da" else "j F Y")


def _amount(value) -> str:
    """'6.250,00 kr.' (Danish form, whatever the letter's language: it is the contract's)."""
    with translation.override("da"):
        return f"{number_format(value, decimal_pos=2, force_grouping=True)} kr."


_AND = {"da": "og", "en": "and", "ar": "و"}


def _names(names: list[str], language: str = "da") -> str:
    names = [name for name in names if name]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {_AND.get(language, 'og')} " + names[-1]


def _once(cache: dict | None, key: tuple, load: Callable[[], Any]) -> Any:
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def context_for(
    household,
    case=None,
    offer=None,
    user=None,
    *,
    kind: str | None = None,
    language: str = "da",
    today: date | None = None,
    cache: dict | None = None,
) -> dict[str, str]:
    """The values of every placeholder for one household's letter, all strings.

    `case` gives the project and the dates (the stairwell's schedule, overridden by the case's
    own), `offer` the flat offered and the reply deadline (without one, the deadline of a
    letter of `kind` sent today, cases.deadlines.reply_due_on), `user` the member of staff who
    writes and signs. Nothing else is read: no other household, no settings. A batch passes one
    `cache` for all its letters, so a stairwell's schedule and the signer's phone are read once.
    """
    from cases.deadlines import reply_due_on
    from cases.models import StairwellSchedule
    from outreach.letters.models import StaffContact

    today = today or timezone.localdate()
    flat = household.flat
    stairwell = flat.stairwell
    residents = sorted(household.residents.all(), key=lambda r: (not r.is_contact_person, r.pk))
    contact_name = residents[0].full_name if residents else ""
    values: dict[str, str] = dict.fromkeys(PLACEHOLDER_NAMES, "")

    def day(value: date | None) -> str:
        return letter_date(value, language)

    values.update(
        husstand_navn=contact_name,
        husstand_nummer=str(household.pk),
        lejemaalsnummer=flat.tenancy_number,
        beboere=_names([resident.full_name for resident in residents], language),
        adresse=flat.address,
        postnummer_by=f"{stairwell.postcode} {stairwell.city}",
        afdeling=stairwell.estate.name,
        organisation=stairwell.estate.organisation.name,
        dato_i_dag=day(today),
    )
    if case is not None:
        project = case.project
        schedule = _once(
            cache,
            ("schedule", project.pk, stairwell.pk),
            lambda: StairwellSchedule.objects.filter(project=project, stairwell=stairwell).first(),
        )
        values.update(
            projekt=project.name,
            dato_varsling=day(schedule.notice_on if schedule else None),
            dato_nedpakning=day(schedule.packing_on if schedule else None),
            dato_fraflytning=day(case.move_out_on or (schedule.move_out_on if schedule else None)),
            dato_tilbageflytning=day(case.return_on or (schedule.return_on if schedule else None)),
        )
        if offer is None and kind:
            values["svarfrist"] = day(reply_due_on(kind, today, project))
    if offer is not None:
        offered = offer.pool_flat.flat
        # The rent registered with the pool flat; else the flat's own, once flats have one.
        rent = offer.pool_flat.rent
        if rent is None:
            rent = offered.monthly_rent
        values.update(
            tilbud_adresse=offered.address,
            tilbud_postnummer_by=f"{offered.stairwell.postcode} {offered.stairwell.city}",
            tilbud_vaerelser=str(offered.rooms),
            tilbud_areal=str(offered.area_m2),
            tilbud_husleje=_amount(rent) if rent is not None else "",
            tilbud_fra=day(offer.holds_from),
            tilbud_til=day(offer.holds_until),
            svarfrist=day(offer.reply_due_on),
        )
    if user is not None:
        contact = _once(
            cache, ("contact", user.pk), lambda: StaffContact.objects.filter(user=user).first()
        )
        values.update(
            sagsbehandler_navn=user.get_full_name() or user.get_username(),
            sagsbehandler_telefon=contact.phone if contact else "",
            sagsbehandler_email=user.email,
        )
    return values
