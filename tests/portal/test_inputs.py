"""What people really type reaches the case as they meant it, or is refused at the field.

Numbers (`2,5` is never 25), hidden answers and files that no longer apply, districts that do
not exist, forged choices (issue 6, items 1, 3 and 18).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.portal.helpers import (
    VALID_FIELDS,
    login,
    make_applicant,
    make_staff,
    pdf_bytes,
    pdf_text,
    procedure_id,
    reload_application,
    start,
    submit,
)
from tests.portal.sign_permit import (
    SIGN,
    VALLA_PERMIT,
    applicant,
    error_at,
    file_,
    post,
    start_sign_permit,
)

# ------------------------------------------------------------------ 1. numbers


@pytest.mark.parametrize("typed", ["2,5", "1.250,50", "12,50"])
def test_an_area_with_a_decimal_comma_is_refused_at_the_field_and_kept(client, app_ctx, typed):
    applicant(client)
    application_id = start_sign_permit(client)
    fotomontaje = {"d_fotomontaje": file_("foto.pdf", pdf_bytes())}
    response = post(
        client, application_id, {**SIGN, "f_area_publicitaria_m2": typed, **fotomontaje}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = (
        "No se sabe si la coma o el punto separa decimales. Use el punto para los decimales y "
        "la coma solo para los miles: escriba 2.5 (dos y medio) o 1,250.50."
    )
    assert message in error_at(page, "f_area_publicitaria_m2")
    assert f'value="{typed}"' in page
    application = reload_application(application_id)
    assert application.state == "borrador" and application.tracking_number is None
    assert "area_publicitaria_m2" not in application.data


@pytest.mark.parametrize(
    ("typed", "stored", "fee"),
    [
        ("1,250.50", "1250.50", "2501.00"),
        ("1\u00a0250.50", "1250.50", "2501.00"),
        ("2.5", "2.5", "5.00"),
    ],
)
def test_an_area_written_as_in_el_salvador_is_stored_and_charged_exactly(
    client, app_ctx, typed, stored, fee
):
    from portal.payments.services import list_payment_orders

    applicant(client)
    application_id = start_sign_permit(client)
    response = post(
        client,
        application_id,
        {**SIGN, "f_area_publicitaria_m2": typed, "d_fotomontaje": file_("foto.pdf", pdf_bytes())},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    application = reload_application(application_id)
    assert application.data["area_publicitaria_m2"] == stored
    [order] = list_payment_orders(application_id)
    assert order.amount == Decimal(fee)
    assert [line["amount"] for line in order.lines] == [fee]
    assert f"${fee}" in client.get(f"/solicitudes/{application_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e30", "Escriba un número con cifras"),
        ("9" * 40, "El número tiene demasiadas cifras"),
        ("NaN", "Escriba un número con cifras"),
        ("20,000,000", "El valor debe ser menor o igual que 10,000,000."),
    ],
)
def test_a_senseless_area_gets_a_message_never_a_server_error(client, app_ctx, typed, message):
    applicant(client)
    application_id = start_sign_permit(client)
    response = post(
        client,
        application_id,
        {**SIGN, "f_area_publicitaria_m2": typed, "d_fotomontaje": file_("foto.pdf", pdf_bytes())},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert reload_application(application_id).state == "borrador"


@pytest.mark.parametrize(
    ("typed", "stored", "message"),
    [
        ("$12,000.50", "12000.50", None),
        ("12000.505", None, "Escriba el monto en dólares con dos decimales como máximo"),
        ("12.000,50", None, "Use el punto para los decimales"),
    ],
)
def test_money_keeps_every_cent_or_refuses_half_cents(client, app_ctx, typed, stored, message):
    applicant(client)
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('inscripcion-establecimiento', '0511')}",
        data={"token": "inscripcion-0001-abcdef"},
    )
    application_id = int(re.search(r"/borradores/(\d+)/", response.headers["Location"]).group(1))
    page = post(client, application_id, {"f_activo_declarado": typed}, button="save")
    case = reload_application(application_id)
    if stored:
        assert page.status_code == 302
        assert case.data["activo_declarado"] == stored
    else:
        assert page.status_code == 200 and message in page.get_data(as_text=True)
        assert "activo_declarado" not in case.data


# ------------------------------------------------------------------ 3. hidden answers


def test_an_answer_hidden_by_a_later_answer_is_not_stored_shown_or_printed(
    client, app_ctx, run_jobs
):
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.simdet.models import FeedEvent

    applicant(client)
    make_staff("clerk", "0511", email="clerk.tecla@example.sv")
    application_id = start_sign_permit(client)
    valla = {
        **SIGN,
        "f_tipo_rotulo": "valla",
        "f_permiso_opamss_valla": VALLA_PERMIT,
        "d_fotomontaje": file_("foto.pdf", pdf_bytes()),
        "d_calculo_estructural": file_("calculo.pdf", pdf_bytes()),
        "d_permiso_opamss": file_("permiso-valla.pdf", pdf_bytes()),
    }
    assert post(client, application_id, valla, button="save").status_code == 302
    draft = reload_application(application_id)
    assert draft.data["permiso_opamss_valla"] == VALLA_PERMIT
    assert len(draft.current_documents) == 3
    # The applicant changes their mind: a sign on the façade needs no billboard permit.
    switched = {**SIGN, "f_tipo_rotulo": "adosado", "f_permiso_opamss_valla": VALLA_PERMIT}
    assert post(client, application_id, switched).status_code == 302
    run_jobs()
    filed = reload_application(application_id)
    assert filed.state == "presentado"
    assert "permiso_opamss_valla" not in filed.data
    assert [d.requirement_code for d in filed.current_documents] == ["fotomontaje"]
    assert VALLA_PERMIT not in client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    receipt = client.get(f"/solicitudes/{application_id}/constancia.pdf")
    assert receipt.status_code == 200 and VALLA_PERMIT not in pdf_text(receipt.data)
    feed = db.session.scalars(sa.select(FeedEvent)).all()
    assert feed and all(VALLA_PERMIT not in str(event.payload) for event in feed)
    client.post("/cuenta/salir")
    login(client, "clerk.tecla@example.sv")
    case_page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Cafetería El Pino" in case_page
    assert VALLA_PERMIT not in case_page
    assert "calculo.pdf" not in case_page and "permiso-valla.pdf" not in case_page
    assert "Número de permiso de valla de la OPAMSS" not in case_page


def test_a_hidden_answer_stored_before_this_rule_is_neither_shown_nor_used(client, app_ctx):
    """Cases saved by the old code still hold hidden answers: pages and facts skip them."""
    from portal.applications.facts import typed_data
    from portal.extensions import db
    from portal.procedures.services import definition_of

    applicant(client)
    application_id = start_sign_permit(client)
    assert post(client, application_id, {**SIGN}, button="save").status_code == 302
    case = reload_application(application_id)
    case.data = {**case.data, "permiso_opamss_valla": VALLA_PERMIT}  # as the old code stored it
    db.session.commit()
    definition = definition_of(case.procedure_version)
    assert "permiso_opamss_valla" not in typed_data(definition, case.data)
    page = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "Cafetería El Pino" in page  # the answers that apply are shown
    assert VALLA_PERMIT not in page


def test_a_question_hidden_by_a_changed_person_type_loses_its_answer_and_documents(client, app_ctx):
    from portal.accounts.services import get_user_by_email
    from tests.portal.helpers import VALID_FIELDS, decided_case

    applicant(client)
    # The calificación de lugar the workshop holds: a resolution field takes only a real one.
    land = {name.removeprefix("f_"): value for name, value in VALID_FIELDS.items()}
    held = decided_case(get_user_by_email("ana@example.sv"), "calificacion-lugar", land)
    number = held.tracking_number.lower()
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('inscripcion-establecimiento', '0511')}",
        data={"token": "inscripcion-0002-abcdef"},
    )
    application_id = int(re.search(r"/borradores/(\d+)/", response.headers["Location"]).group(1))
    natural = {
        "f_tipo_persona": "natural",
        "f_nit": land["nit_propietario"],  # the calificación must be in the holder's name
        "f_dui": "03.456.781\u20134",  # pasted with points and an en dash
        "f_requiere_calificacion_lugar": "si",
        "f_resolucion_calificacion_lugar": number,
        "d_dui_nit": file_("dui.pdf", pdf_bytes()),
    }
    assert post(client, application_id, natural, button="save").status_code == 302
    case = reload_application(application_id)
    assert case.data["dui"] == "03456781-4"
    assert case.data["resolucion_calificacion_lugar"] == held.tracking_number
    assert [d.requirement_code for d in case.current_documents] == ["dui_nit"]
    legal = {
        "f_tipo_persona": "juridica",
        "f_dui": "03456781-4",
        "f_requiere_calificacion_lugar": "no",
        "f_resolucion_calificacion_lugar": number,
    }
    assert post(client, application_id, legal, button="save").status_code == 302
    case = reload_application(application_id)
    assert "dui" not in case.data and "resolucion_calificacion_lugar" not in case.data
    assert case.data["tipo_persona"] == "juridica"
    assert case.current_documents == []
    page = client.get(f"/solicitudes/{application_id}/editar").get_data(as_text=True)
    assert "03456781-4" not in page and "dui.pdf" not in page


# ------------------------------------------------------------------ 2. identifiers


@pytest.mark.parametrize(
    ("name", "typed", "message", "stored"),
    [
        ("f_dui", "03456781 4", None, "03456781-4"),
        ("f_nit", "0614\u00a0050707\u00a0104\u00a08", None, "0614-050707-104-8"),
        ("f_dui", "03456781 5", "El dígito verificador no coincide con los otros ocho", None),
        ("f_dui", "0345678-1", "El DUI no es válido. Escríbalo como 01234567-8.", None),
        ("f_nit", "0614.050707.104.9", "El dígito verificador no coincide con los demás", None),
    ],
)
def test_an_identifier_pasted_with_noise_is_normalised_or_told_what_is_wrong(
    client, app_ctx, name, typed, message, stored
):
    applicant(client)
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('inscripcion-establecimiento', '0511')}",
        data={"token": "inscripcion-0003-abcdef"},
    )
    application_id = int(re.search(r"/borradores/(\d+)/", response.headers["Location"]).group(1))
    fields = {"f_tipo_persona": "natural", name: typed}
    response = post(client, application_id, fields, button="save")
    case = reload_application(application_id)
    if stored:
        assert response.status_code == 302
        assert case.data[name.removeprefix("f_")] == stored
    else:
        assert message in error_at(response.get_data(as_text=True), name)
        assert name.removeprefix("f_") not in case.data


# ------------------------------------------------------------------ 18. districts


@pytest.mark.parametrize("district", ["9999", "0000", "061"])
def test_a_district_that_does_not_exist_is_refused_and_nothing_is_filed(client, app_ctx, district):
    applicant(client)
    application_id = start(client)
    response = submit(client, application_id, fields={**VALID_FIELDS, "f_distrito": district})
    assert response.status_code == 200
    assert "Elija uno de los distritos de la lista." in response.get_data(as_text=True)
    case = reload_application(application_id)
    assert case.state == "borrador" and case.tracking_number is None and case.district is None


def test_the_service_checks_the_district_against_the_authorities_too(client, app_ctx):
    from portal.applications.services import save_application

    person = make_applicant()
    login(client, "ana@example.sv")
    application_id = start(client)
    data = {key.removeprefix("f_"): value for key, value in VALID_FIELDS.items()}
    for code in ("9999", "M-LLS"):  # unknown; an authority that is not a district
        result = save_application(
            actor=person,
            application=reload_application(application_id),
            data={**data, "distrito": code},
            uploads={},
            submit=True,
        )
        assert result.field_errors == {"distrito": ["invalid_district_choice"]}
        case = reload_application(application_id)
        assert case.tracking_number is None and case.district is None
        assert "distrito" not in case.data


@pytest.mark.parametrize(
    ("name", "forged"),
    [("f_tipo_rotulo", "cohete"), ("f_motivo", "nuevo' OR 1=1"), ("f_iluminado", "quizas")],
)
def test_a_choice_not_in_the_definition_is_refused_at_the_field(client, app_ctx, name, forged):
    applicant(client)
    application_id = start_sign_permit(client)
    response = post(
        client,
        application_id,
        {**SIGN, name: forged, "d_fotomontaje": file_("foto.pdf", pdf_bytes())},
    )
    assert response.status_code == 200
    assert error_at(response.get_data(as_text=True), name).endswith("Elija una de las opciones.")
    case = reload_application(application_id)
    assert case.tracking_number is None and case.data == {}


# --------------------------------------------- 1. numbers: the phone keyboard that fits them


def _input_tag(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page, re.S)
    assert found, f"no input {name}"
    return " ".join(found.group(0).split())


@pytest.mark.parametrize(
    ("slug", "name", "attributes"),
    [
        ("permiso-rotulo", "f_area_publicitaria_m2", ['inputmode="decimal"']),
        ("permiso-rotulo", "f_ancho_m", ['inputmode="decimal"']),
        ("permiso-rotulo", "f_caras", ['inputmode="numeric"']),
        ("inscripcion-establecimiento", "f_activo_declarado", ['inputmode="decimal"']),
        ("inscripcion-establecimiento", "f_correo", ['type="email"', 'autocomplete="email"']),
        ("inscripcion-establecimiento", "f_telefono", ['type="tel"', 'autocomplete="tel"']),
    ],
)
def test_a_phone_shows_the_keyboard_each_field_type_needs(client, app_ctx, slug, name, attributes):
    """On a phone, a number is typed on the number keyboard, an e-mail on the e-mail keyboard:
    the field type's input parameters reach the page (they were defined and never applied)."""
    applicant(client)
    response = client.post(
        f"/solicitudes/nueva/{procedure_id(slug, '0511')}", data={"token": f"teclado-{slug}-0001"}
    )
    # Every question on one page (a new draft opens at its first step).
    full_form = response.headers["Location"].replace("/borradores/", "/solicitudes/")
    page = client.get(re.sub(r"/paso/\d+$", "/editar", full_form)).get_data(as_text=True)
    tag = _input_tag(page, name)
    for attribute in attributes:
        assert attribute in tag


def test_money_shows_its_currency_and_an_area_its_unit_next_to_the_box(client, app_ctx):
    applicant(client)
    slug = "inscripcion-establecimiento"
    response = client.post(
        f"/solicitudes/nueva/{procedure_id(slug, '0511')}", data={"token": "token-de-prueba-0002"}
    )
    full_form = re.sub(
        r"/borradores/(\d+)/paso/\d+$", r"/solicitudes/\1/editar", response.headers["Location"]
    )
    page = " ".join(client.get(full_form).get_data(as_text=True).split())
    assert re.search(
        r'govuk-input__prefix" aria-hidden="true">\$</div> <input[^>]*name="f_activo_declarado"',
        page,
    )
    assert re.search(r'name="f_area_local_m2"[^>]*> <div class="govuk-input__suffix"[^>]*>m²', page)


# ---------------------------- 4. a file sent with answers that came back is kept, or said so


@pytest.mark.parametrize(
    ("slug", "answers", "document"),
    [
        # The answer that makes the document apply is typed, but another answer is wrong.
        (
            "permiso-rotulo",
            {**SIGN, "f_tipo_rotulo": "valla", "f_ancho_m": "2,5"},
            "calculo_estructural",
        ),
        (
            "inscripcion-establecimiento",
            {"f_tipo_persona": "natural", "f_dui": "01234567-9"},
            "dui_nit",
        ),
        (
            "inscripcion-establecimiento",
            {"f_inmueble_arrendado": "si", "f_area_local_m2": "1.250,50"},
            "contrato_arrendamiento",
        ),
    ],
)
def test_a_file_not_kept_because_the_form_has_errors_is_asked_for_again(
    client, app_ctx, slug, answers, document
):
    applicant(client)
    response = client.post(
        f"/solicitudes/nueva/{procedure_id(slug, '0511')}", data={"token": f"adjunto-{slug}"}
    )
    application_id = int(re.search(r"/borradores/(\d+)/", response.headers["Location"]).group(1))
    sent = {**answers, f"d_{document}": file_("Peña.pdf", pdf_bytes())}
    page = post(client, application_id, sent, button="save").get_data(as_text=True)
    assert "no se guardó porque el formulario tiene errores" in error_at(page, f"d_{document}")
    assert reload_application(application_id).current_documents == []


def test_a_file_that_applies_whatever_the_answers_is_kept_with_an_error_elsewhere(client, app_ctx):
    applicant(client)
    application_id = start_sign_permit(client)
    sent = {
        **SIGN,
        "f_ancho_m": "2,5",
        "d_fotomontaje": file_("Fotomontaje–Čapek.pdf", pdf_bytes()),
    }
    page = post(client, application_id, sent, button="save").get_data(as_text=True)
    assert 'id="d_fotomontaje-error"' not in page
    assert "Fotomontaje–Čapek.pdf" in page  # "recibido (Fotomontaje–Čapek.pdf)"
    kept = reload_application(application_id).current_documents
    assert [d.requirement_code for d in kept] == ["fotomontaje"]
