"""Render PDFs (receipts, certificates) with WeasyPrint, safely."""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date, format_datetime
from flask import current_app, render_template

if TYPE_CHECKING:
    from pydyf import PDF
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration

AUTHOR = "Ventanilla Única AMSS"
LANG = "es"
# Documents show El Salvador's wall-clock time (UTC-6, no DST), whatever the server's zone.
LOCAL_TIMEZONE = ZoneInfo("America/El_Salvador")
# Name under which render_pdf passes the date/time formatters to every PDF template.
FORMAT_NAME = "pdf_format"

# What the fetcher serves from static/, by suffix. Anything else there (JS, maps, sources) is
# refused, so a template can only pull in print assets.
STATIC_CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml; charset=utf-8",
}
DATA_CONTENT_TYPES = frozenset({"image/png", "image/svg+xml"})
MAX_RESOURCE_BYTES = 5 * 1024 * 1024


class PdfError(Exception):
    """Base class for PDF rendering failures."""


class ResourceRefused(PdfError):
    """A document referenced a resource the PDF fetcher does not serve."""


class PdfRenderError(PdfError):
    """WeasyPrint could not load or draw part of the document; no PDF was produced."""


@dataclass(frozen=True)
class Resource:
    """Bytes the fetcher hands to WeasyPrint."""

    body: bytes
    content_type: str


def render_pdf(template_name: str, context: Mapping[str, object]) -> bytes:
    """Render templates/<template_name> in the current app context and return PDF bytes.

    The template is rendered with flask.render_template (autoescaped; applicant data stays data)
    plus ``pdf_format``, the Spanish date formatters (PdfFormat).

    Relative URLs in the template resolve against the app's static folder; the fetcher serves
    files from there and inline PNG/SVG images, nothing else. Attachments are never embedded.

    Raises:
        ResourceRefused: the document referenced a file outside static/, a network URL, or a
            data: URI that is not a PNG or SVG image.
        PdfRenderError: WeasyPrint reported an error (an image it could not decode or draw,
            an image without alt text in this tagged PDF); a certificate missing its QR code
            or stylesheet is never returned.
    """
    if FORMAT_NAME in context:
        raise ValueError(f"{FORMAT_NAME!r} is reserved for the PDF date formatters")
    static_root = _static_root()
    html_source = render_template(template_name, **context, **{FORMAT_NAME: PdfFormat})

    # Lazy: a heavy import that only rendering jobs should pay for.
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(static_root)
    with _weasyprint_errors() as errors:
        try:
            html = weasyprint.HTML(
                string=html_source, base_url=str(static_root), url_fetcher=fetcher
            )
            document = html.render(font_config=_font_config(), presentational_hints=False)
            _finish_metadata(document)
            # Tagged PDF: screen readers get headings, tables and reading order (~5% slower).
            pdf = document.write_pdf(attachments=None, pdf_tags=True, finisher=_set_producer)
        except FatalURLFetchingError as exc:
            cause = exc.__cause__
            if isinstance(cause, PdfError):
                raise cause from None
            raise PdfRenderError(f"{exc}: {cause}") from cause
    if errors:
        raise PdfRenderError("WeasyPrint reported: " + " | ".join(errors))
    return pdf


def render_into(row, template_name: str, context: Mapping[str, object], *, prefix: str) -> None:
    """Render a PDF and keep it on the row that issues it (flush only; the caller locked it).

    `row` has `pdf_key` (where storage keeps the file, under `prefix`), `sha256` (hex digest of
    the bytes) and `rendered_at`, as issued documents and payment orders do.
    """
    import hashlib

    from portal.extensions import db, utcnow
    from portal.storage import storage

    pdf = render_pdf(template_name, context)
    row.pdf_key = storage().put(pdf, prefix=prefix, suffix=".pdf")
    row.sha256 = hashlib.sha256(pdf).hexdigest()
    row.rendered_at = utcnow()
    db.session.flush()


def qr_svg_data_uri(url: str) -> str:
    """Return a data: URI of an SVG QR code (segno, error correction 'M', dark on white) of url."""
    qr = segno.make_qr(url, error="m", boost_error=False)
    # omitsize keeps only the viewBox, so CSS sets the printed size.
    return qr.svg_data_uri(dark="#000", light="#fff", border=4, omitsize=True)


class PdfFormat:
    """Spanish date and time formats for documents, whatever the reader's UI locale."""

    @staticmethod
    def long_date(value: date | datetime) -> str:
        """Format as "22 de noviembre de 2026"."""
        return format_date(_local(value), "d 'de' MMMM 'de' y", locale=LANG)

    @staticmethod
    def date_time(value: datetime) -> str:
        """Format as "22/11/2026 10:15"."""
        return format_datetime(_local(value), "dd/MM/y HH:mm", locale=LANG)

    @staticmethod
    def time(value: datetime) -> str:
        """Format as "10:15"."""
        return format_datetime(_local(value), "HH:mm", locale=LANG)


def _local(value: date | datetime) -> date | datetime:
    """Convert a datetime to San Salvador time; refuse naive ones, as UTCDateTime does."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} in a PDF: pass an aware one")
    return value.astimezone(LOCAL_TIMEZONE)


def load_resource(url: str, static_root: Path) -> Resource:
    """Return the bytes WeasyPrint may use for url, or raise ResourceRefused.

    Serves regular files under static_root with an allowed suffix, and data: URIs holding a PNG
    or SVG image. Refuses every other scheme (http, https, ftp, ...), file:// URLs outside
    static_root (after resolving symlinks and ".."), and anything over MAX_RESOURCE_BYTES.
    """
    shown = url if len(url) <= 120 else url[:117] + "..."
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return _load_data_uri(url, shown)
    if scheme != "file":
        raise ResourceRefused(f"refused {shown!r}: PDFs may only use files from static/")
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"refused {shown!r}: remote file host")
    try:
        path = Path(url2pathname(parts.path)).resolve(strict=True)
    except (OSError, ValueError, RuntimeError) as exc:
        raise ResourceRefused(f"refused {shown!r}: no such file ({type(exc).__name__})") from exc
    if not path.is_relative_to(static_root):
        raise ResourceRefused(f"refused {shown!r}: outside static/")
    content_type = STATIC_CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None or not path.is_file():
        raise ResourceRefused(f"refused {shown!r}: not a print asset (css, png, jpeg, svg)")
    if path.stat().st_size > MAX_RESOURCE_BYTES:
        raise ResourceRefused(f"refused {shown!r}: larger than {MAX_RESOURCE_BYTES} bytes")
    return Resource(path.read_bytes(), content_type)


def _load_data_uri(url: str, shown: str) -> Resource:
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise ResourceRefused(f"refused {shown!r}: malformed data: URI")
    params = [param.strip().lower() for param in header.split(";")]
    media_type = params[0]
    if media_type not in DATA_CONTENT_TYPES:
        raise ResourceRefused(f"refused {shown!r}: data: URIs may only hold PNG or SVG images")
    if len(payload) > MAX_RESOURCE_BYTES * 2:
        raise ResourceRefused(f"refused {shown!r}: larger than {MAX_RESOURCE_BYTES} bytes")
    body = unquote_to_bytes(payload)
    if "base64" in params[1:]:
        try:
            body = base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise ResourceRefused(f"refused {shown!r}: invalid base64") from exc
    return Resource(body, media_type)


def _static_root() -> Path:
    folder = current_app.static_folder
    if folder is None:
        raise RuntimeError("render_pdf needs an app with a static folder")
    return Path(folder).resolve(strict=True)


@cache
def _fetcher_class() -> type:
    # Built on first use so that importing this module does not import WeasyPrint.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint URL fetcher that serves static/ and inline images, and nothing else."""

        def __init__(self, static_root: Path) -> None:
            # fail_on_errors: a refused resource stops the render instead of being skipped.
            super().__init__(
                allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True
            )
            self._static_root = static_root

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            resource = load_resource(url, self._static_root)
            return URLFetcherResponse(url, resource.body, {"Content-Type": resource.content_type})

    return StaticOnlyFetcher


_thread_state = threading.local()


def _font_config() -> FontConfiguration:
    """Return this thread's FontConfiguration, created on first use.

    WeasyPrint makes a new one per render when given none, and each one leaks about 0.2 MiB of
    fontconfig/Pango memory (measured with WeasyPrint 70: +33 MiB over 200 renders, flat when
    shared) and reloads the system fonts. Pango font maps are not thread-safe, hence per thread.
    """
    font_config = getattr(_thread_state, "font_config", None)
    if font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        font_config = _thread_state.font_config = FontConfiguration()
    return font_config


def _finish_metadata(document: Document) -> None:
    """Set the PDF metadata and drop attachments before anything is written."""
    metadata = document.metadata
    metadata.title = metadata.title or AUTHOR
    metadata.authors = [AUTHOR]
    metadata.generator = AUTHOR  # not "WeasyPrint <version>"
    metadata.lang = LANG
    # <link rel="attachment"> and <a rel="attachment"> would embed files into the PDF; their
    # content is only fetched when the PDF is written, so dropping them here means never.
    metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def _set_producer(document: Document, pdf: PDF) -> None:
    """Name the service, not the library version, as the PDF producer."""
    import pydyf

    pdf.info["Producer"] = pydyf.String(AUTHOR)


class _ErrorCollector(logging.Handler):
    """Collect WeasyPrint's ERROR records (unloadable resources) for the current thread."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # No thread id (logging.logThreads off): keep the record, failing closed.
        if record.thread in (self.thread, None):
            message = record.getMessage()
            self.messages.append(message if len(message) <= 300 else message[:297] + "...")


@contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    # WeasyPrint logs and skips some failures (an SVG that cannot be drawn, an image it cannot
    # decode) even with fail_on_errors; collecting them lets render_pdf fail closed.
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
