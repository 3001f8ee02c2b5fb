"""Checks of an uploaded file: the applicant's documents and the back office's attachments.

The content decides the type, never the name or the browser's claim (as for the applicant's
documents, `portal.applications.services`); the name kept ends with the extension of that
type, so a JPEG sent as `foto.pdf` is stored and later downloaded as `foto.jpg`.
"""

from __future__ import annotations

import filetype

from forms.messages import megabytes
from portal.downloads import clip_name, download_name, uploaded_name
from portal.errors import InvalidInput

#: Brands of an ISO-BMFF `ftyp` box that mark a HEIC/HEIF image (ISO/IEC 23008-12): the
#: iPhone's photos by default ("Alta eficiencia").
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"heif", b"mif1"})
#: The extensions a name may already end with for each detected type (otherwise it is renamed).
SAME_TYPE = {"jpg": ("jpg", "jpeg", "jpe"), "png": ("png",), "pdf": ("pdf",)}


def is_heif(data: bytes) -> bool:
    """Tell whether the bytes are a HEIC/HEIF image: an `ftyp` box at offset 4 whose major
    brand (bytes 8-12) is one of `HEIF_BRANDS`."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


def check_upload(
    data: bytes, *, field: str, accept: tuple[str, ...], max_bytes: int, types: str
) -> tuple[str, str]:
    """Return the (MIME type, extension) of an attached file, found by its content.

    Args:
        data: The bytes sent.
        field: The form field a refusal is shown at.
        accept: The MIME types taken (`image/jpeg`, `image/png`, `application/pdf`).
        max_bytes: The largest size taken.
        types: How people call the accepted types ("JPG o PNG"), for the message.

    Raises:
        InvalidInput: `empty_file` (zero bytes), `file_too_large` (`max_mb`), `photo_heic`
            (an iPhone HEIC photo, with how to send it as JPG), `file_type_not_accepted`
            (`types`), `pdf_unreadable` (a PDF damaged or locked with a password),
            `pdf_active_content` (`findings`: JavaScript, launch actions... by
            `portal.applications.pdfscan.scan_pdf`, as for the applicant's documents), all at
            `field`.
    """
    problem, kind = sniff(data, accept, max_bytes)
    if problem == "file_too_large":
        raise InvalidInput(problem, field=field, max_mb=megabytes(max_bytes))
    if problem == "file_type_not_accepted":
        if is_heif(data) and "image/jpeg" in accept:
            raise InvalidInput("photo_heic", field=field)
        raise InvalidInput(problem, field=field, types=types)
    if problem:
        raise InvalidInput(problem, field=field)
    if kind.mime == "application/pdf":
        from portal.applications.pdfscan import scan_pdf

        scan = scan_pdf(data)
        if not scan.readable:
            raise InvalidInput("pdf_unreadable", field=field)
        if scan.findings:
            raise InvalidInput("pdf_active_content", field=field, findings=", ".join(scan.findings))
    return kind.mime, kind.extension


def sniff(data: bytes, accept: tuple[str, ...], max_bytes: int) -> tuple[str | None, object]:
    """The one check of an uploaded file's bytes, for the applicant's documents and the back
    office's files alike: `(problem, kind)`, where problem is None, `empty_file`,
    `file_too_large` or `file_type_not_accepted`, and kind is `filetype`'s guess (its `mime`
    and `extension`) when the size allowed one. The content decides, never the name."""
    if not data:
        return "empty_file", None
    if len(data) > max_bytes:
        return "file_too_large", None
    kind = filetype.guess(data)
    if kind is None or kind.mime not in accept:
        return "file_type_not_accepted", kind
    return None, kind


def stored_name(sent: str, extension: str, fallback: str) -> str:
    """The name to keep for a file whose content is of type `extension` (`jpg`, `png`, `pdf`).

    The name as the person's device gave it (`uploaded_name`, cleaned by `download_name`),
    with its extension replaced by `extension` when it names another type (`foto.pdf` holding
    a JPEG -> `foto.jpg`) or added when it has none; `fallback` (a stem) when nothing is left.
    Clipped to the stored column, keeping the extension.
    """
    name = download_name(uploaded_name(sent or ""), fallback="")
    stem, dot, current = name.rpartition(".")
    if not dot or not stem:
        stem = name
    elif current.lower() in SAME_TYPE.get(extension, (extension,)):
        return clip_name(name)
    return clip_name(f"{stem or fallback}.{extension}")
