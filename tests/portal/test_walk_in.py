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
    pdf_text,
    procedure_id,
    reload_application,
    submit,
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
    assert response.status_code == 302, re.findall(
        r"govuk-error-summary__list.*?</ul>", _text(response), re.S
    )
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
    response = _walk_and_file(
        client, application_id, given.get("full_name", "Pedro Antonio Ramírez")
    )
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
    # It is shared by every counter case of this DUI: it carries no fact of any one of them.
    assert "Pedro" not in owner.full_name and not owner.is_staff
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


JURGEN = "Jürgen Łódź Čapek"
JURGEN_DUI = "04567890-3"


def _case_page_applicant(page: str) -> str:
    """The "Solicitante" block of the back office's case page."""
    start = page.index(">Solicitante<")
    return page[start : page.index("</dl>", start)]


def test_walk_ins_with_the_same_identifier_keep_each_the_name_and_contact_given_for_it(
    client, clerk, app, run_jobs
):
    from portal.procedures.services import definition_of, get_procedure
    from portal.review.reasoned import values

    application = _filed_at_counter(
        client, run_jobs, identifier=JURGEN_DUI, full_name=JURGEN, email="", phone="",
        token="jurgen-counter-0001",
    )  # fmt: skip
    logout(client)
    # Another office's counter, the same person's DUI: first as a DUI, then as a NIT (the same
    # digits, one counter account), each with another name and contact.
    make_staff("clerk", "0614", email="clerk@sansalvador.example.sv")
    login(client, "clerk@sansalvador.example.sv")
    other = get_procedure("0614", "inscripcion-establecimiento")
    for kind, typed, token in (
        ("dui", "045678903", "ana-0614-token-0001"),
        ("nit", JURGEN_DUI, "ana-0614-token-0002"),
    ):
        response = _open_counter_draft(
            client, procedure=str(other.id), id_kind=kind, identifier=typed, full_name="Ana",
            email="ana.otra@example.sv", phone="2222-3333", token=token,
        )  # fmt: skip
        draft = reload_application(_draft_id(response))
        assert draft.applicant_id == application.applicant_id  # one counter account
        assert "Ana" in _text(client.get(f"/borradores/{draft.id}/paso/1"))
    logout(client)
    # The first case still shows, writes and prints the name given at its own counter.
    login(client, CLERK)
    page = _text(client.get(f"/bandeja/{application.id}"))
    block = _case_page_applicant(page)
    assert JURGEN in block and ">Ana<" not in block
    assert "sin correo" in block and "ventanilla.invalid" not in page
    case = reload_application(application.id)
    said = values(case, definition_of(case.procedure_version), "")
    assert said["applicant"] == JURGEN
    receipt = pdf_text(client.get(f"/solicitudes/{application.id}/constancia.pdf").data)
    assert JURGEN.split()[0] in receipt and "Ana" not in receipt
    # The e-mail given at the counter is the one shown, when one was given.
    pedro = _filed_at_counter(client, run_jobs, token="pedro-counter-0001")
    block = _case_page_applicant(_text(client.get(f"/bandeja/{pedro.id}")))
    assert "pedro@example.sv" in block and "7777-8888" in block


def test_a_name_of_only_spaces_is_refused_at_its_field(client, clerk):
    for blank in ("   ", "\t \u00a0"):
        response = _open_counter_draft(client, full_name=blank, token="espacios-token-0001")
        page = _text(response)
        assert response.status_code == 422
        assert "Escriba el nombre completo de la persona." in page and 'href="#full_name"' in page
        assert 'value="04567891-1"' in page or 'value=" 04567891 1 "' in page
    assert db.session.scalar(sa.select(sa.func.count(WalkIn.id))) == 0
    # Spaces around and inside a real name are tidied, not kept.
    draft = _draft_id(
        _open_counter_draft(client, full_name="  Pedro   Ramírez ", token="espacios-token-0002")
    )
    assert (
        db.session.scalar(sa.select(WalkIn.full_name).where(WalkIn.application_id == draft))
        == "Pedro Ramírez"
    )


def test_the_receipt_pdf_of_a_counter_case_says_en_ventanilla_with_the_claim_code(
    client, clerk, run_jobs
):
    application = _filed_at_counter(client, run_jobs)
    walk_in = db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))
    text = " ".join(
        pdf_text(client.get(f"/solicitudes/{application.id}/constancia.pdf").data).split()
    )
    assert "en ventanilla" in text and "medio electrónico" not in text
    assert "Pedro Antonio Ramírez" in text
    assert display_code(walk_in.claim_code) in text and "/reclamar/" in text
    assert "Código para reclamar" in text
    # A case filed online says the electronic medium and has no claim code.
    logout(client)
    make_applicant()
    login(client, "ana@example.sv")
    online = file_new_application(client, token="en-linea-token-0001")
    run_jobs()
    text = " ".join(pdf_text(client.get(f"/solicitudes/{online}/constancia.pdf").data).split())
    assert "medio electrónico" in text and "reclamar" not in text.lower()


@pytest.mark.parametrize(
    ("typed", "named", "not_named"),
    [("04567890-4", "del DUI", "NIT"), ("045678904", "del DUI", "NIT"),
     ("0614-050707-104-9", "del NIT", "del DUI")],
)  # fmt: skip
def test_a_claim_with_a_wrong_check_digit_names_what_was_typed(
    client, clerk, run_jobs, typed, named, not_named
):
    application = _filed_at_counter(client, run_jobs)
    walk_in = db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))
    logout(client)
    make_applicant("pedro@correo.example.sv", "Pedro Antonio Ramírez")
    login(client, "pedro@correo.example.sv")
    response = client.post(
        "/reclamar/",
        data={
            "number": application.tracking_number,
            "code": walk_in.claim_code,
            "identifier": typed,
        },
    )
    page = _text(response)
    assert response.status_code == 422 and 'href="#identifier"' in page
    message = page[page.index("dígito verificador") :][:200]
    assert named in message and not_named not in message


# ---------------------------------------------------------------- corrections at the counter

REGISTRATION_FILES = ("dui_nit", "balance_inicial", "recibo_energia")


def _registration_at_counter(clerk_user, token: str = "registro-ventanilla-01"):
    """Santa Tecla's business registration filed at the counter for Pedro,
    then sent back by the office for a correction of the trade name and the energy bill."""
    from portal.applications.facts import facts_for
    from portal.applications.services import Upload, act_on_application, save_application
    from portal.procedures.services import definition_of, get_procedure
    from portal.review import services as review
    from portal.walkin.services import open_counter_draft
    from tests.portal.test_back_office import REGISTRATION
    from workflows.guards import review_items

    opened = open_counter_draft(
        clerk=clerk_user,
        procedure=get_procedure("0511", "inscripcion-establecimiento"),
        token=token,
        id_kind="dui",
        identifier=PEDRO_DUI,
        full_name="Pedro Antonio Ramírez",
        email="pedro@example.sv",
    )
    uploads = {c: Upload(f"{c}.pdf", pdf_bytes()) for c in REGISTRATION_FILES}
    result = save_application(
        actor=clerk_user,
        application=opened.application,
        data=REGISTRATION | {"correo": "pedro@example.sv"},
        submit=True,
        uploads=uploads,
    )
    assert result.ok, (result.errors, result.reasons)
    reviewer = make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    application = reload_application(opened.application.id)
    act_on_application(actor=reviewer, application=application, action="tomar")
    application = reload_application(application.id)
    items = review_items(
        definition_of(application.procedure_version), facts_for(application, "clerk")
    )
    verdicts = dict.fromkeys(items, (True, ""))
    verdicts["nombre_comercial"] = (False, "El nombre comercial no coincide.")
    verdicts["recibo_energia"] = (False, "El recibo tiene más de tres meses.")
    review.record_verdicts(actor=reviewer, application=application, verdicts=verdicts, items=items)
    act_on_application(
        actor=reviewer, application=reload_application(application.id), action="prevenir",
        comment="Revise lo marcado.",
    )  # fmt: skip
    return reload_application(application.id)


@pytest.fixture
def santa_tecla(client, app_ctx):
    """Santa Tecla's counter: the clerk who filed, and another clerk the citizen comes back to."""
    filer = make_staff("clerk", "0511", email="ventanilla@santatecla.example.sv")
    make_staff("clerk", "0511", email="ventanilla2@santatecla.example.sv")
    return filer


def _correction_fields(application) -> dict:
    fields = {f"f_{name}": value for name, value in application.data.items() if value is not None}
    fields["f_nombre_comercial"] = "Pupusería La Ceiba de Santa Tecla"
    return fields


def test_a_clerk_of_the_office_enters_the_correction_at_the_counter_for_the_citizen(
    client, santa_tecla, app, run_jobs
):
    application = _registration_at_counter(santa_tecla)
    waiting_state, due = application.state, application.state_due_on
    assert due is not None
    # Another clerk of the office: the counter lists the case with its deadline and the link.
    login(client, "ventanilla2@santatecla.example.sv")
    counter = _text(client.get("/bandeja/ventanilla/"))
    section = counter[counter.index("Esperan una corrección") :]
    assert "Pedro Antonio Ramírez" in section and application.tracking_number in section
    assert due.strftime("%d/%m/%Y") in section
    link = f'href="/solicitudes/{application.id}/editar"'
    assert link in section and "Registrar corrección en ventanilla" in section
    # The applicant's correction page, with what the office marked, as the citizen's agent.
    page = _text(client.get(f"/solicitudes/{application.id}/editar"))
    assert "En ventanilla" in page and "Pedro Antonio Ramírez" in page
    assert "Revise lo marcado." in page and "El recibo tiene más de tres meses." in page
    response = submit(
        client,
        application.id,
        fields=_correction_fields(application),
        files=documents(recibo_energia=pdf_bytes(2)),
    )
    assert response.status_code == 302, _text(response)[:2000]
    assert response.headers["Location"].endswith("/bandeja/ventanilla/")
    corrected = reload_application(application.id)
    assert corrected.state != waiting_state
    assert corrected.data["nombre_comercial"] == "Pupusería La Ceiba de Santa Tecla"
    last = corrected.history[-1]
    clerk2 = db.session.scalar(
        sa.select(User).where(User.email == "ventanilla2@santatecla.example.sv")
    )
    assert last.actor_id == clerk2.id and last.actor_role == "applicant"
    assert corrected.applicant_id == application.applicant_id  # still the citizen's case
    # The history says who entered it, at the counter; the case left the waiting list.
    case = _text(client.get(f"/bandeja/{application.id}"))
    assert f"{clerk2.full_name}, en ventanilla" in case
    counter = _text(client.get("/bandeja/ventanilla/"))
    assert "Esperan una corrección" not in counter
    # Sent twice (back and send again): the status page, nothing fired twice.
    again = submit(client, application.id, fields=_correction_fields(application), files={})
    assert again.status_code == 302 and "/editar" not in again.headers["Location"]
    assert len(reload_application(application.id).history) == len(corrected.history)


def test_only_counter_staff_of_the_office_correct_for_the_citizen_and_only_until_claimed(
    client, santa_tecla, run_jobs
):
    application = _registration_at_counter(santa_tecla)
    path = f"/solicitudes/{application.id}/editar"
    fields = _correction_fields(application)
    # Counter staff of another office: not theirs to see (404, audited).
    make_staff("clerk", "OPAMSS", email="clerk@opamss.example.sv")
    login(client, "clerk@opamss.example.sv")
    before = _denials(path)
    assert client.get(path).status_code == 404 and _denials(path) == before + 1
    assert "Esperan una corrección" not in _text(client.get("/bandeja/ventanilla/"))
    logout(client)
    # Staff of the office who do not work the counter: they read the case, never correct it.
    make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    login(client, "inspector@santatecla.example.sv")
    assert client.get(path).headers["Location"].endswith(f"/solicitudes/{application.id}")
    before = _denials(path)
    assert submit(client, application.id, fields=fields).status_code == 403
    assert _denials(path) == before + 1
    logout(client)
    # The citizen claims the case: from then on only they answer the correction.
    walk_in = db.session.scalar(sa.select(WalkIn).where(WalkIn.application_id == application.id))
    make_applicant("pedro@correo.example.sv", "Pedro Antonio Ramírez")
    login(client, "pedro@correo.example.sv")
    claimed = client.post(
        "/reclamar/",
        data={
            "number": application.tracking_number,
            "code": walk_in.claim_code,
            "identifier": PEDRO_DUI,
        },
    )
    assert claimed.status_code == 302
    assert "Revise lo marcado." in _text(client.get(path))
    logout(client)
    login(client, "ventanilla2@santatecla.example.sv")
    assert "Esperan una corrección" not in _text(client.get("/bandeja/ventanilla/"))
    assert client.get(path).headers["Location"].endswith(f"/solicitudes/{application.id}")
    assert submit(client, application.id, fields=fields).status_code == 403
    assert reload_application(application.id).state == application.state
