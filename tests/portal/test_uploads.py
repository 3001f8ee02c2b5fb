"""Uploads are what their requirement accepts, by content; PDFs with active content are refused
or flagged to the clerk as the definition says (issue 6, items 5 and 28)."""

from __future__ import annotations

import pytest

from tests.portal import pdf_samples
from tests.portal.helpers import (
    documents,
    login,
    make_staff,
    pdf_bytes,
    procedure_id,
    reload_application,
    start,
    submit,
)
from tests.portal.sign_permit import (
    SIGN,
    applicant,
    error_at,
    file_,
    jpeg,
    png,
    post,
    start_sign_permit,
)

# ------------------------------------------------------------------ 5. accepted types


def test_a_jpeg_is_refused_by_a_pdf_only_requirement_with_its_own_types(client, app_ctx):
    applicant(client)
    application_id = start(client)
    page = submit(
        client,
        application_id,
        files={
            "d_escritura": file_("escritura.jpg", jpeg(), "image/jpeg"),
            "d_plano_topografico": file_("plano.pdf", png()),  # a PNG named .pdf
        },
    ).get_data(as_text=True)
    refused = "El archivo debe ser PDF; el que adjuntó es de otro tipo por su contenido."
    assert refused in error_at(page, "d_escritura")
    assert refused in error_at(page, "d_plano_topografico")
    assert "PDF, JPG o PNG" not in page.split("Declaración jurada")[0]
    assert 'accept="application/pdf,.pdf"' in page
    assert "Formato: PDF. Tamaño máximo: 10 MB." in page
    assert reload_application(application_id).current_documents == []


@pytest.mark.parametrize(
    ("name", "data", "mime"), [("f.jpg", jpeg(), "image/jpeg"), ("f.png", png(), "image/png")]
)
def test_an_image_is_kept_where_the_requirement_accepts_images(client, app_ctx, name, data, mime):
    applicant(client)
    application_id = start_sign_permit(client)
    response = post(client, application_id, {**SIGN, "d_fotomontaje": file_(name, data, mime)})
    assert response.status_code == 302
    [document] = reload_application(application_id).current_documents
    assert document.content_type == mime


# ------------------------------------------------------------------ 28. active content


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (pdf_samples.open_action_javascript, "JavaScript, OpenAction"),
        (pdf_samples.launch_link, "Launch"),
        (pdf_samples.embedded_file, "EmbeddedFiles"),
    ],
)
def test_a_pdf_with_active_content_is_refused_by_default(client, app_ctx, make, named):
    applicant(client)
    application_id = start(client)
    page = submit(
        client,
        application_id,
        files=documents(escritura=make(), plano_topografico=pdf_bytes()),
    ).get_data(as_text=True)
    assert f"El PDF contiene elementos activos ({named}), que no se aceptan." in page
    case = reload_application(application_id)
    assert case.state == "borrador"
    assert [d.requirement_code for d in case.current_documents] == ["plano_topografico"]


def test_a_requirement_that_flags_active_content_keeps_the_pdf_and_warns_the_clerk(client, app_ctx):
    from portal.extensions import db
    from portal.procedures.models import Procedure
    from portal.procedures.services import definition_of, latest_version, publish_definition
    from workflows import load

    procedure = db.session.get(Procedure, procedure_id("permiso-rotulo", "0511"))
    data = definition_of(latest_version(procedure)).to_dict()
    data["version"] += 1
    for requirement in data["documents"]:
        if requirement["code"] == "fotomontaje":
            requirement["active_content"] = "flag"
    publish_definition(load(data))
    db.session.commit()

    applicant(client)
    make_staff("clerk", "0511", email="clerk.tecla@example.sv")
    application_id = start_sign_permit(client)
    flagged = pdf_samples.document_javascript()
    response = post(client, application_id, {**SIGN, "d_fotomontaje": file_("foto.pdf", flagged)})
    assert response.status_code == 302
    [document] = reload_application(application_id).current_documents
    assert document.active_content == "JavaScript"
    client.post("/cuenta/salir")
    login(client, "clerk.tecla@example.sv")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Contenido activo" in page
    assert "El PDF contiene elementos activos: JavaScript. Ábralo con precaución." in page


def test_a_damaged_pdf_is_refused_with_a_message(client, app_ctx):
    applicant(client)
    application_id = start(client)
    page = submit(
        client,
        application_id,
        files=documents(escritura=b"%PDF-1.7\n not really", plano_topografico=pdf_bytes()),
    ).get_data(as_text=True)
    assert "El PDF está dañado o protegido y no se puede leer." in page
