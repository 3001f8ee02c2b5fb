"""Walk-in filing: a clerk files for a citizen at the counter through the draft's own steps,
prints a receipt with the tracking and claim codes, and the citizen claims the case online."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import AuditEvent, User
from portal.applications.models import Application
from portal.extensions import db
from portal.tracking.services import display_code
from portal.walkin.models import WalkIn
from tests.portal.helpers import (
    PASSWORD,
    VALID_FIELDS,
    documents,
    file_new_application,
    login,
    logout,
    mails,
    make_applicant,
    make_staff,
    pdf_bytes,
    procedure_id,
    reload_application,
)

CLERK = "ventanilla@opamss.example.sv"
PEDRO_DUI = "04567891-1"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _fields_of(page: str) -> set[str]:
    return set(re.findall(r'name="f_([a-z0-9_]+)', page))


def _denials(path: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "access.denied", AuditEvent.subject == path
        )
    )


def _open_counter_draft(client, identifier=" 04567891 1 ", token="ventanilla-token-0001", **extra):
    form = {
        "token": token,
        "procedure": str(procedure_id()),
        "id_kind": "dui",
        "identifier": identifier,
        "full_name": "Pedro Antonio Ramírez",
        "email": "pedro@example.sv",
        "phone": "7777 8888",
    } | extra
    return client.post("/bandeja/ventanilla/", data=form)


def _draft_id(response) -> int:
    assert response.status_code == 302, _text(response)[:3000]
    return int(re.search(r"/borradores/(\d+)/paso/1$", response.headers["Location"]).group(1))


#: Pedro's answers: the holder is Pedro himself.
PEDRO_FIELDS = VALID_FIELDS | {
    "f_nombre_propietario": "Pedro Antonio Ramírez",
    "f_nit_propietario": PEDRO_DUI,
}


def _walk_and_file(client, application_id: int, name: str = "Pedro Antonio Ramírez"):
    """Answer every step as the citizen says, attach the scans, and file from the check page."""
    given = PEDRO_FIELDS if name.startswith("Pedro") else VALID_FIELDS
    for number in range(1, 5):
        page = _text(client.get(f"/borradores/{application_id}/paso/{number}"))
        assert "En ventanilla" in page and name in page
        answers = {
            f"f_{field}": given[f"f_{field}"] for field in _fields_of(page) if f"f_{field}" in given
        }
        response = client.post(f"/borradores/{application_id}/paso/{number}", data=answers)
        assert response.status_code == 302, _text(response)[:3000]
    scans = documents(escritura=pdf_bytes(), plano_topografico=pdf_bytes())
    response = client.post(f"/borradores/{application_id}/paso/5", data=scans)
    assert response.status_code == 302
    check = _text(client.get(f"/borradores/{application_id}/revisar"))
    assert "En ventanilla" in check and "Presentar solicitud" in check
    posted = {"lock_version": re.search(r'name="lock_version" value="(\d+)"', check).group(1)}
    return client.post(f"/borradores/{application_id}/revisar", data=posted)


@pytest.fixture
def clerk(client, app_ctx):
    make_staff("clerk", "OPAMSS", email=CLERK)
    login(client, CLERK)
    return db.session.scalar(sa.select(User).where(User.email == CLERK))


def _filed_at_counter(client, run_jobs, **given) -> Application:
    application_id = _draft_id(_open_counter_draft(client, **given))
    response = _walk_and_file(client, application_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/bandeja/ventanilla/{application_id}/constancia")
    run_jobs()
    return reload_application(application_id)


def test_a_clerk_files_for_a_citizen_through_the_draft_steps_and_prints_the_receipt(
    client, clerk, app, run_jobs
):
    page = _text(client.get("/bandeja/ventanilla/"))
    assert "Calificación de Lugar" in page and 'name="identifier"' in page
    application = _filed_at_counter(client, run_jobs)
    assert application.tracking_number and application.state != "borrador"
    # "Presentar" sent again from the same page: the receipt, and the case filed once.
    again = client.post(f"/borradores/{application.id}/revisar", data={"lock_version": "1"})
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/bandeja/ventanilla/{application.id}/constancia")
    assert [e.from_state for e in reload_application(application.id).history].count(
        application.history[0].from_state
    ) == 1
    walk_in = db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))
    assert walk_in.identifier == PEDRO_DUI and walk_in.phone == "7777-8888"
    assert walk_in.clerk_id == clerk.id
    # The case belongs to a counter account that cannot sign in.
    owner = application.applicant
    assert owner.full_name == "Pedro Antonio Ramírez" and not owner.is_staff
    logout(client)
    refused = client.post("/cuenta/entrar", data={"email": owner.email, "password": PASSWORD})
    assert refused.status_code != 302
    login(client, CLERK)
    # The printable counter receipt: tracking number, tracking code and claim code.
    receipt = _text(client.get(f"/bandeja/ventanilla/{application.id}/constancia"))
    assert application.tracking_number in receipt
    assert display_code(application.tracking_code) in receipt
    assert display_code(walk_in.claim_code) in receipt and "/reclamar/" in receipt
    # Every act shows the clerk, at the counter; the documents were scanned by the clerk.
    filing = application.history[-1]
    assert filing.actor_id == clerk.id and filing.actor_role == "applicant"
    assert {d.uploaded_by_id for d in application.current_documents} == {clerk.id}
    # The case behaves like any other: receipt PDF, deadline, in the office's queue.
    assert application.due_on is not None
    assert client.get(f"/solicitudes/{application.id}/constancia.pdf").status_code == 200
    supervisor = make_staff("supervisor", "OPAMSS", email="jefa@opamss.example.sv")
    logout(client)
    login(client, supervisor.email)
    case = _text(client.get(f"/bandeja/{application.id}"))
    assert f"{clerk.full_name}, en ventanilla" in case
    assert client.get("/bandeja/ventanilla/").status_code == 200  # supervisors file too
    # The notices go to the e-mail given at the counter.
    assert any(m["To"] == "pedro@example.sv" for m in mails(app))
    assert not any("ventanilla.invalid" in str(m["To"]) for m in mails(app))


def test_the_counter_form_checks_the_dui_at_the_field_and_keeps_what_was_typed(client, clerk):
    response = _open_counter_draft(client, identifier="04567891-2")  # wrong check digit
    page = _text(response)
    assert response.status_code == 422
    assert "Hay un problema" in page and 'value="Pedro Antonio Ramírez"' in page
    assert "DUI" in page and 'href="#identifier"' in page
    assert db.session.scalar(sa.select(sa.func.count(WalkIn.id))) == 0


def test_a_double_submission_of_the_counter_form_opens_one_draft(client, clerk):
    first = _draft_id(_open_counter_draft(client))
    again = _draft_id(_open_counter_draft(client))
    assert first == again
    assert db.session.scalar(sa.select(sa.func.count(WalkIn.id))) == 1


def test_the_counter_is_for_clerks_and_supervisors_of_the_procedures_scope(client, clerk, app):
    draft = _draft_id(_open_counter_draft(client))
    logout(client)
    # An applicant cannot use the counter, nor can an inspector.
    make_applicant()
    login(client, "ana@example.sv")
    assert client.get("/bandeja/ventanilla/").status_code == 403
    assert client.get(f"/borradores/{draft}/paso/1").status_code == 404
    logout(client)
    make_staff("inspector", "OPAMSS", email="inspector@opamss.example.sv")
    login(client, "inspector@opamss.example.sv")
    assert client.get("/bandeja/ventanilla/").status_code == 403
    logout(client)
    # A clerk of another district neither files this procedure nor sees the counter draft.
    make_staff("clerk", "0511", email="clerk@santatecla.example.sv")
    login(client, "clerk@santatecla.example.sv")
    assert "Calificación de Lugar" not in _text(client.get("/bandeja/ventanilla/"))
    before = _denials("/bandeja/ventanilla/")
    response = _open_counter_draft(client, token="otro-distrito-token-01")
    assert response.status_code == 404 and _denials("/bandeja/ventanilla/") == before + 1
    for path in (f"/borradores/{draft}/paso/1", f"/borradores/{draft}/revisar"):
        before = _denials(path)
        assert client.get(path).status_code == 404
        assert _denials(path) == before + 1
    logout(client)
    # Another clerk of the same office is not the citizen's agent on that draft either.
    make_staff("clerk", "OPAMSS", email="otro@opamss.example.sv")
    login(client, "otro@opamss.example.sv")
    assert client.get(f"/borradores/{draft}/paso/1").status_code == 404
    assert client.post(f"/borradores/{draft}/revisar", data={}).status_code == 404


def test_a_clerk_of_another_district_cannot_open_the_counter_receipt(client, clerk, run_jobs):
    application = _filed_at_counter(client, run_jobs)
    logout(client)
    make_staff("clerk", "0511", email="clerk@santatecla.example.sv")
    login(client, "clerk@santatecla.example.sv")
    path = f"/bandeja/ventanilla/{application.id}/constancia"
    before = _denials(path)
    assert client.get(path).status_code == 404
    assert _denials(path) == before + 1


def test_the_citizen_claims_the_case_with_the_code_typed_loosely_and_only_once(
    client, clerk, run_jobs
):
    application = _filed_at_counter(client, run_jobs)
    walk_in = db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))
    counter_owner = application.applicant_id
    logout(client)
    make_applicant("pedro@correo.example.sv", "Pedro Antonio Ramírez")
    login(client, "pedro@correo.example.sv")
    number = application.tracking_number.lower().replace("-", " ")
    code = "-".join(display_code(walk_in.claim_code).lower().split("-")) + " "
    # A wrong DUI: refused at the field, nothing moves.
    wrong = client.post(
        "/reclamar/", data={"number": number, "code": code, "identifier": "05678912-3"}
    )
    assert wrong.status_code == 422
    assert "no coincide" in _text(wrong) and 'href="#identifier"' in _text(wrong)
    assert reload_application(application.id).applicant_id == counter_owner
    # The right one, typed without its dash.
    claimed = client.post(
        "/reclamar/", data={"number": number, "code": code, "identifier": "045678911"}
    )
    assert claimed.status_code == 302
    assert claimed.headers["Location"].endswith(f"/solicitudes/{application.id}")
    pedro = db.session.scalar(sa.select(User).where(User.email == "pedro@correo.example.sv"))
    assert reload_application(application.id).applicant_id == pedro.id
    assert application.tracking_number in _text(client.get("/solicitudes/"))
    assert client.get(f"/solicitudes/{application.id}").status_code == 200
    audit = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "case.claimed", AuditEvent.application_id == application.id
        )
    )
    assert audit.actor_id == pedro.id and audit.detail["from_account"] == counter_owner
    # His record (legal unit) filed at the counter is now his, with its personal data.
    from portal.subjects.models import LegalUnit

    unit = db.session.scalar(sa.select(LegalUnit).where(LegalUnit.nit == PEDRO_DUI))
    assert unit.owner_id == pedro.id
    # Claiming again says it is already theirs; someone else is told it was claimed.
    again = client.post(
        "/reclamar/", data={"number": number, "code": code, "identifier": PEDRO_DUI}
    )
    assert again.status_code == 409 and "ya está en su cuenta" in _text(again)
    logout(client)
    make_applicant("otra@example.sv", "Otra Persona")
    login(client, "otra@example.sv")
    other = client.post(
        "/reclamar/", data={"number": number, "code": code, "identifier": PEDRO_DUI}
    )
    assert other.status_code == 409 and "ya fue reclamado" in _text(other)
    assert reload_application(application.id).applicant_id == pedro.id


def test_a_wrong_claim_code_finds_nothing_and_guessing_is_rate_limited(client, clerk, run_jobs):
    application = _filed_at_counter(client, run_jobs)
    logout(client)
    make_applicant("pedro@correo.example.sv", "Pedro Antonio Ramírez")
    login(client, "pedro@correo.example.sv")
    answers = [
        client.post(
            "/reclamar/",
            data={
                "number": application.tracking_number,
                "code": "ZZZZ-ZZZZ",
                "identifier": PEDRO_DUI,
            },
        )
        for _ in range(11)
    ]
    assert [a.status_code for a in answers[:10]] == [404] * 10
    assert "No encontramos un expediente de ventanilla" in _text(answers[0])
    assert answers[10].status_code == 429
    assert "código para reclamar" in _text(answers[10])


def test_staff_do_not_claim_cases(client, clerk):
    assert client.get("/reclamar/").status_code == 403


def test_a_registered_person_gets_the_counter_case_in_their_own_account(client, app_ctx, run_jobs):
    make_applicant()  # Ana, whose DUI is on file from her own filing
    login(client, "ana@example.sv")
    file_new_application(client)
    run_jobs()
    logout(client)
    make_staff("clerk", "OPAMSS", email=CLERK)
    login(client, CLERK)
    response = _open_counter_draft(
        client, identifier="01234567-8", full_name="Ana Pérez", email="", token="ana-counter-0001"
    )
    draft = _draft_id(response)
    page = _text(client.get(response.headers["Location"]))
    assert "ya tiene cuenta en el portal" in page
    assert "ana@example.sv" not in page  # nothing of her account is shown at the counter
    assert _walk_and_file(client, draft, "Ana Pérez").status_code == 302
    run_jobs()
    application = reload_application(draft)
    ana = db.session.scalar(sa.select(User).where(User.email == "ana@example.sv"))
    assert application.applicant_id == ana.id
    receipt = _text(client.get(f"/bandeja/ventanilla/{draft}/constancia"))
    assert "Código para reclamar" not in receipt and "ya está en la cuenta" in receipt
    logout(client)
    login(client, "ana@example.sv")
    mine = _text(client.get("/solicitudes/"))
    assert application.tracking_number in mine
    status = _text(client.get(f"/solicitudes/{draft}"))
    assert "en ventanilla" in status and CLERK not in status


def test_a_claim_by_someone_whose_own_dui_on_file_differs_is_refused(client, clerk, run_jobs):
    application = _filed_at_counter(client, run_jobs)
    walk_in = db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))
    logout(client)
    make_applicant()  # Ana: her own filing put her DUI 01234567-8 in her details
    login(client, "ana@example.sv")
    file_new_application(client, token="ana-own-filing-0001")
    response = client.post(
        "/reclamar/",
        data={
            "number": application.tracking_number,
            "code": walk_in.claim_code,
            "identifier": PEDRO_DUI,  # she read it off Pedro's receipt
        },
    )
    assert response.status_code == 422 and "no coincide" in _text(response)
    assert reload_application(application.id).applicant_id != db.session.scalar(
        sa.select(User.id).where(User.email == "ana@example.sv")
    )


def test_without_an_e_mail_nothing_is_mailed_and_what_was_said_at_the_counter_is_prefilled(
    client, clerk, app, run_jobs
):
    from portal.procedures.services import get_procedure

    make_staff("clerk", "0511", email="clerk@santatecla.example.sv")
    logout(client)
    login(client, "clerk@santatecla.example.sv")
    response = _open_counter_draft(
        client,
        procedure=str(get_procedure("0511", "inscripcion-establecimiento").id),
        email="",
        token="sin-correo-token-0001",
    )
    draft = reload_application(_draft_id(response))
    assert draft.data.get("telefono") == "7777-8888" and "correo" not in draft.data
    logout(client)
    login(client, CLERK)
    application = _filed_at_counter(client, run_jobs, email="")
    assert application.tracking_number and mails(app) == []  # nobody to write to, yet
