"""Find active content in an uploaded PDF (scripts, automatic actions, embedded files) with pypdf.

Every object of the file is visited (also those packed in object streams), so an action hidden
in an annotation, a form field or a name tree is found as well as the catalogue's. pypdf
decodes escaped names (`/J#61vaScript` is `/JavaScript`).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

log = logging.getLogger(__name__)

#: Dictionary keys that make a PDF act by itself, and the name shown to people.
_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "AA",
    "/EmbeddedFiles": "EmbeddedFiles",
    "/EF": "EmbeddedFiles",
    "/RichMedia": "RichMedia",
    "/XFA": "XFA",
}
#: Action types (`/S`) that run something or reach outside the file.
_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "Launch",
    "/ImportData": "ImportData",
    "/SubmitForm": "SubmitForm",
    "/GoToE": "EmbeddedFiles",
    "/Rendition": "RichMedia",
}
#: Beyond these, a file is not what an applicant scans or exports: it is refused as unreadable
#: rather than half inspected.
_MAX_OBJECTS = 200_000
_MAX_DEPTH = 64


class _TooComplex(ValueError):
    """The file nests or numbers objects beyond what any real document does."""


@dataclass(frozen=True)
class PdfScan:
    """What a scan found: the kinds of active content (sorted), or that it could not be read."""

    findings: tuple[str, ...] = ()
    readable: bool = True


def scan_pdf(data: bytes) -> PdfScan:
    """Return the kinds of active content in a PDF, such as `("JavaScript", "OpenAction")`.

    A file pypdf cannot parse, or one encrypted with a password to open it, is not readable:
    nobody could review it either.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return PdfScan(readable=False)
        found: set[str] = set()
        for number in _object_numbers(reader):
            _inspect(reader.get_object(number), found)
        _inspect(reader.trailer.get("/Root"), found)
    except (PdfReadError, ValueError, TypeError, KeyError, IndexError, RecursionError) as error:
        log.info("PDF not readable: %s", error)
        return PdfScan(readable=False)
    return PdfScan(findings=tuple(sorted(found)))


def _object_numbers(reader: PdfReader) -> list[int]:
    numbers: set[int] = set()
    for table in reader.xref.values():
        numbers.update(table)
    numbers.update(reader.xref_objStm)
    if len(numbers) > _MAX_OBJECTS:
        raise _TooComplex(f"{len(numbers)} objects")
    return sorted(numbers)


def _acts(open_action: object) -> bool:
    """An open action that only shows a page (a destination, or GoTo) is not active content:
    Acrobat writes one into many ordinary files. Any other action is."""
    target = open_action.get_object() if isinstance(open_action, IndirectObject) else open_action
    if isinstance(target, DictionaryObject):
        return target.get("/S") != "/GoTo"
    return not isinstance(target, ArrayObject)


def _inspect(value: object, found: set[str], depth: int = 0) -> None:
    """Look at one object and its direct (not referenced) children; references are visited
    on their own, by number."""
    if depth > _MAX_DEPTH:
        raise _TooComplex(f"objects nested deeper than {_MAX_DEPTH}")
    if isinstance(value, IndirectObject):
        return
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key == "/OpenAction" and _acts(item):
                found.add("OpenAction")
            if key in _ACTIVE_KEYS:
                found.add(_ACTIVE_KEYS[key])
            if key == "/S" and isinstance(item, NameObject) and item in _ACTIVE_ACTIONS:
                found.add(_ACTIVE_ACTIONS[item])
            _inspect(item, found, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in value:
            _inspect(item, found, depth + 1)
