"""Files that people upload through the site or the API, read with the same limit as the
command line's files (``settings.IMPORT_MAX_MB``), and refused before they are read."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .problems import Problem, Problems
from .text import too_large


def import_max_bytes() -> int:
    return int(settings.IMPORT_MAX_MB) * 1024 * 1024


def read_upload(upload: UploadedFile) -> bytes:
    """The upload's bytes; :class:`Problems` (refused, naming the file) when it is larger than
    the import limit, so that a huge file is never held in memory whole."""
    limit = import_max_bytes()
    size = upload.size or 0
    if size > limit:
        raise Problems([Problem(too_large(size, limit), source=upload.name, refused=True)])
    return upload.read()
