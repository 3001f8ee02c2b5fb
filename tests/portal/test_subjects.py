"""Subjects as records: prerequisites that really qualify, prefill, and the clerk's view.

Over HTTP with the real form: a building permit names its land-use, building-line and
stormwater resolutions by tracking number; each must be the applicant's own, favourable, still
valid and about the same property, else the field says why (in Spanish) and nothing is filed.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from tests.portal.helpers import (
    decided_case,
    documents,
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    procedure_id,
)
from tests.portal.test_routing import DOCUMENTS, LAND, PERMIT, property_of

FIELDS = {f"f_{name}": value for name, value in PERMIT.items()}


def _start_permit(client, token: str = "permiso-de-prueba-0001") -> int:
    response = client.post(
        f"/solicitudes/nueva/{procedure_id('permiso-construccion')}", data={"token": token}
    )
    assert response.status_code == 302, response.data[:300]
    return int(
        re.search(r"/(?:solicitudes|borradores)/(\d+)/", response.headers["Location"]).group(1)
    )


def _post(client, application_id: int, fields: dict, button: str = "submit"):
    data = dict(fields)
    data.update(documents(**{code: pdf_bytes() for code in DOCUMENTS}))
    data[button] = "1"
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(
        f"/solicitudes/{application_id}/editar",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _held(applicant, land_data=LAND, **calificacion):
    """Approved calificación, línea and factibilidad of the applicant about one property."""
    first = decided_case(applicant, "calificacion-lugar", land_data, **calificacion)
    land = property_of(first)
    linea = decided_case(applicant, "linea-construccion", land_data)
    lluvias = decided_case(applicant, "factibilidad-aguas-lluvias", land_data)
    assert property_of(linea) == property_of(lluvias) == land
    return first, linea, lluvias


def _resolutions(calificacion: str, linea: str, lluvias: str) -> dict[str, str]:
    return {
        "f_resolucion_calificacion_lugar": calificacion,
        "f_resolucion_linea_construccion": linea,
        "f_resolucion_aguas_lluvias": lluvias,
    }


def test_a_permit_is_not_filed_on_a_resolution_that_does_not_qualify(client, app_ctx):
    from portal.extensions import db, utcnow
    from tests.portal.helpers import reload_application

    ana = make_applicant()
    luis = make_applicant("luis@example.sv", "Luis Hernández")
    calificacion, linea, lluvias = _held(ana)
    # Luis holds one about the same land; Ana one about another property, one expired, one
    # denied.
    theirs = decided_case(luis, "calificacion-lugar", LAND)
    elsewhere = decided_case(
        ana,
        "calificacion-lugar",
        LAND | {"direccion": "Avenida Olímpica 3300", "matricula_cnr": "60099999-00000"},
    )
    denied = decided_case(ana, "calificacion-lugar", LAND, kind="denied")
    old_stormwater = decided_case(
        ana,
        "factibilidad-aguas-lluvias",
        LAND,
        decided_at=utcnow() - timedelta(days=5 * 366),
    )
    db.session.commit()
    login(client, "ana@example.sv")
    permit = _start_permit(client)
    cases = {
        "OPAMSS-2026-999999": "no está entre sus resoluciones",
        theirs.tracking_number: "no está entre sus resoluciones",
        elsewhere.tracking_number: "es de otro inmueble",
        denied.tracking_number: "no fue favorable",
        linea.tracking_number: "no es una resolución de Calificación de Lugar",
    }
    for number, reason in cases.items():
        response = _post(
            client,
            permit,
            FIELDS | _resolutions(number, linea.tracking_number, lluvias.tracking_number),
        )
        page = _text(response)
        assert response.status_code == 200, number
        assert f"{reason}" in page, (number, page[:3000])
        assert number in page  # the message names what was typed
        assert reload_application(permit).tracking_number is None
    expired = _post(
        client,
        permit,
        FIELDS
        | _resolutions(
            calificacion.tracking_number, linea.tracking_number, old_stormwater.tracking_number
        ),
    )
    page = _text(expired)
    lapsed_on = re.search(rf"{old_stormwater.tracking_number} venció el (\d\d/\d\d/\d{{4}})", page)
    assert lapsed_on, page[:3000]
    assert reload_application(permit).tracking_number is None
    # Someone else's number is refused exactly like a number that does not exist.
    assert theirs.tracking_number not in _text(client.get(f"/solicitudes/{permit}/editar"))


def test_qualifying_resolutions_are_offered_and_accepted_as_typed(client, app_ctx):
    from tests.portal.helpers import reload_application

    ana = make_applicant()
    calificacion, linea, lluvias = _held(ana)
    login(client, "ana@example.sv")
    permit = _start_permit(client)
    page = _text(client.get(f"/solicitudes/{permit}/editar"))
    choices = page[page.index('id="opciones-resolucion_calificacion_lugar"') :][:800]
    assert calificacion.tracking_number in choices and "Calle Arce 1234" in choices
    assert 'list="resoluciones-resolucion_calificacion_lugar"' in page
    # Exactly one qualifies for each: the draft already names it.
    assert f'value="{calificacion.tracking_number}"' in page
    # Typed in lower case with spaces, as people do.
    typed = calificacion.tracking_number.lower().replace("-", " - ")
    response = _post(
        client,
        permit,
        FIELDS | _resolutions(f" {typed} ", linea.tracking_number, lluvias.tracking_number),
    )
    assert response.status_code == 302, _text(response)[:3000]
    filed = reload_application(permit)
    assert filed.tracking_number is not None
    assert filed.data["resolucion_calificacion_lugar"] == calificacion.tracking_number


def test_what_is_missing_is_shown_with_a_link_to_start_it(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    permit = _start_permit(client)
    page = _text(client.get(f"/solicitudes/{permit}/editar"))
    assert "necesita una resolución favorable y vigente" in page
    assert 'href="/tramites/OPAMSS/calificacion-lugar"' in page
    assert "Iniciar Calificación de Lugar" in page
    assert "Iniciar Factibilidad de Aguas Lluvias" in page


def test_the_clerk_sees_each_prerequisite_with_its_status_and_its_case(client, app_ctx):
    from portal.extensions import db, utcnow
    from portal.subjects.services import case_by_number

    ana = make_applicant()
    calificacion, linea, lluvias = _held(ana)
    login(client, "ana@example.sv")
    permit = _start_permit(client)
    response = _post(
        client,
        permit,
        FIELDS
        | _resolutions(
            calificacion.tracking_number, linea.tracking_number, lluvias.tracking_number
        ),
    )
    assert response.status_code == 302, _text(response)[:2000]
    mine = _text(client.get(f"/solicitudes/{permit}"))
    assert "Resoluciones previas" in mine and mine.count("Cumple") == 3
    assert f'href="/solicitudes/{calificacion.id}"' in mine
    logout(client)
    # Since filing, the stormwater feasibility lapsed.
    case_by_number(lluvias.tracking_number).decided_at = utcnow() - timedelta(days=5 * 366)
    db.session.commit()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "clerk@example.sv")
    page = _text(client.get(f"/bandeja/{permit}"))
    section = page[page.index("Resoluciones previas") :]
    section = section[: section.index("</dl>")]
    assert section.count("Cumple") == 2 and section.count("No cumple") == 1
    assert f"{lluvias.tracking_number} venció el" in section
    assert f'href="/bandeja/{calificacion.id}"' in section
    assert calificacion.tracking_number in section and "Calle Arce 1234" in section


def test_a_new_draft_is_prefilled_from_records_that_change_without_touching_filed_cases(
    client, app_ctx
):
    from portal.extensions import db
    from portal.subjects.models import LegalUnit
    from tests.portal.helpers import (
        VALID_FIELDS,
        file_new_application,
        reload_application,
        start,
        submit,
    )

    make_applicant()
    login(client, "ana@example.sv")
    first = file_new_application(client)
    filed_data = dict(reload_application(first).data)
    # The next draft of any procedure about a property and its owner starts filled in.
    permit = _start_permit(client)
    draft = reload_application(permit).data
    assert draft["nit_propietario"] == filed_data["nit_propietario"]
    assert draft["nombre_propietario"] == "Ana María Pérez"
    assert draft["tipo_persona"] == "natural"
    assert (draft["distrito"], draft["direccion"]) == ("0614", VALID_FIELDS["f_direccion"])
    assert draft["area_terreno_m2"] == "350"
    page = _text(client.get(f"/solicitudes/{permit}/editar"))
    assert f'value="{VALID_FIELDS["f_direccion"]}"' in page
    # A later case renames the owner: the record follows it, the filed case keeps its data.
    second = start(client, token="token-de-prueba-0002")
    renamed = {**VALID_FIELDS, "f_nombre_propietario": "Ana María Pérez de López"}
    assert submit(client, second, fields=renamed).status_code == 302
    unit = db.session.query(LegalUnit).one()
    assert unit.name == "Ana María Pérez de López"
    unit.name = "Otro nombre"  # an edit of the record itself
    db.session.commit()
    assert reload_application(first).data == filed_data
    status = _text(client.get(f"/solicitudes/{first}"))
    assert "Ana María Pérez" in status and "Otro nombre" not in status
    third = _start_permit(client, token="permiso-de-prueba-0003")
    assert reload_application(third).data["nombre_propietario"] == "Otro nombre"


def test_with_several_records_the_applicant_chooses_which_one(client, app_ctx):
    from tests.portal.helpers import (
        VALID_FIELDS,
        file_new_application,
        reload_application,
        start,
        submit,
    )

    make_applicant()
    login(client, "ana@example.sv")
    file_new_application(client)
    other = start(client, token="token-de-prueba-0002")
    elsewhere = {**VALID_FIELDS, "f_direccion": "Avenida Olímpica 3300"}
    assert submit(client, other, fields=elsewhere).status_code == 302
    permit = _start_permit(client)
    draft = reload_application(permit).data
    assert "direccion" not in draft  # two properties: nothing guessed
    page = _text(client.get(f"/solicitudes/{permit}/editar"))
    found = re.findall(
        r'<option value="(\d+)"[^>]*>([^<]*)</option>', page[page.index("Inmueble") - 2000 :]
    )
    options = {label: value for value, label in found}
    chosen = next(value for label, value in options.items() if "Avenida Olímpica" in label)
    response = client.post(
        f"/solicitudes/{permit}/registro",
        data={"property-subject": "property", "property-record": chosen},
    )
    assert response.status_code == 302
    assert reload_application(permit).data["direccion"] == "Avenida Olímpica 3300"
    # Someone else's record, or a forged id, changes nothing.
    response = client.post(
        f"/solicitudes/{permit}/registro",
        data={"property-subject": "property", "property-record": "999999"},
    )
    assert response.status_code == 302
    assert reload_application(permit).data["direccion"] == "Avenida Olímpica 3300"


def test_someone_filing_with_anothers_nit_neither_changes_nor_reads_their_personal_data(
    client, app_ctx
):
    from portal.extensions import db
    from portal.subjects.models import LegalUnit
    from tests.portal.helpers import VALID_FIELDS, file_new_application, reload_application

    make_applicant()
    make_applicant("luis@example.sv", "Luis Hernández")
    login(client, "ana@example.sv")
    file_new_application(client)
    logout(client)
    login(client, "luis@example.sv")
    same_nit = {**VALID_FIELDS, "f_nombre_propietario": "Luis Hernández"}
    from tests.portal.helpers import start, submit

    assert submit(client, start(client), fields=same_nit).status_code == 302
    unit = db.session.query(LegalUnit).one()
    assert unit.name == "Ana María Pérez"  # the owner's record keeps her name
    draft = reload_application(_start_permit(client)).data
    assert draft["nit_propietario"] == unit.nit
    assert draft["nombre_propietario"] == "Luis Hernández"  # what he gave, never hers


def test_a_registration_opens_an_establishment_and_a_closure_ends_it(app_ctx):
    """The record's life: registered on its start date, closed on the declared closing date."""
    from datetime import date

    from portal.accounts.services import get_user_by_email
    from portal.applications.services import Upload, save_application, start_application
    from portal.establishments.models import Establishment
    from portal.extensions import db
    from portal.procedures.services import get_procedure
    from portal.subjects.services import links_of
    from tests.portal.helpers import reload_application
    from tests.portal.test_back_office import _filed, _in_inspection

    ana = make_applicant()
    registration = _in_inspection(_filed(ana))
    _through_inspection_and_decision(registration)
    registration = reload_application(registration.id)
    establishment = db.session.query(Establishment).one()
    assert links_of(registration)["establishment"].establishment_id == establishment.id
    assert establishment.valid_from == date(2026, 12, 1) and establishment.valid_to is None
    assert establishment.legal_unit_id == links_of(registration)["legal_unit"].legal_unit_id

    # The closure starts filled in from the one establishment and its holder, and the e-mail
    # from the account.
    closure = start_application(
        actor=ana,
        token="cierre-ste-000000001",
        procedure=get_procedure("0511", "cierre-establecimiento"),
    )
    draft = reload_application(closure.id).data
    assert draft["nombre_comercial"] == "Pupusería La Ceiba"
    assert draft["direccion_establecimiento"] == "2a Avenida Norte 5, Santa Tecla"
    assert draft["nit"] == "01234567-8" and draft["nombre_titular"] == "Ana María Pérez"
    assert draft["correo"] == get_user_by_email("ana@example.sv").email
    result = save_application(
        actor=ana,
        application=closure,
        data={
            "cuenta_tributaria": "0511-2026-000031",
            "fecha_cierre": "2027-01-31",
            "motivo": "cese_actividades",
            "tenia_rotulo": "no",
            "telefono": "7777-8888",
        },
        uploads={"balance_final": Upload("balance.pdf", pdf_bytes())},
        submit=True,
    )
    assert result.ok, (result.errors, result.field_errors, result.reasons)
    closure = reload_application(closure.id)
    assert links_of(closure)["establishment"].establishment_id == establishment.id
    _close(closure)
    db.session.expire_all()
    assert establishment.valid_to == date(2027, 1, 31) and establishment.closed_at is not None
    # The registration keeps the data it was filed with.
    assert reload_application(registration.id).data["nombre_comercial"] == "Pupusería La Ceiba"


def _through_inspection_and_decision(application) -> None:
    from portal.applications.effects import local_now
    from portal.applications.services import act_on_application
    from portal.review import services as review
    from tests.portal.helpers import reload_application

    inspector = make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    review.record_inspection(
        actor=inspector,
        application=application,
        visited_on=local_now().date(),
        result="conforme",
        notes="Local en orden.",
        today=local_now().date(),
    )
    act_on_application(
        actor=inspector,
        application=reload_application(application.id),
        action="registrar_inspeccion",
    )
    supervisor = make_staff("supervisor", "0511", email="jefe@santatecla.example.sv")
    act_on_application(
        actor=supervisor,
        application=reload_application(application.id),
        action="inscribir",
        outputs={
            "cuenta_contribuyente": "0511-2026-000031",
            "calificacion_tributaria": "Comercio, categoría B",
        },
    )


def _close(closure) -> None:
    """Take a filed closure to its approval through the services, as the office does."""
    from portal.accounts.services import get_user_by_email
    from portal.applications.effects import local_now
    from portal.applications.facts import facts_for
    from portal.applications.services import act_on_application
    from portal.payments.services import list_payment_orders
    from portal.procedures.services import definition_of
    from portal.review import services as review
    from tests.portal.helpers import reload_application
    from workflows.guards import review_items

    clerk = get_user_by_email("registro@santatecla.example.sv")
    inspector = get_user_by_email("inspector@santatecla.example.sv")
    act_on_application(actor=clerk, application=closure, action="tomar")
    closure = reload_application(closure.id)
    items = review_items(definition_of(closure.procedure_version), facts_for(closure, "clerk"))
    review.record_verdicts(
        actor=clerk, application=closure, verdicts=dict.fromkeys(items, (True, "")), items=items
    )
    act_on_application(actor=clerk, application=reload_application(closure.id), action="admitir")
    today = local_now().date()
    review.record_inspection(
        actor=inspector,
        application=reload_application(closure.id),
        visited_on=today,
        result="conforme",
        notes="Local cerrado.",
        today=today,
    )
    act_on_application(
        actor=inspector,
        application=reload_application(closure.id),
        action="registrar_inspeccion",
    )
    act_on_application(
        actor=clerk,
        application=reload_application(closure.id),
        action="emitir_liquidacion",
        comment="Impuestos al día hasta la fecha de cierre.",
    )
    for order in list_payment_orders(closure.id):
        review.record_payment(
            actor=clerk,
            application=reload_application(closure.id),
            order_id=order.id,
            reference="REC-9",
        )
    # The definition lets the system close it once the taxes are paid: it does, at once.
    assert reload_application(closure.id).history[-1].actor_role == "system"


def test_cases_filed_before_records_existed_are_linked_by_the_backfill(app, app_ctx):
    from portal.extensions import db
    from portal.subjects.models import CaseSubject, LegalUnit, Property
    from portal.subjects.services import links_of

    ana = make_applicant()
    calificacion, _linea, lluvias = _held(ana)
    db.session.query(CaseSubject).delete()
    db.session.query(LegalUnit).delete()
    db.session.query(Property).delete()
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["subjects", "backfill"])
    assert result.exit_code == 0, result.output
    assert "cases read: 3; links made: 6" in result.output
    land = links_of(calificacion)["property"].property_id
    assert links_of(lluvias)["property"].property_id == land
    assert runner.invoke(args=["subjects", "backfill"]).output.startswith("cases read: 0;")


def test_a_version_from_before_the_dictionary_is_read_with_the_latest_bindings(app_ctx):
    from dataclasses import replace

    from portal.procedures.services import definition_of, get_procedure, latest_version
    from portal.subjects.services import _with_latest_bindings

    latest = definition_of(latest_version(get_procedure("OPAMSS", "calificacion-lugar")))
    old = replace(latest, fields=tuple(replace(spec, bind=None) for spec in latest.fields))
    read = _with_latest_bindings(old, latest)
    assert [spec.bind for spec in read.fields] == [spec.bind for spec in latest.fields]
    # A field that changed type since is left unbound.
    retyped = replace(
        old,
        fields=tuple(
            replace(spec, type="long_text") if spec.name == "direccion" else spec
            for spec in old.fields
        ),
    )
    changed = {spec.name: spec.bind for spec in _with_latest_bindings(retyped, latest).fields}
    assert changed["direccion"] is None and changed["nit_propietario"] == "legal_unit.nit"


def test_a_registration_takes_only_a_calificacion_in_its_holders_name(app_ctx):
    """The Santa Tecla registration asks for OPAMSS's calificación de lugar of the same holder:
    the applicant's own approved calificación for another NIT is refused at the field."""
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure
    from tests.portal.test_back_office import REGISTRATION
    from tests.portal.test_routing import LAND

    ana = make_applicant()
    other_holder = decided_case(
        ana, "calificacion-lugar", LAND | {"nit_propietario": "0614-050707-104-8"}
    )
    own = decided_case(ana, "calificacion-lugar", LAND)  # NIT 01234567-8, as the registration
    uploads = {
        code: Upload(f"{code}.pdf", pdf_bytes())
        for code in ("dui_nit", "balance_inicial", "recibo_energia", "calificacion_lugar")
    }
    for token, number, filed in (
        ("registro-otro-titular", other_holder.tracking_number, False),
        ("registro-mismo-titular", own.tracking_number.lower(), True),
    ):
        application = start_application(
            actor=ana, token=token, procedure=get_procedure("0511", "inscripcion-establecimiento")
        )
        data = REGISTRATION | {
            "requiere_calificacion_lugar": "si",
            "resolucion_calificacion_lugar": number,
        }
        result = save_application(
            actor=ana, application=application, data=data, submit=True, uploads=uploads
        )
        assert (result.fired is not None) is filed, (number, result.field_reasons)
        if not filed:
            reasons = str(result.field_reasons)
            assert "resolucion_calificacion_lugar" in reasons, reasons
