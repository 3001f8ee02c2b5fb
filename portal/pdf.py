"""Render PDFs (receipts, certificates) with WeasyPrint, safely."""

from __future__ import annotations

import atexit
import base64
import binascii
import gc
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date, format_datetime
from flask import current_app, render_template

if TYPE_CHECKING:
    from pydyf import PDF
    from weasyprint import CSS
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
#: The house print stylesheet, exactly as templates/pdf/base.html links it. html_to_pdf parses
#: it once per thread (and again when the file changes) instead of once per document: parsing
#: it was about a tenth of a certificate's rendering time.
HOUSE_STYLESHEET = "pdf/print.css"
HOUSE_STYLESHEET_LINK = f'<link rel="stylesheet" href="{HOUSE_STYLESHEET}">'
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


#: The papers a document may be printed on, as CSS page sizes (print.css says A4).
PAPER_SIZES = {"A4": "A4", "Letter": "letter"}


class PdfTemplate(Protocol):
    """A template rendered outside Flask's environment (a sandboxed certificate layout)."""

    paper: str

    def render(self, context: Mapping[str, object]) -> str:
        """Return the document's HTML for `context`."""


#: Printed across every page of a test case's PDFs (`render_into`).
TEST_STAMP = "PRUEBA — SIN VALIDEZ"
#: What a test case's document says where a real one's QR code would be, as an image (a
#: version's own layout draws `qr` where it likes). Not a QR code: nothing to scan.
TEST_QR = (
    "data:image/svg+xml;base64,"
    + base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120">'
        b'<rect x="2" y="2" width="116" height="116" fill="#fff"'
        b' stroke="#b40000" stroke-width="3"/>'
        b'<g fill="#b40000" font-family="sans-serif" font-weight="bold" text-anchor="middle">'
        b'<text x="60" y="52" font-size="18">PRUEBA</text>'
        b'<text x="60" y="74" font-size="12">SIN VALIDEZ</text>'
        b'<text x="60" y="92" font-size="9">sin c\xc3\xb3digo QR</text></g></svg>'
    ).decode()
)
#: A test case's document prints no way to check or follow it: its case is seen only in test
#: mode (/verificar, /seguimiento and the case's page know nothing of it) and is deleted when
#: the draft is published, so a code or a link printed on it would answer "unknown" or 404.
#: The documents say instead that they are a test without validity (`test_document`).
TEST_BLANKS = {
    "verification_code": "",
    "verification_url": "",
    "qr": TEST_QR,
    "status_url": "",
    "tracking_code": "",
    "tracking_url": "",
    "claim_code": "",
    "claim_url": "",
}


def render_pdf(
    template_name: str | PdfTemplate, context: Mapping[str, object], *, stamp: str | None = None
) -> bytes:
    """Render a template in the current app context and return PDF bytes.

    A name (`pdf/receipt.html`) is rendered with flask.render_template (autoescaped; applicant
    data stays data) plus ``pdf_format``, the Spanish date formatters (PdfFormat). A
    `PdfTemplate` renders its own HTML (in Jinja's sandbox, for certificate layouts) and names
    its paper (`PAPER_SIZES`).

    Relative URLs in the template resolve against the app's static folder; the fetcher serves
    files from there and inline PNG/SVG images, nothing else. Attachments are never embedded.

    Raises:
        ResourceRefused: the document referenced a file outside static/, a network URL, or a
            data: URI that is not a PNG or SVG image.
        PdfRenderError: WeasyPrint reported an error (an image it could not decode or draw,
            an image without alt text in this tagged PDF); a certificate missing its QR code
            or stylesheet is never returned.
    """
    if not isinstance(template_name, str):
        return html_to_pdf(stamped(template_name.render(context), stamp), paper=template_name.paper)
    if FORMAT_NAME in context:
        raise ValueError(f"{FORMAT_NAME!r} is reserved for the PDF date formatters")
    return html_to_pdf(
        stamped(render_template(template_name, **context, **{FORMAT_NAME: PdfFormat}), stamp)
    )


def stamped(html_source: str, stamp: str | None) -> str:
    """The document with `stamp` across every page (a fixed element repeats on each page);
    the layout's own styles cannot hide it (inline, `!important`). Test cases' documents
    ("PRUEBA — SIN VALIDEZ") and the editor's previews ("VISTA PREVIA") carry one."""
    if not stamp:
        return html_source
    mark = render_template("pdf/_stamp.html", stamp=stamp)
    head, found, tail = html_source.rpartition("</body>")
    return f"{head}{mark}{found}{tail}" if found else html_source + mark


def html_to_pdf(html_source: str, *, paper: str | None = None) -> bytes:
    """Return the PDF of an HTML document, its resources fetched from static/ only.

    Args:
        html_source: The document; relative URLs resolve against static/.
        paper: A key of `PAPER_SIZES`; it overrides the stylesheets' page size. None keeps
            theirs (A4 in print.css).

    Raises:
        ResourceRefused, PdfRenderError: as `render_pdf`.
    """
    static_root = _static_root()

    # Lazy: a heavy import that only rendering jobs should pay for.
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(static_root)
    with _weasyprint_errors() as errors:
        try:
            stylesheets = []
            if HOUSE_STYLESHEET_LINK in html_source:
                # The same stylesheet, already parsed, as a user stylesheet: a layout's own
                # <style> still overrides it, as it did when it came after the link.
                html_source = html_source.replace(HOUSE_STYLESHEET_LINK, "", 1)
                stylesheets.append(_house_stylesheet(static_root, fetcher))
            if paper:
                stylesheets.append(_paper_stylesheet(paper))
            html = weasyprint.HTML(
                string=html_source, base_url=str(static_root), url_fetcher=fetcher
            )
            document = html.render(
                stylesheets=stylesheets, font_config=_font_config(), presentational_hints=False
            )
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


def render_into(
    row,
    template_name: str,
    context: Mapping[str, object],
    *,
    prefix: str,
    name: str | None = None,
    signer=None,
    test: bool = False,
) -> None:
    """Render a PDF, sign it, and keep it on the row that issues it (flush only; the caller
    locked it).

    A test case's document (`test`, `portal.testcases`) is stamped `TEST_STAMP` on every page
    and never signed: no authority's key touches it, and /verificar finds no signature in it.
    It carries no verification code, QR code or link to its case (`TEST_BLANKS`).

    `row` has `pdf_key` (where storage keeps the file, under `prefix`), `sha256` (hex digest of
    the stored, signed bytes) and `rendered_at`, as issued documents and payment orders do.
    With `name` the file is `<prefix>/<name>.pdf`, overwritten by a later run (a run that died
    before its commit leaves no second file); without it, a new random name.
    `signer` (a portal.signing.DocumentSigner) names who signs: its name and role are printed
    (context `signer_name`, `signer_role`) and the PDF is signed with its authority's key.
    """
    import hashlib

    from portal.extensions import db, utcnow
    from portal.storage import storage

    if signer is not None:
        context = {**context, "signer_name": signer.name, "signer_role": signer.role}
    context = {**context, "test_document": test}  # says "sin firma" where the signer would be
    if test:
        context |= TEST_BLANKS
    pdf = render_pdf(template_name, context, stamp=TEST_STAMP if test else None)
    if signer is not None and not test:
        from portal.signing import sign_pdf

        pdf = sign_pdf(
            pdf,
            authority=signer.authority,
            signer_name=signer.name,
            signer_role=signer.role,
            reason=signer.reason,
        )
    row.pdf_key = storage().put(pdf, prefix=prefix, suffix=".pdf", name=name)
    _pause_for_fault_tests()
    row.sha256 = hashlib.sha256(pdf).hexdigest()
    row.rendered_at = utcnow()
    db.session.flush()


def _pause_for_fault_tests() -> None:
    """Wait `PDF_STORED_PAUSE_SECONDS` (0 but in a fault test that kills the worker here)."""
    pause = float(current_app.config.get("PDF_STORED_PAUSE_SECONDS") or 0)
    if pause > 0:
        import time

        time.sleep(pause)


def qr_png_data_uri(url: str) -> str:
    """Return a data: URI of a PNG QR code (segno, error correction 'M', black on white, a
    4-module quiet zone) of url, 4 pixels a module.

    For PDFs: print.css draws it at 38 mm with `image-rendering: pixelated`, so every module
    stays a sharp square; a version's own layout that draws it at its own size gets about
    43 mm (164 CSS px for a version-4 code), still scannable. A 1-bit PNG of a few hundred
    bytes is cheaper to build and to draw than the SVG (one element per run of modules), which
    took about a tenth of a certificate's rendering time.
    """
    qr = segno.make_qr(url, error="m", boost_error=False)
    return qr.png_data_uri(dark="#000", light="#fff", border=4, scale=4)


def qr_svg_data_uri(url: str) -> str:
    """Return a data: URI of an SVG QR code (segno, error correction 'M', dark on white) of url
    (web pages; PDFs use `qr_png_data_uri`)."""
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


@atexit.register
def _release_fonts() -> None:
    """Free the main thread's Pango font map and stylesheets while the libraries are loaded.

    Left to the interpreter's own teardown, the thread-local FontConfiguration is collected
    after GLib's type plugins are gone, and `g_object_unref` jumps into unloaded code
    (SIGSEGV at exit, seen in gdb). Other threads free theirs when they end.
    """
    _thread_state.__dict__.clear()
    gc.collect()


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


def _house_stylesheet(static_root: Path, fetcher) -> CSS:
    """Return static/pdf/print.css parsed, kept per thread (next to its FontConfiguration)
    and parsed again when the file changes (its path, size or modification time)."""
    import weasyprint

    path = static_root / HOUSE_STYLESHEET
    try:
        stat = path.stat()
    except OSError as exc:
        raise ResourceRefused(f"refused {HOUSE_STYLESHEET!r}: no such file") from exc
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    kept = getattr(_thread_state, "house_stylesheet", None)
    if kept is None or kept[0] != key:
        # Through the fetcher, like the link: a symlink out of static/ is refused.
        stylesheet = weasyprint.CSS(
            url=path.as_uri(),
            url_fetcher=fetcher,
            media_type="print",
            font_config=_font_config(),
        )
        kept = _thread_state.house_stylesheet = (key, stylesheet)
    return kept[1]


def _paper_stylesheet(paper: str) -> CSS:
    """The stylesheet that sets a layout's paper size, parsed once per thread and paper."""
    import weasyprint

    kept = _thread_state.__dict__.setdefault("paper_stylesheets", {})
    if paper not in kept:
        kept[paper] = weasyprint.CSS(
            string=f"@page {{ size: {PAPER_SIZES[paper]} !important; }}",
            font_config=_font_config(),
        )
    return kept[paper]


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
