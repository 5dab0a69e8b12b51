"""What an uploaded industry document really is, judged by its bytes.

The name's extension is only a claim: a PDF starts with %PDF-, a .docx or .xlsx is
a zip holding word/document.xml or xl/workbook.xml, an old .doc or .xls is an OLE2
compound file. A file whose bytes do not match its extension is refused, so an
executable renamed to report.pdf never lands in storage. (A file crafted to look
like an Office document can still pass: this is a type check, not a virus scan.)
"""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from core.errors import DomainError

# 20 MB unless the settings say otherwise.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
# The part that makes an Office Open XML package a Word or an Excel file.
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
# The stream that makes an OLE2 file a Word or an Excel file (installers are OLE2 too).
# Stream names sit in the file's directory in UTF-16LE.
OLE2_MAIN_STREAMS = {
    "doc": ("WordDocument".encode("utf-16-le"),),
    "xls": ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le")),
}


def max_bytes() -> int:
    return int(getattr(settings, "CHAINS_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(upload) -> str:
    """The file type of an upload ("pdf", "docx", ...), or a DomainError saying why not."""
    limit = max_bytes()
    if upload.size > limit:
        raise DomainError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
            field="file",
        )
    claimed = _extension(upload.name or "")
    if claimed not in CONTENT_TYPES:
        raise DomainError(_("Only PDF, Word and Excel files can be uploaded."), code="file_type_refused", field="file")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if claimed == "pdf":
        matches = head.startswith(b"%PDF-")
    elif claimed in ("doc", "xls"):
        matches = head == OLE2_MAGIC and _ole2_has(upload, OLE2_MAIN_STREAMS[claimed])
    else:
        matches = head.startswith(ZIP_MAGIC) and _zip_has(upload, OOXML_MAIN_PART[claimed])
    upload.seek(0)
    if not matches:
        raise DomainError(
            _("The file's content is not a %(type)s file; it was refused.") % {"type": claimed.upper()},
            code="file_content_refused",
            field="file",
        )
    return claimed


def _zip_has(upload, part: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and part in names


def _ole2_has(upload, names: tuple[bytes, ...]) -> bool:
    upload.seek(0)
    content = upload.read(max_bytes())  # at most the size limit, already checked
    upload.seek(0)
    return any(name in content for name in names)


def download(document) -> FileResponse:
    """A stored document (a `file`, `title` and `file_type`) as an attachment that the
    browser neither guesses the type of nor keeps in its cache; 404 when the file is gone."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.title}.{document.file_type}",
        content_type=CONTENT_TYPES.get(document.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
