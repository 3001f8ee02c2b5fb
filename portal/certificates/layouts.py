"""Certificate layouts: the built-in one and a procedure version's own, one sandboxed path.

Every certificate renders through `Layout` in Jinja's `ImmutableSandboxedEnvironment`
(autoescaped, no globals) with a context of primitives only (`primitives`): strings, numbers,
booleans, None, and lists and dicts of those; dates arrive already written out. A version's
own layout (`certificate.layout` in its definition) is checked by
`portal.certificates.layout_checks.layout_problems` before the
definition is accepted (seeding, import, publishing): it parses, it uses only the names of
`CONTEXT_NAMES`, it loads nothing but relative paths into static/ and PNG/SVG data: images, it
includes and imports nothing and extends only `BASES`, and a render with `SAMPLE` gives one or
two pages of its paper. At render time the PDF fetcher serves static/ only, whatever passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from jinja2 import FunctionLoader, StrictUndefined, Template, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: The built-in layouts a definition's `certificate.template` may name, and their files.
CERTIFICATE_TEMPLATES = {"certificate": "pdf/certificate.html"}
#: What a version's own layout may `{% extends %}`: the frame every PDF shares, and the
#: built-in certificate (to replace some of its blocks).
BASES = frozenset({"pdf/base.html", "pdf/certificate.html"})

#: The names a certificate layout may use, all primitives (documented for definition authors
#: in docs/procedure-definitions.md).
CONTEXT_NAMES = {
    "authority_name": "the issuing authority's name",
    "authority_code": "its code (0511, OPAMSS)",
    "authority_logo": "its logo, a path into static/ (the portal's when it has none)",
    "place": "the authority's seat, where the document is issued",
    "procedure_title": "the document's title",
    "tracking_number": "the case's number",
    "tracking_code": "the code to follow the case (empty on a test document)",
    "tracking_url": "where to follow it (empty on a test document)",
    "status_url": "the case's page (empty on a test document)",
    "holder_name": "the holder (legal unit or trade name)",
    "applicant_name": "the same, as receipts call it",
    "district_name": "the district where the case happens, or empty",
    "decision_label": "the decision, in capitals",
    "decision_data": "[label, value] pairs the deciding officer gave",
    "decision_comment": "the officer's comment at the decision",
    "conditions": "the conditions, when approved with conditions; else empty",
    "reasoned_text": "the reasoned text, when not approved with conditions; else empty",
    "legal_basis": "the laws and articles the procedure rests on (list of texts)",
    "data_summary": "[label, value] pairs: the first answers of the application",
    "documents": "titles of the documents received",
    "validity_text": "how long the permit lasts, in words, or empty",
    "valid_until": "its last day, written out (30 de noviembre de 2027), or empty",
    "issued_on": "the issue date, written out (30 de noviembre de 2026)",
    "issued_at": "the issue date and time (30/11/2026 10:00)",
    "filed_at": "when the case was filed (dd/mm/yyyy HH:mm)",
    "due_date": "the legal due date, written out, or empty",
    "signer_name": "who signs, or empty",
    "signer_role": "the signer's position, or empty",
    "test_document": "true on a test case's document (admin test mode): never signed, and "
    "with no verification code, QR code or link (say it is a test without validity)",
    "serial": "the document's serial number, or empty",
    "status": "the document's status (valid, expired, revoked, replaced), or empty",
    "verification_code": "the code to verify the document (empty on a test document)",
    "verification_url": "where to verify it (the QR code's address; empty on a test document)",
    "qr": "the QR code, a PNG data: image (4 px a module: 43 mm at its own size); on a test "
    "document an image saying PRUEBA, SIN VALIDEZ instead",
    "medium": "how the case was filed",
    "claim_code": "the code to claim a counter case online, or empty",
    "claim_url": "where to claim it, or empty",
    "legal_note": "the legal note of receipts",
    "paper": "A4 or Letter",
}
#: Names a template has without the context: its own blocks (`self.footer()`) and loops.
JINJA_NAMES = frozenset({"self", "loop", "super", "caller", "varargs", "kwargs"})
#: Context values a link (`<a href>`) may point to; everything loaded must be in static/.
LINK_NAMES = ("verification_url", "status_url", "tracking_url", "claim_url")


class LayoutError(Exception):
    """A layout could not be rendered (a SecurityError, an undefined name)."""


#: The portal's own decision layouts rendered in the sandbox too, by document kind: the
#: resolution of a denial extends the certificate (its frame and closing block).
DECISION_TEMPLATES = {"resolution": "pdf/resolution.html"}

sandbox = ImmutableSandboxedEnvironment(
    loader=FunctionLoader(
        lambda name: (
            (TEMPLATES / name).read_text(encoding="utf-8")
            if name in BASES or name in DECISION_TEMPLATES.values()
            else None
        )
    ),
    autoescape=True,
    undefined=StrictUndefined,
    auto_reload=False,
)
# No range, dict, lipsum, cycler, joiner or namespace: a layout has its context and nothing else.
sandbox.globals.clear()


@dataclass(frozen=True)
class Layout:
    """A certificate layout ready to render (a `portal.pdf.PdfTemplate`)."""

    template: Template
    paper: str

    def render(self, context: Mapping[str, object]) -> str:
        """Return the HTML of the layout for `context`, made of primitives (`primitives`).

        Raises:
            LayoutError: the sandbox refused something, or a name is missing.
        """
        values = dict.fromkeys(CONTEXT_NAMES, "") | primitives(context) | {"paper": self.paper}
        try:
            return self.template.render(values)
        except (TemplateError, ArithmeticError, TypeError, ValueError, RecursionError) as error:
            raise LayoutError(f"{type(error).__name__}: {error}") from error


def layout_for(spec) -> Layout:
    """Return the layout of a definition's `certificate` section (its own, or a built-in)."""
    if spec.layout is not None:
        return Layout(_compiled(spec.layout), spec.paper_size)
    return Layout(sandbox.get_template(CERTIFICATE_TEMPLATES[spec.template]), spec.paper_size)


def decision_layout(kind: str, spec) -> Layout:
    """Return the portal's layout of a decision document of `kind` (`DECISION_TEMPLATES`), on
    the paper of the procedure's certificate (`spec`, None when it has none: A4)."""
    paper = spec.paper_size if spec is not None else "A4"
    return Layout(sandbox.get_template(DECISION_TEMPLATES[kind]), paper)


@lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    return sandbox.from_string(source)


def primitives(value):
    """Return `value` made of str, int, float, bool, None, lists and dicts only.

    Dates become "30 de noviembre de 2026", datetimes "30/11/2026 10:00" (San Salvador),
    Decimals their digits; a str subclass (Markup) becomes a plain str, so it is escaped.

    Raises:
        TypeError: anything else (an ORM object, a callable).
    """
    from portal.pdf import PdfFormat

    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return PdfFormat.date_time(value)
    if isinstance(value, date):
        return PdfFormat.long_date(value)
    if isinstance(value, list | tuple):
        return [primitives(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): primitives(item) for key, item in value.items()}
    raise TypeError(f"a {type(value).__name__} cannot enter a certificate layout")
