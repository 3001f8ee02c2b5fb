"""What the public verification page answers, by kind of input: codes as people paste them,
wrong codes that hold a right one, serials (never looked up), the decision a resolution
records, chains of replacements, payment orders and receipts (their printed code and QR),
damaged files, and copies that cannot be checked by file."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from portal.certificates import services as certificates
from portal.extensions import db
from portal.procedures.services import definition_of
from portal.tracking.services import display_code, names_a_serial, typed_code, typed_serial
from tests.portal import pdf_probe
from tests.portal.helpers import make_applicant, make_staff, pdf_bytes, pdf_text
from tests.portal.test_back_office import _filed as _filed_with_fees
from tests.portal.test_serials import _deny, _documents
from tests.portal.test_serials import _filed as _filed_case
from tests.portal.test_verification import HEADINGS, _certificate, _page, _upload

RESCAN_HINT = "impresa o escaneada no se puede comprobar por su archivo"


# --- typed codes: one rule (portal.tracking.services.typed_code) ---------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "https://ventanilla.amss.gob.sv/verificar/{code}",  # the QR's URL pasted
        "http://127.0.0.1:5000/verificar/{code}?x=1",
        # Longer than 60 characters: a longer host, a tracking query string.
        "https://www.ventanilla.opamss.org.sv/verificar/{code}?utm_source=whatsapp&utm_medium=chat",
        "Código: {code}",  # the label copied with it
        "{code} de la constancia",  # words after a printed (dashed) code
        "Codigo de verificacion {code}.",
        "{wide}",  # full-width, as some phones type
        "  {lower}  ",
    ],
)
def test_a_code_inside_a_url_a_label_or_full_width_is_found(client, app_ctx, typed):
    document = _certificate()
    shown = display_code(document.code)
    wide = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "\uff0d" for c in shown)
    text = typed.format(code=shown, wide=wide, lower=shown.lower())
    assert typed_code(text) == document.code
    form = client.post("/verificar/", data={"code": text})
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/verificar/{shown}")
    assert client.get(form.headers["Location"]).status_code == 200
    # The old GET form reads it the same way.
    old = client.get("/verificar/", query_string={"codigo": text})
    assert old.headers["Location"].endswith(f"/verificar/{shown}")


def test_the_last_code_shaped_run_of_a_text_is_taken():
    assert typed_code("ABCD-EFGH-JKMN-PQRS y luego TWXY-Z234-5678-9ABC") == "TWXYZ23456789ABC"
    assert typed_code("") == "" and typed_code(" - - ") == ""


@pytest.mark.parametrize(
    "extra",
    [
        "{code}ABCDEFGHIJKLMNOP",  # more characters typed on, as the tester did
        "{code}-ABCD-EFGH-JKMN-PQRS",  # two codes run together
        "{code}-7",
        "{code}7",
        "7{code}",
        "7-{code}",
        "{code}.A",
        "X_{code}",  # joined by an underscore
        "{code}_X",
        "{spaced} 7",  # typed in spaced groups, with a fifth one
        "{spaced} AB",
        "https://ventanilla.amss.gob.sv/verificar/{code}-X",  # a doctored QR address
    ],
)
def test_a_code_with_characters_added_is_a_wrong_code_not_the_code_inside_it(
    client, app_ctx, extra
):
    document = _certificate()
    shown = display_code(document.code)
    text = extra.format(code=shown, spaced=shown.replace("-", " "))
    assert typed_code(text) != document.code
    form = client.post("/verificar/", data={"code": text})
    page = _page(form)
    # Told at the field what is wrong (its length, or no code in it), with what was typed kept.
    assert form.status_code == 422, text
    assert 'id="code-error"' in page and str(escape(text)) in page
    assert "16 letras y cifras" in page
    assert HEADINGS["valid"] not in page and document.serial not in page


def test_a_typed_serial_asks_for_the_code_and_tells_nothing_of_the_document(client, app_ctx):
    """Serials are consecutive: looked up, they would list every document by counting."""
    document = _certificate()
    following = re.sub(
        r"\d+$", lambda m: f"{int(m.group()) + 1:0{len(m.group())}d}", document.serial
    )
    typed_ways = [document.serial, document.serial.lower(), f"N.º de serie: {document.serial}"]
    typed_ways += [following, *(document.serial.replace("-", sep) for sep in (" – ", " ", "_"))]
    for typed in typed_ways:
        assert names_a_serial(typed), typed
        form = client.post("/verificar/", data={"code": typed})
        page = _page(form)
        assert form.status_code == 422, typed
        assert "Ese es el número de serie del documento" in page
        assert "código de verificación de 16 caracteres" in page
        assert HEADINGS["valid"] not in page and display_code(document.code) not in page
        # The address typed by hand answers the same, as a missing page.
        by_path = client.get(f"/verificar/{typed_serial(typed)}")
        assert by_path.status_code == 404
        assert "Ese es el número de serie del documento" in _page(by_path)
        assert display_code(document.code) not in _page(by_path)
    assert document.serial in _page(client.get(f"/verificar/{display_code(document.code)}"))


def test_the_unknown_answer_echoes_what_was_typed(client, app_ctx):
    # A code shaped right but issued to no document: its own answer, with the code.
    for typed in ("ZZZZ-ZZZZ-ZZZZ-ZZZZ", "zzzz zzzz zzzz zzzz"):
        form = client.post("/verificar/", data={"code": typed})
        assert form.status_code == 302, typed
        page = _page(client.get(form.headers["Location"]))
        assert "No encontramos un documento con ese código" in page
        assert "ZZZZ-ZZZZ-ZZZZ-ZZZZ" in page
    # Anything else is told at its field what it is, with what was typed kept
    # (tests/portal/test_verification_inputs.py).
    for typed in ("STE-2026-000001", "hola mundo", "ABCD-EFGH"):
        form = client.post("/verificar/", data={"code": typed})
        assert form.status_code == 422, typed
        assert 'id="code-error"' in _page(form) and f'value="{typed}"' in _page(form)


def test_a_full_width_code_is_not_called_blank_but_a_blank_one_still_is(client, app_ctx):
    document = _certificate()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in document.code)
    assert client.post("/verificar/", data={"code": wide}).status_code == 302
    blank = client.post("/verificar/", data={"code": "\u3000-\u3000"})  # ideographic spaces
    assert blank.status_code == 422 and "Escriba el código de verificación." in _page(blank)


# --- the file form ----------------------------------------------------------------------------


def test_no_file_chosen_asks_for_one_and_an_empty_file_is_called_empty(client, app_ctx):
    none = client.post("/verificar/archivo", data={}, content_type="multipart/form-data")
    page = _page(none)
    assert none.status_code == 422 and "Elija el archivo PDF del documento." in page
    assert "El archivo está vacío." not in page and 'id="document-error"' in page
    empty = _upload(client, b"")
    assert empty.status_code == 422 and "El archivo está vacío." in _page(empty)


# --- the decision a resolution records (M3) ------------------------------------------------


def test_a_denial_is_shown_as_authentic_and_unfavourable_never_as_vigente(client, app_ctx):
    application_id = _filed_case(client)
    _deny(application_id)
    resolution = _documents(application_id)[-1]
    definition = definition_of(resolution.application.procedure_version)
    state = definition.state(resolution.decision)
    assert state.kind == "denied"
    page = _page(client.get(f"/verificar/{display_code(resolution.code)}"))
    assert "Documento auténtico: resolución desfavorable" in page
    assert HEADINGS["valid"] not in page and "Vigente</dd>" not in page
    assert state.label.es in page and "Desfavorable: deniega lo solicitado" in page
    assert "Resolución desfavorable" in page  # the type says it too
    assert resolution.serial in page and definition.title.es in page


def test_an_approval_shows_its_favourable_decision_and_the_type_of_document(client, app_ctx):
    document = _certificate()
    definition = definition_of(document.application.procedure_version)
    page = _page(client.get(f"/verificar/{display_code(document.code)}"))
    assert HEADINGS["valid"] in page
    if document.decision:
        assert definition.state(document.decision).label.es in page
    assert "Certificado o permiso" in page and "desfavorable" not in page.lower()
    assert definition.title.es in page and document.serial in page


# --- chains of replacements (M2) -----------------------------------------------------------


def _replace(document, supervisor):
    return certificates.replace_document(
        actor=supervisor,
        application=document.application,
        document_id=document.id,
        reason="Corrección del área del terreno.",
    )


@pytest.mark.parametrize("end", ["revoked", "replaced_then_revoked", "valid"])
def test_a_replaced_document_states_the_real_status_of_the_end_of_its_chain(client, app_ctx, end):
    supervisor = make_staff("supervisor", "OPAMSS")
    first = _certificate()
    chain = [first, _replace(first, supervisor)]
    if end == "replaced_then_revoked":
        chain.append(_replace(chain[-1], supervisor))
    if end != "valid":
        certificates.revoke_document(
            actor=supervisor,
            application=chain[-1].application,
            document_id=chain[-1].id,
            reason="Documentos falsos.",
        )
    db.session.expire_all()
    last = display_code(chain[-1].code)
    page = _page(client.get(f"/verificar/{display_code(first.code)}"))
    assert HEADINGS["replaced"] in page
    if end == "valid":
        assert "Es válido el último de la cadena de reemplazos" in page and last in page
    else:
        assert "Es válido" not in page
        assert "el último de la cadena de reemplazos tampoco es válido" in page
        assert f'href="/verificar/{last}">{last}</a> está revocado' in page
    for link in chain[1:]:  # the chain is shown
        assert display_code(link.code) in page


# --- payment orders and receipts (M4) -------------------------------------------------------


def _order(run_jobs):
    from portal.payments.services import list_payment_orders

    application = _filed_with_fees(make_applicant())
    run_jobs()
    db.session.expire_all()
    (order,) = list_payment_orders(application.id)
    return order


def test_a_payment_order_prints_its_code_and_qr_and_verifies_by_code_serial_and_file(
    client, app_ctx, run_jobs, tmp_path
):
    from portal.payments.services import read_order_pdf

    order = _order(run_jobs)
    assert re.fullmatch(r"[ABCDEFGHJKMNPQRSTWXYZ2-9]{16}", order.code)
    pdf = read_order_pdf(order)
    shown = display_code(order.code)
    assert shown in " ".join(pdf_text(pdf).split())
    assert [b.text for b in pdf_probe.barcodes(pdf, tmp_path)] == [
        f"http://127.0.0.1:5000/verificar/{order.code}"
    ]
    assert pdf_probe.outside(pdf_probe.pages(pdf, tmp_path)) == []
    refused = client.get(f"/verificar/{order.serial}")  # never by its serial
    assert refused.status_code == 404 and "US$ 20.00" not in _page(refused)
    for path in (f"/verificar/{shown}", f"/verificar/{order.code.lower()}"):
        answer = client.get(path)
        page = _page(answer)
        assert answer.status_code == 200, path
        assert "Mandamiento de pago auténtico, pendiente de pago" in page
        assert "Mandamiento de pago" in page and order.serial in page
        assert "US$ 20.00" in page and order.due_on.strftime("%d/%m/%Y") in page
        assert "Pendiente de pago" in page
        assert "Ana María Pérez" not in page and "01234567-8" not in page
    by_file = _upload(client, pdf, "mandamiento.pdf")
    assert by_file.status_code == 200
    assert "Mandamiento de pago auténtico" in _page(by_file)
    assert "no es un documento emitido" not in _page(by_file)
    order.status, order.paid_via = "paid", "counter"
    db.session.commit()
    assert "Mandamiento de pago auténtico, pagado" in _page(client.get(f"/verificar/{shown}"))
    order.status = "cancelled"
    db.session.commit()
    assert "Mandamiento de pago anulado" in _page(client.get(f"/verificar/{shown}"))


def test_a_changed_payment_order_is_altered_with_its_genuine_data(client, app_ctx, run_jobs):
    from portal.payments.services import read_order_pdf

    order = _order(run_jobs)
    pdf = read_order_pdf(order)
    at = pdf.rindex(b"startxref") + 2
    changed = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    page = _page(_upload(client, changed))
    assert HEADINGS["altered"] in page and order.serial in page


def test_a_receipt_prints_its_verification_code_and_a_qr_that_decodes(
    client, app_ctx, run_jobs, tmp_path
):
    application_id = _filed_case(client)
    run_jobs()
    receipt = next(d for d in _documents(application_id) if d.kind == "receipt")
    pdf = certificates.read_pdf(receipt)
    shown = display_code(receipt.code)
    assert shown in " ".join(pdf_text(pdf).split())
    assert f"http://127.0.0.1:5000/verificar/{receipt.code}" in [
        b.text for b in pdf_probe.barcodes(pdf, tmp_path)
    ]
    assert pdf_probe.outside(pdf_probe.pages(pdf, tmp_path)) == []
    page = _page(client.get(f"/verificar/{shown}"))
    assert "Constancia de recepción" in page and receipt.serial in page


# --- damaged files and copies that cannot be checked by file -----------------------------


def _rendered():
    document = _certificate(render=True)
    return document, certificates.read_pdf(document)


@pytest.mark.parametrize("where", ["startxref", "%%EOF", "last"])
def test_one_byte_changed_at_the_end_of_the_file_is_altered_with_the_genuine_data(
    client, app_ctx, where
):
    document, pdf = _rendered()
    at = len(pdf) - 2 if where == "last" else pdf.rindex(where.encode()) + 3
    changed = pdf[:at] + bytes([pdf[at] ^ 0x20]) + pdf[at + 1 :]
    assert changed != pdf
    answer = _upload(client, changed)
    page = _page(answer)
    assert answer.status_code == 200 and HEADINGS["altered"] in page, where
    assert document.serial in page and display_code(document.code) in page
    assert RESCAN_HINT in page and 'href="/verificar/"' in page


def test_a_file_that_cannot_be_parsed_but_names_our_serial_is_altered_without_its_data(
    client, app_ctx
):
    """A file that names a serial of ours is altered; what it names is never shown, or a forged
    file counting serials up would list every document."""
    document, _pdf = _rendered()
    broken = b"%PDF-1.7\n%garbage " + document.serial.encode() + b"\n" + b"\0" * 200
    page = _page(_upload(client, broken))
    assert HEADINGS["altered"] in page
    assert (
        display_code(document.code) not in page and document.application.tracking_number not in page
    )
    # A damaged copy that still prints the code is altered with the genuine data.
    named = b"%PDF-1.7\n%garbage " + display_code(document.code).encode() + b"\n" + b"\0" * 200
    page = _page(_upload(client, named))
    assert HEADINGS["altered"] in page and document.serial in page


def test_an_unknown_file_says_copies_cannot_be_checked_by_file_and_links_the_code_form(
    client, app_ctx
):
    answer = _upload(client, pdf_bytes())
    page = _page(answer)
    assert answer.status_code == 404
    assert "Este archivo no es un documento emitido por la Ventanilla Única AMSS" in page
    assert RESCAN_HINT in page and "Escriba el código impreso bajo el código QR" in page
    assert 'href="/verificar/"' in page


def test_the_stored_pdf_of_an_issued_document_is_still_found_by_its_file(client, app_ctx):
    _document, pdf = _rendered()
    page = _page(_upload(client, pdf))
    assert HEADINGS["valid"] in page and RESCAN_HINT not in page
