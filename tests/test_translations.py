"""The Danish catalogue is complete and the compiled .mo matches the .po that is committed."""

import ast
import gettext
from pathlib import Path

from tests.conftest import ROOT

DANISH = ROOT / "locale" / "da" / "LC_MESSAGES"


def po_entries(path: Path) -> list[dict]:
    """A small reader for the .po files makemessages writes: msgid, plural, msgstr(s), flags."""
    entries, entry, key = [], None, None
    for line in [*path.read_text().splitlines(), ""]:
        if not line.strip():
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry or {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] += value
            else:
                entry[key] += value
        else:
            name, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if name.startswith("msgstr["):
                key = ("msgstr", int(name[7:-1]))
                entry["msgstr"][key[1]] = text
            elif name == "msgstr":
                key = ("msgstr", 0)
                entry["msgstr"][0] = text
            else:
                key = name
                entry[name] = text
    return entries


def test_every_string_has_a_danish_translation():
    entries = po_entries(DANISH / "django.po")
    assert len(entries) > 250
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    with (DANISH / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    for entry in po_entries(DANISH / "django.po"):
        if "msgctxt" in entry:  # pgettext: the same msgid may mean something else elsewhere
            context, msgid = entry["msgctxt"], entry["msgid"]
            assert catalogue.pgettext(context, msgid) == entry["msgstr"][0], (context, msgid)
        elif "msgid_plural" in entry:
            assert (
                catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"][0]
            )
        else:
            assert catalogue.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
