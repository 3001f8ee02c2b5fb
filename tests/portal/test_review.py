"""The clerk's side: queue, correction, resubmission, decision, certificate, verification."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.applications.services import act_on_application
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_text,
    qr_texts,
    ready_to_decide,
    reload_application,
    submit,
)


def _filed_case(client, *, ready: bool = False) -> int:
    """A filed Calificación de Lugar; `ready`: its items found OK and its fee paid."""
    make_applicant()
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    if ready:
        ready_to_decide(application_id, clerk)
    return application_id


def _decide(client, application_id, action, comment="", lock_version=None):
    version = (
        lock_version
        if lock_version is not None
        else reload_application(application_id).lock_version
    )
    return client.post(
        f"/bandeja/{application_id}",
        data={"action": action, "comment": comment, "lock_version": str(version)},
    )


def test_the_queue_shows_filed_cases_of_the_clerks_authority_by_deadline(client, app_ctx):
    application_id = _filed_case(client)
    login(client, "clerk@example.sv")
    page = client.get("/bandeja/").get_data(as_text=True)
    number = reload_application(application_id).tracking_number
    assert number in page and "San Salvador" in page
    case = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Calle Arce 1234" in case and "escritura.pdf" in case
    document = reload_application(application_id).current_documents[0]
    download = client.get(f"/solicitudes/{application_id}/documentos/{document.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_a_correction_needs_a_reason_that_the_applicant_then_sees(client, app_ctx):
    application_id = _filed_case(client)
    login(client, "clerk@example.sv")
    refused = _decide(client, application_id, "prevenir", comment="  ")
    assert refused.status_code == 200
    assert "Escriba el motivo" in refused.get_data(as_text=True)
    assert reload_application(application_id).state == "presentado"
    done = _decide(
        client,
        application_id,
        "prevenir",
        comment="El plano topográfico no muestra las curvas de nivel.",
    )
    assert done.status_code == 302
    application = reload_application(application_id)
    assert application.state == "prevenido"
    assert application.due_on is None and application.clock["events"][-1] == {
        "kind": "suspend",
        "on": application.clock["events"][-1]["on"],
        "reason": "El plano topográfico no muestra las curvas de nivel.",
    }
    logout(client)
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "El plano topográfico no muestra las curvas de nivel." in status
    assert "Corregir la solicitud" in status


def test_the_applicant_corrects_and_resubmits_and_the_clock_resumes(client, app_ctx):
    application_id = _filed_case(client)
    login(client, "clerk@example.sv")
    _decide(client, application_id, "prevenir", comment="Falta la firma del profesional.")
    logout(client)
    login(client, "ana@example.sv")
    response = submit(client, application_id)
    assert response.status_code == 302
    application = reload_application(application_id)
    assert application.state == "presentado" and application.due_on is not None
    assert [h.action for h in application.history] == ["presentar", "prevenir", "subsanar"]
    assert len(application.documents) == 4 and len(application.current_documents) == 2


def test_approval_issues_a_certificate_whose_qr_leads_to_its_verification(
    client, app_ctx, run_jobs, tmp_path
):
    application_id = _filed_case(client, ready=True)
    login(client, "clerk@example.sv")
    assert _decide(client, application_id, "aprobar").status_code == 302
    run_jobs()
    application = reload_application(application_id)
    assert application.state == "favorable" and application.decided_at is not None
    logout(client)
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "Descargar resolución (PDF)" in status
    pdf = client.get(f"/solicitudes/{application_id}/certificado.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    assert application.tracking_number in text and "Ana María Pérez" in text
    assert "FAVORABLE" in text and "Oficina de Planificación" in text
    printed = re.search(r"código\s+((?:[A-Z2-9]{4}-){3}[A-Z2-9]{4})", text).group(1)
    code = printed.replace("-", "")  # printed in groups of four; the QR holds it whole
    assert qr_texts(pdf.data, tmp_path) == [f"http://127.0.0.1:5000/verificar/{code}"]
    logout(client)
    verification = client.get(f"/verificar/{printed}")
    page = verification.get_data(as_text=True)
    assert verification.status_code == 200 and "Documento auténtico" in page
    assert application.tracking_number in page and "Calificación de Lugar" in page
    assert "Ana María Pérez" not in page and "ana@example.sv" not in page
    assert client.get("/verificar/0000000000000000").status_code == 404


def test_two_clerks_deciding_one_case_the_second_is_told(client, app_ctx):
    application_id = _filed_case(client, ready=True)
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    stale_version = reload_application(application_id).lock_version
    login(client, "clerk@example.sv")
    assert _decide(client, application_id, "aprobar", lock_version=stale_version).status_code == 302
    logout(client)
    login(client, "jefa@example.sv")
    second = _decide(
        client, application_id, "denegar", comment="No procede.", lock_version=stale_version
    )
    assert second.status_code == 409
    assert "Otra persona actuó en este expediente" in second.get_data(as_text=True)
    assert reload_application(application_id).state == "favorable"


def test_after_a_stale_decision_the_page_shows_the_case_as_it_is_and_sending_again_counts(
    client, app_ctx
):
    from portal.assignment.services import claim

    application_id = _filed_case(client, ready=True)
    seen = reload_application(application_id).lock_version
    colleague = make_staff("clerk", "OPAMSS", email="otra@example.sv")
    assert claim(actor=colleague, application_id=application_id, expected="")  # the row changes
    login(client, "clerk@example.sv")
    stale = _decide(
        client, application_id, "denegar", comment="Uso no permitido.", lock_version=seen
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Otra persona actuó en este expediente" in page
    assert "Uso no permitido." in page  # what the clerk typed is kept
    now = reload_application(application_id).lock_version
    assert now != seen and f'name="lock_version" type="hidden" value="{now}"' in page
    again = _decide(
        client, application_id, "denegar", comment="Uso no permitido.", lock_version=now
    )
    assert again.status_code == 302
    assert reload_application(application_id).state == "desfavorable"


def test_an_action_the_role_may_not_take_is_refused(client, app_ctx):
    from portal.errors import NotAllowed

    application_id = _filed_case(client)
    inspector = make_staff("inspector", "OPAMSS", email="insp@example.sv")
    try:
        act_on_application(
            actor=inspector, application=reload_application(application_id), action="aprobar"
        )
    except NotAllowed as error:
        assert [r.code for r in error.params["reasons"]] == ["role_not_allowed"]
    else:
        raise AssertionError("an inspector approved a case")
    assert reload_application(application_id).state == "presentado"


def test_every_state_change_writes_history_and_feed_rows_in_one_transaction(
    client, app_ctx, run_jobs
):
    from portal.extensions import db
    from portal.simdet.models import FeedEvent

    application_id = _filed_case(client, ready=True)
    login(client, "clerk@example.sv")
    _decide(client, application_id, "aprobar")
    run_jobs()
    events = db.session.scalars(sa.select(FeedEvent).order_by(FeedEvent.seq)).all()
    assert [e.type for e in events] == ["case.filed", "case.resolved", "permit.issued"]
    assert [e.seq for e in events] == [1, 2, 3]
    history = reload_application(application_id).history
    assert [h.action for h in history if h.from_state != h.to_state] == ["presentar", "aprobar"]


def test_a_forged_action_the_role_may_not_take_answers_403_with_the_reason(client, app_ctx):
    application_id = _filed_case(client)
    make_staff("inspector", "OPAMSS", email="insp@example.sv")
    login(client, "insp@example.sv")
    response = _decide(client, application_id, "aprobar")
    assert response.status_code == 403
    assert "Su rol no permite esta acción en este estado." in response.get_data(as_text=True)
    assert reload_application(application_id).state == "presentado"


def test_the_case_page_offers_only_the_actions_the_engine_allows(client, app_ctx):
    application_id = _filed_case(client)
    login(client, "clerk@example.sv")
    unpaid = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Solicitar corrección (prevención)" in unpaid
    assert "Resolver favorable" not in unpaid  # the fee is not paid, no item is checked
    from portal.accounts.services import get_user_by_email

    ready_to_decide(application_id, get_user_by_email("clerk@example.sv"))
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    for label in (
        "Solicitar corrección (prevención)",
        "Resolver favorable",
        "Resolver desfavorable",
    ):
        assert label in page
    assert "Desistir de la solicitud" not in page and "Enviar correcciones" not in page


def test_two_clerks_deciding_at_the_same_moment_one_wins_and_one_is_told(client, app, app_ctx):
    """Two threads, two sessions, one case: the row lock and version let exactly one through."""
    import threading

    from portal.applications.services import get_application_for
    from portal.errors import DomainError
    from portal.extensions import db

    application_id = _filed_case(client, ready=True)
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    version = reload_application(application_id).lock_version
    db.session.remove()
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(email: str, action: str, comment: str) -> None:
        with app.app_context():
            from portal.accounts.services import get_user_by_email

            actor = get_user_by_email(email)
            application = get_application_for(application_id, actor)
            start.wait(timeout=10)
            try:
                act_on_application(
                    actor=actor,
                    application=application,
                    action=action,
                    comment=comment,
                    expected_version=version,
                )
                outcomes[email] = "decided"
            except DomainError as error:
                outcomes[email] = error.code
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=decide, args=("clerk@example.sv", "aprobar", "")),
        threading.Thread(target=decide, args=("jefa@example.sv", "denegar", "No procede.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) in (
        ["decided", "stale_application"],
        ["decided", "transition_not_allowed"],
    )
    final = reload_application(application_id)
    winner = next(email for email, outcome in outcomes.items() if outcome == "decided")
    assert final.state == ("favorable" if winner == "clerk@example.sv" else "desfavorable")
    assert len([h for h in final.history if h.from_state != h.to_state]) == 2
