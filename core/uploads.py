"""Uploaded documents kept private: a signed consent's scan (referrals) and an expense's receipt
(cases/economy). One check of what may be uploaded, one private storage, one way to serve a file.

The files live outside the web root (STORAGES["evidence"], no URL); only a view that checks
permissions and logs the download serves them, through `private_file_response`.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

# The file types a scan or a receipt may have, by their first bytes.
UPLOAD_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
UPLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png"


def private_storage():
    """The storage of uploaded documents (a callable, so tests may swap it)."""
    return storages["evidence"]


def random_name(folder: str, filename: str) -> str:
    """A random name: a resident's name in an upload's filename never becomes part of a path."""
    return f"{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def upload_validate(upload: UploadedFile) -> None:
    """PDF, JPEG or PNG (by name and content), no larger than EVIDENCE_MAX_BYTES."""
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in UPLOAD_SIGNATURES:
        raise ValidationError(
            _("The evidence must be a PDF, JPEG or PNG file."), code="evidence_type"
        )
    if upload.size is None or upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.")
            % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            code="evidence_size",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(UPLOAD_SIGNATURES[suffix]):
        raise ValidationError(
            _("The file is not a real %(type)s file.") % {"type": suffix[1:].upper()},
            code="evidence_content",
        )


def upload_max_mb() -> int:
    return settings.EVIDENCE_MAX_BYTES // (1024 * 1024)


def private_file_response(file: FieldFile, *, filename: str) -> FileResponse:
    """The stored file as a download named `filename` + its suffix; 404 if it is gone."""
    if not file or not file.name:
        raise Http404
    suffix = PurePath(file.name).suffix.lower()
    try:
        handle = file.storage.open(file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}{suffix}",
        content_type=UPLOAD_TYPES.get(suffix, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
