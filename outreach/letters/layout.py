"""The printed letter: one A4 PDF for one letter or a whole batch, placed for a window envelope.

The address sits where the window of every common Danish/Nordic window envelope shows it, so
the same print fits a C5 (A4 folded once), a C6/5 ("C65", A4 folded in three) or an E6/5:

- C5 window: 44 mm from the top of the sheet, 35 mm high, 105 mm wide, 15 mm from the left;
- C6/5 window: 39 mm from the top, 35 mm high, 100 mm wide, 15 mm from the left;
- E6/5 window: 40 mm from the top, 30 mm high, 95 mm wide, 15 mm from the left.

What all of them show is the area 15-110 mm from the left and 44-70 mm from the top
(``WINDOW``). The address block is set inside it with a margin for the sheet sliding in the
envelope (``ADDRESS``: 20 mm from the left, 46 mm from the top, 85 x 22 mm, at most five lines
of 9.5 pt). Nothing else is printed there; the sender's block stands at the top right.

Printing is one-sided (simplex): every page is a sheet, so each household's letter starts on a
new sheet by starting on a new page, and no blank back pages are needed. (Duplex would need a
blank page after every letter with an odd page count, about doubling the pages a batch lays out
for the common one-page letter, and the 300-letter batch must render in under 10 s.) Sheets
of one household are one group in the merged PDF; ``BatchPDFs.pages`` tells where each starts.

When the household reads another language, her version comes first and the Danish text after
it on a new page, with a line in both languages saying the Danish text is the one that counts.
Arabic is set right to left (``dir="rtl" lang="ar"``) in DejaVu Sans, which has the Arabic
glyphs; Pango and HarfBuzz shape them (the Dockerfile installs fonts-dejavu-core).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from core.pdf import PDF_BASE_URL, StaticOnlyURLFetcher

# Millimetres on the A4 sheet, measured from its top left corner: (left, top, width, height).
WINDOW = (15, 44, 95, 26)
ADDRESS = (20, 46, 85, 22)
PAGE_MARGIN = (20, 20, 25, 20)  # top, right, bottom, left
ADDRESS_MAX_LINES = 5

# The languages a letter may be printed in; a template version exists in one of these.
RTL_LANGUAGES = frozenset({"ar"})

# The line that says which text counts, in the household's language (Danish always beside it).
DANISH_COUNTS = {
    "da": "Den danske tekst er den gældende.",
    "en": "The Danish text is the one that counts.",
    "ar": "النص الدنماركي هو النص الملزم.",
}
DANISH_COUNTS_DEFAULT = "Den danske tekst er den gældende."


@dataclass(frozen=True)
class LetterText:
    """One language's version of a letter: the subject and the rendered body, as sent."""

    language: str
    subject: str
    body: str

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs (blank lines part them; a single newline is a line break)."""
        blocks = [block.strip() for block in self.body.replace("\r\n", "\n").split("\n\n")]
        return [block for block in blocks if block]

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RTL_LANGUAGES else "ltr"

    @property
    def danish_counts(self) -> str:
        return DANISH_COUNTS.get(self.language, DANISH_COUNTS_DEFAULT)


@dataclass(frozen=True)
class PrintedLetter:
    """Everything one letter prints, nothing more: what the PDF and the digital post carry."""

    key: str  # unique within a batch (the letter's id)
    sender_lines: list[str]
    recipient_name: str
    recipient_address_lines: list[str]
    dated: date
    danish: LetterText
    translation: LetterText | None = None  # the household's language, when not Danish
    reference: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def address_lines(self) -> list[str]:
        """The name and address, cut to what the window shows."""
        lines = [self.recipient_name, *self.recipient_address_lines]
        return [line for line in lines if line][:ADDRESS_MAX_LINES]

    @property
    def address_text(self) -> str:
        return "\n".join(self.address_lines)

    @property
    def sender_text(self) -> str:
        return "\n".join(self.sender_lines)

    @property
    def texts(self) -> list[LetterText]:
        """Her language first, then the Danish text that counts."""
        return [self.translation, self.danish] if self.translation else [self.danish]

    @property
    def subject(self) -> str:
        return self.danish.subject


def _document(letters: list[PrintedLetter]):
    html = render_to_string(
        "outreach/letters/letter_pdf.html",
        {
            "letters": letters,
            # The head's boxes are placed from the content box's corner, not the sheet's.
            "address": {
                "left": ADDRESS[0] - PAGE_MARGIN[3],
                "top": ADDRESS[1] - PAGE_MARGIN[0],
                "width": ADDRESS[2],
                "height": ADDRESS[3],
            },
            "margin": dict(zip(("top", "right", "bottom", "left"), PAGE_MARGIN, strict=True)),
        },
    )
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()


def letter_pdf(letter: PrintedLetter) -> bytes:
    """One letter as its own PDF (no blank back page)."""
    return _document([letter]).write_pdf()


@dataclass(frozen=True)
class BatchPDFs:
    merged: bytes  # every letter, each starting on a new sheet
    single: dict[str, bytes]  # key -> the letter alone
    pages: dict[str, tuple[int, int]]  # key -> (first page, page count) in the merged PDF


def letters_pdfs(letters: list[PrintedLetter], *, progress=None) -> BatchPDFs:
    """The batch laid out once: the merged PDF and each letter's own file cut from it.

    One WeasyPrint document for the lot is several times faster than a document per letter,
    and WeasyPrint spends about a second subsetting the fonts of every PDF it writes: so it
    writes one, and pypdf cuts each letter's pages out of it (found by the anchors at the
    letter's start and end), sharing the subset fonts.
    """
    document = _document(letters)
    if progress:
        progress(50)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("letter-start-"):
                starts[anchor.removeprefix("letter-start-")] = number
            elif anchor.startswith("letter-end-"):
                ends[anchor.removeprefix("letter-end-")] = number
    merged = document.write_pdf()
    if progress:
        progress(75)
    reader = PdfReader(io.BytesIO(merged))
    single: dict[str, bytes] = {}
    pages: dict[str, tuple[int, int]] = {}
    for count, letter in enumerate(letters, start=1):
        first, last = starts[letter.key], ends[letter.key]
        pages[letter.key] = (first, last - first + 1)
        writer = PdfWriter()
        for number in range(first, last + 1):
            writer.add_page(reader.pages[number])
        out = io.BytesIO()
        writer.write(out)
        single[letter.key] = out.getvalue()
        if progress and count % 25 == 0:
            progress(75 + 20 * count // len(letters))
    return BatchPDFs(merged=merged, single=single, pages=pages)


def _rtl(paragraph) -> None:
    """Marks a Word paragraph and its runs right to left (Word shapes the Arabic itself)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
    for run in paragraph.runs:
        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def letter_docx(letter: PrintedLetter) -> bytes:
    """The letter as a Word file, for a caseworker who must adjust one by hand."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, right, bottom, left = PAGE_MARGIN
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)

    sender = document.add_paragraph("\n".join(letter.sender_lines))
    sender.paragraph_format.left_indent = Mm(105)
    # The address where the envelope's window shows it (ADDRESS, from the sheet's corner).
    address = document.add_paragraph("\n".join(letter.address_lines))
    address.paragraph_format.space_before = Mm(8)
    address.paragraph_format.left_indent = Mm(ADDRESS[0] - left)
    document.add_paragraph(f"{letter.dated:%d.%m.%Y}  {letter.reference}".strip())
    for number, text in enumerate(letter.texts):
        if number:
            document.add_page_break()
        if letter.translation:
            note = document.add_paragraph(
                text.danish_counts if text.language != "da" else DANISH_COUNTS["da"]
            )
            if text.direction == "rtl":
                _rtl(note)
        heading = document.add_heading(text.subject, level=1)
        if text.direction == "rtl":
            _rtl(heading)
        for body in text.paragraphs:
            paragraph = document.add_paragraph(body)
            if text.direction == "rtl":
                _rtl(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
