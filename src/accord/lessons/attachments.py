"""What an uploaded attachment is, judged by its content rather than its name: a PDF, an Office
document (Word, Excel, PowerPoint, old or new) or an image (PNG, JPEG, GIF). Anything else, or
a file whose name says one kind and whose content another, is refused.

Pure module: imports no Django.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from accord.core.problems import Problem, Problems

#: The largest attachment, in bytes.
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("PDF", "application/pdf", (".pdf",))
PNG = Kind("PNG image", "image/png", (".png",))
JPEG = Kind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = Kind("GIF image", "image/gif", (".gif",))
DOCX = Kind(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = Kind(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = Kind(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
LEGACY_OFFICE = Kind(
    "Office document (97-2003)", "application/octet-stream", (".doc", ".xls", ".ppt")
)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


def _ooxml(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in _OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def sniff(data: bytes) -> Kind | None:
    """The kind the content is, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data.startswith(_OLE):
        return LEGACY_OFFICE
    if data.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    return None


def check(name: str, data: bytes) -> Kind:
    """The attachment's kind; Problems (field ``file``) for one too large, of a kind not taken,
    or whose name's extension is not its content's."""
    if len(data) > MAX_BYTES:
        raise Problems(
            [
                Problem(
                    f"must be at most {MAX_BYTES // (1024 * 1024)} MB", field="file", refused=True
                )
            ]
        )
    if not data:
        raise Problems([Problem("is empty", field="file")])
    kind = sniff(data)
    if kind is None:
        raise Problems(
            [
                Problem(
                    "must be a PDF, an Office document or an image (PNG, JPEG, GIF)", field="file"
                )
            ]
        )
    lowered = name.lower()
    if not lowered.endswith(kind.extensions):
        raise Problems(
            [
                Problem(
                    f"is a {kind.label} by its content, but its name does not end "
                    f"{' or '.join(kind.extensions)}",
                    field="file",
                )
            ]
        )
    return kind
