"""What the public verification page answers about a document: by its code or its file.

No sign-in: the answer names the document and its type, the procedure, the decision it records
(its state's label and kind, read from the definition), its issuing office, serial, holder (a
legal person's name or a trade name, never a natural person's data: `bindings.public_holder`),
issue date, last day and current status, with the chain of replacements both ways and the
status of its end. Payment orders (mandamientos) are verifiable too: type, office, serial,
amount, due date and status, no personal data. What a person types is read by one rule
(`portal.tracking.services.typed_code`). An uploaded PDF is found by its SHA-256 and its
signature checked (`portal.signing.check_signature`); a file that names one of our codes or
serials (in its text, or in its bytes when it cannot be parsed) but is not the stored one, or
that carries one of our signatures over other bytes, is reported altered.

Only the 16-character code (77 random bits) opens a document's answer. Serials are printed
and consecutive per office, type and year: answering for a typed serial, or showing the data
of the document a forged file's serial names, would let anyone list every document by
counting. A typed serial gets a message asking for the code
(`portal.tracking.services.names_a_serial`); a file naming a
serial but no code of ours is altered, without any stored document's data.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.applications.clocks import local_date
from portal.applications.models import Application, real_cases
from portal.certificates.models import IssuedDocument
from portal.certificates.serials import TEST_PREFIX
from portal.certificates.services import get_by_code
from portal.errors import InvalidInput
from portal.extensions import db
from portal.payments.models import PaymentOrder
from portal.pdf import TEST_STAMP
from portal.procedures.services import definition_of
from portal.tracking.services import (
    CODE_ALPHABET,
    SERIAL_SHAPE,
    VERIFICATION_CODE_LENGTH,
    display_code,
    verification_keys,
)
from workflows.model import APPROVED_KINDS

#: Answers: a document's status (`IssuedDocument.STATUSES`), or about a file or code; TEST
#: for a file that shows it is a test case's document (stamped, or with a test serial).
UNKNOWN, ALTERED, TEST = "unknown", "altered", "test"
#: Largest PDF taken for checking (a certificate is a few hundred kilobytes).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A code printed on one of our documents: four groups of four of the alphabet, or 16 hex digits.
_GROUP = f"[{CODE_ALPHABET}]{{4}}"
# A test case's serial as printed (`portal.certificates.serials.next_serial`).
_TEST_SERIAL = re.compile(rf"\b{TEST_PREFIX}-[A-Z]{{2,6}}-[0-9A-F]{{16}}\b")
_PRINTED_CODE = re.compile(
    rf"\b({_GROUP}(?:-{_GROUP}){{{VERIFICATION_CODE_LENGTH // 4 - 1}}}|[0-9A-F]{{16}})\b"
)


@dataclass(frozen=True)
class Link:
    """Another document of the chain, as the page links it."""

    code: str
    issued_on: date
    status: str = ""


@dataclass(frozen=True)
class Order:
    """What the page shows of a payment order: no personal data."""

    number: str
    amount: object
    due_on: date | None
    status: str  # 'pending' | 'paid' | 'cancelled'


@dataclass(frozen=True)
class Answer:
    """The verification page's answer."""

    outcome: str
    document: IssuedDocument | None = None
    kind: str = ""
    title: dict = field(default_factory=dict)
    authority_name: str = ""
    tracking_number: str = ""
    serial: str | None = None
    holder: str | None = None
    issued_on: date | None = None
    valid_until: date | None = None
    revoked_on: date | None = None
    revocation_reason: str | None = None
    # Public, like the revocation's (checked for a person's identifiers when written): why
    # this document replaced the one before it, and why the next one replaced it.
    replacement_reason: str | None = None
    replaced_reason: str | None = None
    replaced_by: Link | None = None
    replaces: tuple[Link, ...] = ()
    replaced_later: tuple[Link, ...] = ()
    code: str = ""
    signature: object | None = None
    procedure_title: dict = field(default_factory=dict)
    # The decision the document records: its state's label and kind, from the definition.
    decision_label: dict = field(default_factory=dict)
    decision_kind: str = ""
    # The last document of the replacement chain (itself when not replaced), with its status.
    chain_end: Link | None = None
    order: Order | None = None
    sha256: str | None = None

    @property
    def found(self) -> bool:
        return self.document is not None or self.order is not None

    @property
    def authentic(self) -> bool:
        return self.found and self.outcome != ALTERED

    @property
    def favorable(self) -> bool:
        return self.decision_kind in APPROVED_KINDS

    @property
    def denial(self) -> bool:
        return self.decision_kind == "denied"


def _link(document: IssuedDocument) -> Link:
    return Link(display_code(document.code), local_date(document.issued_at), document.status)


def answer_for(document: IssuedDocument, outcome: str | None = None, signature=None) -> Answer:
    """The public answer about a stored document (its status unless `outcome` says otherwise)."""
    from portal.applications.bindings import public_holder

    application = document.application
    definition = definition_of(application.procedure_version)
    earlier, cursor = [], document.replaces
    while cursor is not None:
        earlier.append(_link(cursor))
        cursor = cursor.replaces
    later, cursor = [], document.replaced_by
    while cursor is not None:
        later.append(_link(cursor))
        cursor = cursor.replaced_by
    decision_label, decision_kind = {}, ""
    if document.kind != "receipt" and document.decision:
        try:
            state = definition.state(document.decision)
        except KeyError:
            state = None
        if state is not None:
            decision_label = {"es": state.label.es, "en": state.label.en}
            decision_kind = state.kind
    return Answer(
        outcome=outcome or document.status,
        document=document,
        procedure_title={"es": definition.title.es, "en": definition.title.en},
        decision_label=decision_label,
        decision_kind=decision_kind,
        chain_end=later[-1] if later else None,
        sha256=document.sha256,
        kind=document.kind,
        title=document.title,
        authority_name=application.authority.name,
        tracking_number=application.tracking_number or "",
        serial=getattr(document, "serial", None),
        holder=public_holder(application, definition) if document.kind != "receipt" else None,
        issued_on=local_date(document.issued_at),
        valid_until=document.valid_until,
        revoked_on=local_date(document.revoked_at) if document.revoked_at else None,
        revocation_reason=document.revocation_reason,
        replacement_reason=document.replacement_reason,
        replaced_reason=document.replaced_by.replacement_reason if document.replaced_by else None,
        replaced_by=later[0] if later else None,
        replaces=tuple(earlier),
        replaced_later=tuple(later[1:]),
        code=display_code(document.code),
        signature=signature,
    )


def order_answer(order: PaymentOrder, outcome: str | None = None, signature=None) -> Answer:
    """The public answer about a payment order: type, office, serial, amount, due date, status."""
    application = db.session.get(Application, order.application_id)
    definition = definition_of(application.procedure_version)
    return Answer(
        outcome=outcome or "order",
        kind="payment_order",
        authority_name=application.authority.name,
        tracking_number=application.tracking_number or "",
        serial=order.serial,
        issued_on=local_date(order.issued_at),
        code=display_code(order.code),
        signature=signature,
        procedure_title={"es": definition.title.es, "en": definition.title.en},
        order=Order(order.number, order.amount, order.due_on, order.status),
        sha256=order.sha256,
    )


def public(model) -> sa.ColumnElement[bool]:
    """The clause every look-up of this page adds: a document or payment order of a test case
    (`portal.testcases`) is unknown here, whatever code, serial or file names it."""
    return model.application_id.in_(sa.select(Application.id).where(real_cases()))


def _order_by_code(code: str) -> PaymentOrder | None:
    keys = verification_keys(code)
    if not keys:
        return None
    return db.session.scalar(
        sa.select(PaymentOrder).where(PaymentOrder.code.in_(keys), public(PaymentOrder))
    )


def lookup(text: str, outcome: str | None = None, signature=None) -> Answer | None:
    """The answer for the verification code a text names (of a document or a payment order,
    read by `portal.tracking.services.typed_code`), or None."""
    document = get_by_code(text)
    if document is not None and not document.application.is_test:  # as `public`
        return answer_for(document, outcome, signature)
    order = _order_by_code(text)
    return order_answer(order, outcome, signature) if order is not None else None


def _again(answer: Answer, outcome: str, signature) -> Answer:
    from dataclasses import replace

    return replace(answer, outcome=outcome, signature=signature)


def verify_code(code: str) -> Answer:
    """The answer for a typed or scanned code: the document's; TEST for a test case's (test
    documents print none now, but older ones did); else UNKNOWN."""
    found = lookup(code)
    if found is not None:
        return found
    return Answer(TEST if _names_a_test(code) else UNKNOWN, code=code[:64])


def _names_a_test(code: str) -> bool:
    """Whether a code is that of a test case's document or payment order (`portal.testcases`):
    it says only that, never which case."""
    keys = verification_keys(code)
    tests = sa.select(Application.id).where(Application.is_test)
    return bool(keys) and db.session.scalar(
        sa.select(
            sa.exists().where(
                IssuedDocument.code.in_(keys), IssuedDocument.application_id.in_(tests)
            )
            | sa.exists().where(PaymentOrder.code.in_(keys), PaymentOrder.application_id.in_(tests))
        )
    )


def _names_ours(serial: str) -> bool:
    """Whether a serial is one of our public documents' or payment orders' (true or false is
    all it tells: never which document)."""
    return db.session.scalar(
        sa.select(
            sa.exists().where(IssuedDocument.serial == serial, public(IssuedDocument))
            | sa.exists().where(PaymentOrder.serial == serial, public(PaymentOrder))
        )
    )


def _printed_codes(pdf: bytes) -> tuple[list[str], list[str], bool]:
    """The verification codes and the serials the PDF shows, and whether it shows it is a
    test: in its text, or when it cannot be parsed, in its raw bytes (a damaged copy of one
    of ours still names them)."""
    from pypdf import PdfReader

    try:
        text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # any damage (pypdf raises many kinds): read the bytes instead
        text = ""
    if not text.strip():
        text = pdf.decode("latin-1")
    test = TEST_STAMP in text or _TEST_SERIAL.search(text) is not None
    return _PRINTED_CODE.findall(text), SERIAL_SHAPE.findall(text), test


def check_signature(pdf: bytes):
    """The signature check of `portal.signing` (stream SIGN); None where it is not installed."""
    try:
        from portal.signing import check_signature as check
    except ImportError:
        return None
    return check(pdf)


def verify_upload(pdf: bytes) -> Answer:
    """Check that the upload is a PDF by its content (`portal.uploads.sniff`), then answer for
    it (`verify_file`).

    Only sniffed, not refused for active content or damage as attachments are
    (`check_upload`): the file is hashed and read, never stored nor shown, and a damaged or
    doctored PDF deserves its answer (altered or unknown), not a refusal.

    Raises:
        InvalidInput: `empty_file`, `file_too_large` (`max_mb`), `file_type_not_accepted`
            (`types`), `photo_not_verifiable` (an image: a photo or scan of the paper), at
            `document`.
    """
    from portal.uploads import sniff

    problem, kind = sniff(pdf, ("application/pdf",), MAX_UPLOAD_BYTES)
    if kind is not None and kind.mime.startswith("image/"):  # a photo of the paper
        raise InvalidInput("photo_not_verifiable", field="document")
    if problem is not None:
        raise InvalidInput(problem, field="document", max_mb=MAX_UPLOAD_BYTES >> 20, types="PDF")
    return verify_file(pdf)


def verify_file(pdf: bytes) -> Answer:
    """The answer for an uploaded PDF (already sniffed as one).

    Found by its SHA-256: the stored document's status, unless its signature does not hold.
    Not found, but it prints one of our codes or carries a signature that no longer covers its
    bytes: ALTERED (with the stored document's data when the code names one). Else UNKNOWN.
    """
    digest = hashlib.sha256(pdf).hexdigest()
    try:
        signature = check_signature(pdf)
    except Exception:  # a file too damaged to check is answered for, not refused
        signature = None
    document = db.session.scalar(
        sa.select(IssuedDocument)
        .where(IssuedDocument.sha256 == digest, public(IssuedDocument))
        .options(joinedload(IssuedDocument.application).joinedload(Application.authority))
    )
    broken = signature is not None and signature.signed and not signature.intact
    if document is not None:
        return answer_for(document, ALTERED if broken else None, signature)
    order = db.session.scalar(
        sa.select(PaymentOrder).where(PaymentOrder.sha256 == digest, public(PaymentOrder))
    )
    if order is not None:
        return order_answer(order, ALTERED if broken else None, signature)
    codes, serials, test = _printed_codes(pdf)
    named = next(
        (found for code in codes if (found := lookup(code, ALTERED, signature)) is not None),
        None,
    )
    if named is not None:
        return named
    if broken or (signature is not None and signature.signed and signature.trusted):
        return Answer(ALTERED, signature=signature)
    if any(_names_ours(serial) for serial in serials):  # altered, but no data by a serial
        return Answer(ALTERED, signature=signature)
    # A test case's document, as test mode prints it: no code to look up, and no validity.
    return Answer(TEST if test else UNKNOWN, signature=signature)
