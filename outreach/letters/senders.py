"""How a letter leaves by digital post: a small interface and the default sender.

A sender has one method, ``send(outgoing) -> Receipt``. The setting ``LETTERS_SENDER`` names
the class (a dotted path); the default, ``FolderSender``, writes to the folder
``LETTERS_DIGITAL_POST_DIR`` (default under the private media root) what a digital-post
gateway would pick up: the letter's PDF and a minimal manifest - the letter's id, the
recipient's name and address as printed in the letter, the subject and the date. Nothing
personal beyond what the letter itself says goes there, and no sender here calls out.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from outreach.letters.layout import PrintedLetter


@dataclass(frozen=True)
class OutgoingLetter:
    letter_id: int
    printed: PrintedLetter
    pdf: bytes


@dataclass(frozen=True)
class Receipt:
    sender: str
    reference: str  # what the sender calls the delivery (here: the manifest's file name)
    sent_at: datetime


class LetterSender(Protocol):
    def send(self, outgoing: OutgoingLetter) -> Receipt: ...


def manifest_for(outgoing: OutgoingLetter) -> dict:
    """Only what the letter itself prints on its first page."""
    printed = outgoing.printed
    return {
        "letter": outgoing.letter_id,
        "recipient": {
            "name": printed.recipient_name,
            "address": list(printed.recipient_address_lines),
        },
        "subject": printed.subject,
        "date": printed.dated.isoformat(),
        "pdf": f"letter-{outgoing.letter_id}.pdf",
    }


def _write_atomically(path: Path, content: bytes) -> None:
    # A gateway polling the folder never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FolderSender:
    """Writes the PDF, then the manifest (its arrival says the letter is complete)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder or settings.LETTERS_DIGITAL_POST_DIR)

    def send(self, outgoing: OutgoingLetter) -> Receipt:
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = manifest_for(outgoing)
        _write_atomically(self.folder / manifest["pdf"], outgoing.pdf)
        name = f"letter-{outgoing.letter_id}.json"
        _write_atomically(
            self.folder / name, json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        )
        return Receipt(sender="folder", reference=name, sent_at=timezone.now())


def letter_sender() -> LetterSender:
    """The sender the settings name."""
    return import_string(settings.LETTERS_SENDER)()
