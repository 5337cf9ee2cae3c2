"""outreach/letters/layout.py and senders.py: the printed letter, its window, its languages,
the Word file and the digital-post folder. No database needed."""

import io
import json
from datetime import date

import docx
from pypdf import PdfReader

from outreach.letters.layout import (
    WINDOW,
    LetterText,
    PrintedLetter,
    letter_docx,
    letter_pdf,
    letters_pdfs,
)
from outreach.letters.senders import FolderSender, OutgoingLetter, letter_sender

ARABIC_SUBJECT = "إشعار بالتجديد"
ARABIC_BODY = "عزيزي الساكن\n\nسنقوم بتجديد مسكنك."
LONG_BODY = "\n\n".join(f"Afsnit {number}: " + "Arbejdet i opgangen. " * 30 for number in range(9))


def printed(
    key: str, *, arabic: bool = False, body: str = "Kære beboer\n\nVi renoverer."
) -> PrintedLetter:
    return PrintedLetter(
        key=key,
        sender_lines=["Boligselskabet Test", "Blokvej 1", "2000 Frederiksberg"],
        recipient_name=f"Amal Hassan {key}",
        recipient_address_lines=["Blokvej 12, 2. tv", "2000 Frederiksberg"],
        dated=date(2027, 1, 5),
        danish=LetterText("da", "Varsel om renovering", body),
        translation=LetterText("ar", ARABIC_SUBJECT, ARABIC_BODY) if arabic else None,
        reference=f"Brev {key}",
    )


def text_positions(page) -> list[tuple[str, float, float]]:
    """(text, mm from the sheet's left, mm from its top) of each piece of text on the page."""
    found = []
    height = float(page.mediabox.height)

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / 72 * 25.4, (height - y) / 72 * 25.4))

    page.extract_text(visitor_text=visit)
    return found


def test_it_places_the_address_in_the_envelopes_window():
    page = PdfReader(io.BytesIO(letter_pdf(printed("1")))).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 210  # A4
    assert round(float(page.mediabox.height) / 72 * 25.4) == 297
    positions = text_positions(page)
    left, top, width, height = WINDOW

    def in_window(x: float, y: float) -> bool:
        # y is the baseline: the line's top lies up to a line height (~4 mm) above it
        return left <= x <= left + width and top + 3 <= y <= top + height

    in_the_window = " ".join(text for text, x, y in positions if in_window(x, y))
    # pypdf may join two lines of one block into one piece of text; the words tell
    expected = "Amal Hassan 1 Blokvej 12, 2. tv 2000 Frederiksberg"
    assert in_the_window.split() == expected.split()
    assert any(text == "Boligselskabet Test" and x > left + width for text, x, y in positions)


def test_a_batch_starts_each_household_on_a_new_sheet_and_cuts_each_letter_out():
    letters = [printed("1"), printed("2", body=LONG_BODY), printed("3", arabic=True)]
    batch = letters_pdfs(letters)
    merged = PdfReader(io.BytesIO(batch.merged))
    assert batch.pages == {"1": (0, 1), "2": (1, 2), "3": (3, 2)}
    assert len(merged.pages) == 5
    for key, (first, count) in batch.pages.items():
        assert f"Amal Hassan {key}" in merged.pages[first].extract_text()
        alone = PdfReader(io.BytesIO(batch.single[key]))
        assert len(alone.pages) == count
        assert f"Amal Hassan {key}" in alone.pages[0].extract_text()
    assert "Afsnit 8" in merged.pages[2].extract_text()


def test_her_language_comes_first_and_the_danish_text_counts():
    reader = PdfReader(io.BytesIO(letter_pdf(printed("7", arabic=True))))
    first, second = (page.extract_text() for page in reader.pages)
    assert ARABIC_SUBJECT in first
    assert "سنقوم بتجديد مسكنك" in first
    assert "النص الدنماركي هو النص الملزم" in first
    assert "Den danske tekst er den gældende." in first
    assert "Varsel om renovering" in second and "Vi renoverer." in second


def test_a_danish_household_gets_danish_only():
    text = PdfReader(io.BytesIO(letter_pdf(printed("8")))).pages[0].extract_text()
    assert "Varsel om renovering" in text
    assert "gældende" not in text


def test_the_word_file_holds_the_letter_and_sets_arabic_right_to_left():
    document = docx.Document(io.BytesIO(letter_docx(printed("9", arabic=True))))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert any("Amal Hassan 9" in text for text in texts)
    assert ARABIC_SUBJECT in texts and "Varsel om renovering" in texts
    arabic = next(p for p in document.paragraphs if p.text == ARABIC_SUBJECT)
    assert arabic._p.pPr.find(docx.oxml.ns.qn("w:bidi")) is not None


def test_the_digital_post_folder_gets_the_pdf_and_a_minimal_manifest(tmp_path, settings):
    settings.LETTERS_DIGITAL_POST_DIR = tmp_path
    letter = printed("11")
    receipt = letter_sender().send(OutgoingLetter(letter_id=11, printed=letter, pdf=b"%PDF-1.7 x"))
    assert receipt.sender == "folder"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["letter-11.json", "letter-11.pdf"]
    manifest = json.loads((tmp_path / "letter-11.json").read_text())
    assert manifest == {
        "letter": 11,
        "recipient": {
            "name": "Amal Hassan 11",
            "address": ["Blokvej 12, 2. tv", "2000 Frederiksberg"],
        },
        "subject": "Varsel om renovering",
        "date": "2027-01-05",
        "pdf": "letter-11.pdf",
    }
    assert (tmp_path / "letter-11.pdf").read_bytes() == b"%PDF-1.7 x"


def test_the_folder_sender_makes_its_folder(tmp_path):
    folder = tmp_path / "post" / "out"
    FolderSender(folder).send(OutgoingLetter(letter_id=1, printed=printed("1"), pdf=b"%PDF"))
    assert (folder / "letter-1.pdf").exists()
