"""Documents people print, rendered for real: where the QR code, the code, the signature and
the place and date land, and that nothing anyone typed leaves the page (issue 6, items 9-11)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import workflows
from portal.applications.effects import LOCAL_TZ, expiry_of
from portal.applications.models import Application, HistoryEntry
from portal.certificates.models import IssuedDocument
from portal.certificates.services import display_rows, read_pdf, render_issued
from portal.extensions import db
from portal.links import verification_url
from portal.pdf import PdfFormat
from portal.procedures.services import definition_of, get_procedure, latest_version
from portal.tracking.services import display_code
from tests.portal import pdf_probe
from tests.portal.helpers import make_applicant, make_staff

DEFINITIONS = sorted((Path(__file__).parents[2] / "workflows" / "definitions").rglob("*.yaml"))
SEEDED = [workflows.load_file(path) for path in DEFINITIONS]
ISSUED_AT = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 10:00 in San Salvador
SIGNER = "Licda. María Fernanda Quintanilla de Rodríguez"

REALISTIC = {
    "text": "Panadería La Espiga",
    "long_text": "Local de 45 m² con dos hornos eléctricos y atención al público de 7:00 a 19:00.",
    "address": "Calle Daniel Hernández y 4.ª Avenida Sur, casa 12, Santa Tecla",
    "number": "12.5",
    "integer": "4",
    "money": "12,500.00",
    "area_m2": "2.5",
    "date": "2026-11-20",
    "yes_no": True,
    "email": "ana.perez@example.sv",
    "phone": "2228-4455",
    "dui": "01234567-8",
    "nit": "0614-050707-104-8",
    "district": "0511",
    "point": "13.6769, -89.2797",
    "activity_code": "10711",
    "resolution": "OPAMSS-2026-000123",
}
# A trade name written together (the issue's input), and other text of the same kind.
TRADE_NAME = "INVERSIONESYSERVICIOSGENERALESDELNORTESOCIEDADANONIMADECAPITALVARIABLE"
SCRIPTS = (
    "Čapek Łódź Ελληνικά Кириллица 中文字符 עברית العربية 😀 "
    "https://www.ejemplo.gob.sv/tramites/rotulos/solicitud?expediente=STE-2026-000123&x=1 "
)


def long_value(spec) -> object:
    if spec.type in ("text", "address"):
        limit = spec.max_length or 300
        return (TRADE_NAME * 10)[:limit]
    if spec.type == "long_text":
        return (SCRIPTS + TRADE_NAME + " ") * 40
    return realistic_value(spec)


def realistic_value(spec) -> object:
    if spec.type == "choice":
        return spec.choices[0].value
    if spec.type == "multi_choice":
        return [c.value for c in spec.choices[:2]]
    value = REALISTIC[spec.type]
    if isinstance(value, str) and spec.max_length:
        value = value[: spec.max_length]
    return value


def decided_case(definition: workflows.Definition, *, long: bool) -> int:
    """A case of a seeded procedure decided by an officer, with its certificate to render."""
    make = long_value if long else realistic_value
    procedure = get_procedure(definition.authority, definition.slug)
    version = latest_version(procedure)
    pinned = definition_of(version)
    approving = next(
        t
        for t in pinned.transitions
        if "issue_certificate" in {e.name for e in t.effects}
        and pinned.state(t.target).kind in workflows.model.APPROVED_KINDS
    )
    holder = ("Ž" * 3 + TRADE_NAME) if long else "Ana María Pérez de Hernández"
    applicant = make_applicant(email=f"a{procedure.id}@example.sv", name=holder[:200])
    role = next(r for r in approving.roles if r not in ("applicant", "system"))
    officer = make_staff(role, procedure.authority.code, f"o{procedure.id}@example.sv")
    officer.full_name = SIGNER
    application = Application(
        procedure=procedure,
        procedure_version=version,
        applicant=applicant,
        authority_id=procedure.authority_id,
        district_id=procedure.authority_id if procedure.authority.kind == "distrito" else None,
        start_token=f"t{procedure.id}",
        tracking_number=f"{procedure.authority.tracking_prefix}-2026-{procedure.id:06d}",
        state=approving.target,
        data={spec.name: make(spec) for spec in pinned.fields},
        filed_at=ISSUED_AT,
        decided_at=ISSUED_AT,
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        HistoryEntry(
            application_id=application.id,
            actor_id=officer.id,
            actor_role=role,
            action=approving.action,
            from_state=approving.sources[0],
            to_state=approving.target,
            comment=((SCRIPTS + TRADE_NAME + " ") * 30) if long else "Respetar la fachada.",
            outputs={spec.name: make(spec) for spec in approving.outputs} or None,
        )
    )
    db.session.add(
        IssuedDocument(
            application_id=application.id,
            kind="certificate",
            authority_id=procedure.authority_id,
            serial=f"{procedure.authority.tracking_prefix}-CERT-2026-{procedure.id:06d}",
            code="7KQ2M9XD4TPA" + f"{procedure.id:04d}",
            title={"es": pinned.certificate.title.es, "en": pinned.certificate.title.en},
            holder_name=holder[:200],
            decision=approving.target,
            issued_at=ISSUED_AT,
        )
    )
    db.session.commit()
    return application.id


def certificate(application_id: int) -> bytes:
    document = db.session.scalar(
        sa.select(IssuedDocument).where(IssuedDocument.application_id == application_id)
    )
    assert render_issued(document.id)
    return read_pdf(document)


def assert_closing_on_page_one(pdf: bytes, application_id: int, tmp_path: Path) -> list:
    application = db.session.get(Application, application_id)
    document = db.session.scalar(
        sa.select(IssuedDocument).where(IssuedDocument.application_id == application_id)
    )
    found = pdf_probe.pages(pdf, tmp_path)
    codes = pdf_probe.barcodes(pdf, tmp_path)
    first = found[0]
    # The QR code: one, on page 1, decoding to the verification URL, wholly on the page.
    assert [(c.page, c.text) for c in codes] == [(1, verification_url(document.code))]
    qr = codes[0]
    assert 0 < qr.x0 < qr.x1 < first.width and 0 < qr.y0 < qr.y1 < first.height
    assert qr.y0 > first.height / 2  # in the closing block at the foot of the page
    # The code beside it, the signature block and the place and date: page 1, near the QR.
    printed = display_code(document.code)  # in groups of four, as people copy it
    assert pdf_probe.page_of(found, f"con el código {printed}") == [1]
    assert pdf_probe.page_of(found, "Firmado electrónicamente por") == [1]
    assert 1 in pdf_probe.page_of(found, SIGNER)
    place_date = f"{application.authority.place}, 30 de noviembre de 2026"
    assert pdf_probe.page_of(found, place_date) == [1]
    code_words = [w for w in first.words if w.text == printed]
    assert any(qr.y0 - 20 < w.y0 < qr.y1 + 20 for w in code_words)  # beside the QR
    assert pdf_probe.outside(found) == []
    return found


@pytest.mark.parametrize("definition", SEEDED, ids=lambda d: f"{d.authority}/{d.slug}")
def test_certificate_keeps_qr_code_signature_and_place_on_page_one_with_realistic_data(
    app_ctx, definition, tmp_path
) -> None:
    application_id = decided_case(definition, long=False)

    pdf = certificate(application_id)

    found = assert_closing_on_page_one(pdf, application_id, tmp_path)
    assert len(found) <= 2
    # What the sheet promises about validity is printed, with the last day.
    expiry = expiry_of(definition, ISSUED_AT.astimezone(LOCAL_TZ).date())
    if expiry is not None:
        assert pdf_probe.page_of(found, f"Vigencia: hasta el {PdfFormat.long_date(expiry)}")


@pytest.mark.parametrize("definition", SEEDED, ids=lambda d: f"{d.authority}/{d.slug}")
def test_long_texts_continue_on_next_pages_with_everything_typed_on_a_page(
    app_ctx, definition, tmp_path
) -> None:
    application_id = decided_case(definition, long=True)

    pdf = certificate(application_id)

    found = assert_closing_on_page_one(pdf, application_id, tmp_path)
    assert len(found) >= 2  # the thousands of characters of the conditions flow on
    application = db.session.get(Application, application_id)
    typed = [application.history[-1].comment, application.applicant.full_name]
    typed += [value for _label, value in display_rows(definition, application.data, "es")][:6]
    # Every character typed is printed (as many times), whatever the script; pdftotext gives
    # right-to-left words in visual order, so characters are counted, not sequences.
    assert pdf_probe.missing_characters(typed, found) == {}
    assert TRADE_NAME in pdf_probe.everything(found)


# --- receipt (constancia de recepción) -----------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        TRADE_NAME,  # the issue's input: 70 characters written together
        "Łódź Čapek Ελληνικά Кириллица 中文字符 עברית العربية 😀 " * 4,
        "https://www.ejemplo.gob.sv/" + "x" * 150,
    ],
)
def test_receipt_keeps_every_typed_character_on_the_page(app_ctx, name, tmp_path, caplog) -> None:
    from portal.pdf import render_pdf

    context = {
        "authority_name": "Distrito de Santa Tecla",
        "procedure_title": "Permiso de rótulo",
        "tracking_number": "STE-2026-000042",
        "filed_at": ISSUED_AT,
        "medium": "Ventanilla Única AMSS, medio electrónico",
        "place": "Santa Tecla",
        "applicant_name": name[:200],
        "documents": [name, "Fotomontaje del rótulo"],
        "due_date": None,
        "status_url": "https://ventanilla.amss.gob.sv/solicitudes/42",
        "legal_note": "Constancia emitida conforme al Art. 96.",
    }

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        found = pdf_probe.pages(render_pdf("pdf/receipt.html", context), tmp_path)

    assert pdf_probe.outside(found) == []
    assert pdf_probe.missing_characters([name[:200], name], found) == {}
    # Each character is drawn with a glyph of its own, never the empty box (.notdef).
    assert [r.getMessage() for r in caplog.records if "notdef" in r.getMessage()] == []
