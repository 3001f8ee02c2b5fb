"""The applicant's records ("Mis datos") and the representatives a legal unit's owner authorizes.

Over HTTP as the people do it: the owner changes a record (new drafts take the change, filed
cases keep theirs), mistypes a figure (a Spanish message at the field, the text kept), invites
a representative by e-mail; the representative accepts the link from the e-mail and files for
the unit with the unit's own resolution; revoking ends it. Someone else's record answers 404
and the refusal is audited.
"""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from tests.portal.helpers import (
    decided_case,
    login,
    logout,
    mails,
    make_applicant,
    pdf_bytes,
    reload_application,
)
from tests.portal.test_routing import LAND


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _csrf(page: str) -> str:
    """The form's CSRF token when the app checks it (the tests' app does not)."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else ""


def _unit_and_property(applicant):
    from portal.subjects.services import links_of

    case = decided_case(applicant, "calificacion-lugar", LAND)
    links = links_of(case)
    return case, links["legal_unit"].legal_unit_id, links["property"].property_id


def test_a_changed_record_fills_new_drafts_and_leaves_filed_cases_as_they_were(client, app_ctx):
    from portal.applications.services import start_application
    from portal.procedures.services import get_procedure

    ana = make_applicant()
    case, _unit, place = _unit_and_property(ana)
    login(client, "ana@example.sv")
    page = _text(client.get("/mis-datos/"))
    assert "Ana María Pérez · 01234567-8" in page and "Calle Arce 1234" in page

    form = _text(client.get(f"/mis-datos/inmuebles/{place}"))
    assert 'value="Calle Arce 1234"' in form
    response = client.post(
        f"/mis-datos/inmuebles/{place}",
        data={
            "csrf_token": _csrf(form),
            "f_address": "Calle Arce 1240, local 2",
            "f_lot_area_m2": "320.5",
            "f_current_use": "Comercio",
        },
    )
    assert response.status_code == 302
    records = _text(client.get("/mis-datos/"))
    assert "las ya presentadas no cambian" in records
    assert "320.5 m²" in records  # shown as amounts are written everywhere

    draft = start_application(
        actor=ana,
        token="linea-despues-cambio",
        procedure=get_procedure("OPAMSS", "linea-construccion"),
    )
    data = reload_application(draft.id).data
    assert "Calle Arce 1240, local 2" in data.values()
    assert reload_application(case.id).data["direccion"] == "Calle Arce 1234"


def test_a_mistyped_figure_is_explained_at_the_field_and_kept(client, app_ctx):
    from portal.extensions import db
    from portal.subjects.models import Property

    ana = make_applicant()
    _case, _unit, place = _unit_and_property(ana)
    login(client, "ana@example.sv")
    form = _text(client.get(f"/mis-datos/inmuebles/{place}"))
    for typed in ("12,5,0", "doscientos", "1.250,50"):
        response = client.post(
            f"/mis-datos/inmuebles/{place}",
            data={
                "csrf_token": _csrf(form),
                "f_address": "Calle Arce 1234",
                "f_lot_area_m2": typed,
            },
        )
        page = _text(response)
        assert response.status_code == 200
        assert "Hay un problema" in page and f'value="{typed}"' in page
        assert re.search(r'id="f_lot_area_m2-error"[^>]*>.*?(número|decimales|miles)', page, re.S)
    db.session.expire_all()
    assert db.session.get(Property, place).lot_area_m2 == 300


def test_someone_elses_record_answers_404_and_is_audited(client, app_ctx):
    from portal.accounts.models import AuditEvent
    from portal.extensions import db

    ana = make_applicant()
    _case, unit, place = _unit_and_property(ana)
    make_applicant("bea@example.sv", "Beatriz López")
    login(client, "bea@example.sv")
    assert "Ana María" not in _text(client.get("/mis-datos/"))
    for path in (f"/mis-datos/titulares/{unit}", f"/mis-datos/inmuebles/{place}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Ana María" not in _text(response)
    refused = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.subject.like("/mis-datos/%"))
    ).all()
    assert len(refused) == 2 and all(e.detail.get("status") == 404 for e in refused)


def _file_registration(actor, token: str, number: str):
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure
    from tests.portal.test_back_office import REGISTRATION

    application = start_application(
        actor=actor, token=token, procedure=get_procedure("0511", "inscripcion-establecimiento")
    )
    uploads = {
        code: Upload(f"{code}.pdf", pdf_bytes())
        for code in ("dui_nit", "balance_inicial", "recibo_energia", "calificacion_lugar", "poder")
    }
    data = REGISTRATION | {
        "correo": actor.email,
        "mediante_apoderado": "si",
        "requiere_calificacion_lugar": "si",
        "resolucion_calificacion_lugar": number,
    }
    return save_application(
        actor=actor, application=application, data=data, submit=True, uploads=uploads
    )


def test_a_representative_accepts_the_invitation_and_files_for_the_unit(
    client, app, app_ctx, run_jobs
):
    ana = make_applicant()
    calificacion, unit, _place = _unit_and_property(ana)
    bea = make_applicant("bea@example.sv", "Beatriz López")

    # Before any authorization, Ana's resolution is not Bea's to present.
    refused = _file_registration(bea, "registro-bea-antes", calificacion.tracking_number)
    assert refused.fired is None and "resolucion_calificacion_lugar" in str(refused.field_reasons)

    login(client, "ana@example.sv")
    assert f"/mis-datos/titulares/{unit}#representantes" in _text(client.get("/mis-datos/"))
    page = _text(client.get(f"/mis-datos/titulares/{unit}"))
    assert "Representantes" in page
    own = client.post(
        f"/mis-datos/titulares/{unit}/representantes",
        data={"csrf_token": _csrf(page), "email": "ana@example.sv"},
    )
    assert own.status_code == 422 and "su propio correo" in _text(own)
    for _twice in range(2):  # a double submission sends one invitation
        sent = client.post(
            f"/mis-datos/titulares/{unit}/representantes",
            data={"csrf_token": _csrf(page), "email": " Bea@Example.sv "},
        )
        assert sent.status_code == 302
    run_jobs()
    invitations = [m for m in mails(app) if m["To"] == "bea@example.sv"]
    assert len(invitations) == 1
    link = re.search(r"https?://\S+/mis-datos/representacion/\S+", invitations[0].get_content())
    path = "/" + link.group(0).split("/", 3)[3]
    logout(client)

    # Someone else signed in cannot take it; Bea can.
    make_applicant("carla@example.sv", "Carla Díaz")
    login(client, "carla@example.sv")
    other = _text(client.get(path))
    assert "otra dirección de correo" in other
    assert client.post(path, data={"csrf_token": _csrf(other)}).status_code == 404
    logout(client)
    login(client, "bea@example.sv")
    invitation = _text(client.get(path))
    assert "Ana María Pérez" in invitation
    assert client.post(path, data={"csrf_token": _csrf(invitation)}).status_code == 302
    # Sent again (double submission, back and send): the same answer, one representation.
    twice = client.post(path, data={"csrf_token": _csrf(invitation)})
    assert twice.status_code == 302 and twice.headers["Location"].endswith("/mis-datos/")
    assert "Ahora puede presentar trámites por" in _text(client.get("/mis-datos/"))
    records = _text(client.get("/mis-datos/"))
    assert "Ana María Pérez · 01234567-8" in records and "Representante" in records
    assert client.get(path).status_code == 404  # used once

    filed = _file_registration(bea, "registro-bea-despues", calificacion.tracking_number)
    assert filed.fired is not None, filed.field_reasons

    # Ana revokes: Bea no longer acts for the unit.
    logout(client)
    login(client, "ana@example.sv")
    page = _text(client.get(f"/mis-datos/titulares/{unit}"))
    assert "Beatriz López" in page
    representation = re.search(r"/representantes/(\d+)/revocar", page).group(1)
    revoked = client.post(
        f"/mis-datos/titulares/{unit}/representantes/{representation}/revocar",
        data={"csrf_token": _csrf(page)},
    )
    assert revoked.status_code == 302
    again = _file_registration(bea, "registro-bea-revocada", calificacion.tracking_number)
    assert again.fired is None
