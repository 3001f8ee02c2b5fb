"""External opinions: the office asks an institution the definition lists, records its answer
with the document, or cancels; the legal clock stops meanwhile when the definition says so."""

from __future__ import annotations

import io

import sqlalchemy as sa

from portal.extensions import db
from tests.portal import pdf_samples
from tests.portal.helpers import (
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
)
from tests.portal.test_inspections import JPEG, boxes, case_in_state, today

CONSTRUCCION = ("OPAMSS", "permiso-construccion")
LICENCIA = ("APLAN", "licencia-funcionamiento")
MARN = "Ministerio de Medio Ambiente y Recursos Naturales (MARN)"
QUESTION = "¿El proyecto requiere permiso ambiental por la quebrada colindante?"


def _opinions(application_id):
    from portal.opinions.models import Opinion

    db.session.expire_all()
    return db.session.scalars(
        sa.select(Opinion).where(Opinion.application_id == application_id).order_by(Opinion.id)
    ).all()


def _ask(client, application, institution="marn", question=QUESTION, **extra):
    return client.post(
        f"/bandeja/{application.id}/opiniones",
        data={"institution": institution, "question": question, **extra},
    )


def _answer(client, application, opinion, document=True, **overrides):
    data = {
        "answer": "con_condiciones",
        "text": "Respetar 15 m de protección de la quebrada.",
        "answered_on": boxes(today()),
        **overrides,
    }
    if document:
        data["document"] = (io.BytesIO(pdf_bytes()), "dictamen MARN.pdf")
    return client.post(
        f"/bandeja/{application.id}/opiniones/{opinion.id}/respuesta",
        data=data,
        content_type="multipart/form-data",
    )


def _construction_case():
    make_staff("clerk", "OPAMSS", email="tecnico@opamss.example.sv")
    return case_in_state(make_applicant(), *CONSTRUCCION, "analisis_tecnico")


def test_an_opinion_suspends_the_clock_until_its_answer_and_the_applicant_sees_who(client, app_ctx):
    from portal.applications import clocks

    application = _construction_case()
    due_before = application.due_on
    assert due_before is not None
    login(client, "tecnico@opamss.example.sv")
    page = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Solicitar una opinión técnica" in page and MARN in page
    assert _ask(client, application).status_code == 302
    (opinion,) = _opinions(application.id)
    calendar = clocks.calendar_of(application)
    assert opinion.due_on == calendar.add_business_days(calendar.next_business_day(today()), 20)
    assert opinion.status == "pending" and opinion.suspends_clock
    application = reload_application(application.id)
    assert application.clock["events"][-1]["kind"] == "suspend"
    assert MARN in application.clock["events"][-1]["reason"]
    assert application.due_on is None  # not known while suspended
    case = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert QUESTION in case and "Pendiente" in case and "suspende el plazo legal" in case
    logout(client)

    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert f"En consulta con {MARN}." in status
    assert QUESTION not in status
    logout(client)

    login(client, "tecnico@opamss.example.sv")
    assert _answer(client, application, opinion).status_code == 302
    (opinion,) = _opinions(application.id)
    assert opinion.status == "answered" and opinion.answer == "con_condiciones"
    assert opinion.document_content_type == "application/pdf"
    application = reload_application(application.id)
    assert [e["kind"] for e in application.clock["events"]] == ["suspend", "resume"]
    assert application.due_on is not None and application.due_on >= due_before
    case = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Favorable con condiciones" in case and "Respetar 15 m" in case
    download = client.get(f"/bandeja/{application.id}/opiniones/{opinion.id}/documento")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]
    logout(client)
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert "En consulta con" not in status


def test_an_institution_whose_opinion_does_not_suspend_leaves_the_clock_running(client, app_ctx):
    make_staff("clerk", "APLAN", email="clerk@aplan.example.sv")
    application = case_in_state(make_applicant(), *LICENCIA, "presentado")
    login(client, "clerk@aplan.example.sv")
    assert (
        _ask(client, application, "bomberos", "¿Cumple la norma contra incendios?").status_code
        == 302
    )
    (opinion,) = _opinions(application.id)
    assert not opinion.suspends_clock
    assert reload_application(application.id).clock["events"] == []


def test_a_request_or_answer_without_what_it_needs_is_refused_at_the_field(client, app_ctx):
    application = _construction_case()
    login(client, "tecnico@opamss.example.sv")
    unknown = _ask(client, application, "cia", question="Texto escrito")
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 200 and "Elija una de las opciones." in text
    assert "Texto escrito" in text
    empty = _ask(client, application, question="").get_data(as_text=True)
    assert "Escriba qué se consulta." in empty
    past = _ask(client, application, due_on=boxes(today().replace(year=today().year - 1)))
    assert "no puede ser anterior a hoy" in past.get_data(as_text=True)
    assert _opinions(application.id) == []

    assert _ask(client, application).status_code == 302
    (opinion,) = _opinions(application.id)
    no_text = _answer(client, application, opinion, text="").get_data(as_text=True)
    assert "Escriba las conclusiones o las condiciones" in no_text
    no_file = _answer(client, application, opinion, document=False).get_data(as_text=True)
    assert "Adjunte el documento de la respuesta." in no_file
    not_a_document = client.post(
        f"/bandeja/{application.id}/opiniones/{opinion.id}/respuesta",
        data={
            "answer": "positiva",
            "answered_on": boxes(today()),
            "document": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "dictamen.pdf"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "PDF, JPG o PNG" in not_a_document
    assert _opinions(application.id)[0].status == "pending"
    # A favourable answer needs no text; a photo of the signed letter is a document too.
    favourable = _answer(client, application, opinion, document=False, answer="positiva", text="")
    assert favourable.status_code == 200
    with_photo = client.post(
        f"/bandeja/{application.id}/opiniones/{opinion.id}/respuesta",
        data={
            "answer": "positiva",
            "answered_on": boxes(today()),
            "document": (io.BytesIO(JPEG), "oficio.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert with_photo.status_code == 302


def test_asking_or_answering_twice_changes_nothing_the_second_time(client, app_ctx):
    from portal.applications.models import HistoryEntry

    application = _construction_case()
    login(client, "tecnico@opamss.example.sv")
    assert _ask(client, application).status_code == 302
    assert _ask(client, application).status_code == 302
    (opinion,) = _opinions(application.id)
    assert _answer(client, application, opinion).status_code == 302
    assert _answer(client, application, opinion, answer="negativa").status_code == 302
    assert _opinions(application.id)[0].answer == "con_condiciones"
    acts = db.session.scalars(
        sa.select(HistoryEntry.action).where(HistoryEntry.application_id == application.id)
    ).all()
    assert acts.count("request_opinion") == 1 and acts.count("record_opinion") == 1
    # Answered already: cancelling is refused with a message, nothing changes.
    refused = client.post(
        f"/bandeja/{application.id}/opiniones/{opinion.id}/cancelar",
        data={"reason": "Ya no hace falta"},
        follow_redirects=True,
    )
    assert "ya no está pendiente" in refused.get_data(as_text=True)
    assert _opinions(application.id)[0].status == "answered"


def test_a_request_is_cancelled_with_a_reason_and_the_clock_resumes(client, app_ctx):
    application = _construction_case()
    login(client, "tecnico@opamss.example.sv")
    assert _ask(client, application).status_code == 302
    (opinion,) = _opinions(application.id)
    path = f"/bandeja/{application.id}/opiniones/{opinion.id}/cancelar"
    missing = client.post(path, data={"reason": ""})
    assert missing.status_code == 200 and "Escriba el motivo." in missing.get_data(True)
    assert client.post(path, data={"reason": "El proyecto cambió de ubicación."}).status_code == 302
    assert client.post(path, data={"reason": "El proyecto cambió de ubicación."}).status_code == 302
    (opinion,) = _opinions(application.id)
    assert opinion.status == "cancelled"
    application = reload_application(application.id)
    assert [e["kind"] for e in application.clock["events"]] == ["suspend", "resume"]
    logout(client)
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert "cambió de ubicación" not in status and "En consulta con" not in status


def test_opinion_routes_refuse_other_offices_roles_and_applicants_audited(client, app_ctx):
    from portal.accounts.models import AuditEvent

    application = _construction_case()
    make_staff("inspector", "OPAMSS", email="inspector@opamss.example.sv")
    make_staff("clerk", "0511", email="clerk@ste.example.sv")
    make_applicant("otra@example.sv", "Otra Persona")
    login(client, "tecnico@opamss.example.sv")
    assert _ask(client, application).status_code == 302
    logout(client)
    (opinion,) = _opinions(application.id)
    base = f"/bandeja/{application.id}/opiniones"
    posts = [base, f"{base}/{opinion.id}/respuesta", f"{base}/{opinion.id}/cancelar"]
    expected = {
        "clerk@ste.example.sv": 404,  # another office
        "inspector@opamss.example.sv": 403,  # a role that does not consult
        "ana@example.sv": 403,  # the applicant: a back-office route
        "otra@example.sv": 403,
    }
    for email, status in expected.items():
        login(client, email)
        for path in posts:
            assert client.post(path, data={"reason": "x"}).status_code == status, (email, path)
        document = client.get(f"{base}/{opinion.id}/documento")
        assert document.status_code in (403, 404), email
        logout(client)
    denials = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "access.denied")
    )
    assert denials >= 12
    assert _opinions(application.id)[0].status == "pending"


def test_a_correction_answered_meanwhile_does_not_restart_a_clock_an_opinion_holds(client, app_ctx):
    from portal.opinions import services as opinions

    clerk = make_staff("clerk", "OPAMSS", email="tecnico@opamss.example.sv")
    application = case_in_state(make_applicant(), *CONSTRUCCION, "analisis_tecnico")
    opinion = opinions.request_opinion(
        actor=clerk,
        application=application,
        institution="anda",
        question="¿Hay factibilidad de agua potable?",
        due_on=None,
        today=today(),
    )
    # The applicant's answer to a correction fires `resume_clock` (as `subsanar` does).
    from portal.applications import effects
    from portal.applications.models import HistoryEntry
    from portal.procedures.services import definition_of

    application = reload_application(application.id)
    definition = definition_of(application.procedure_version)
    effects.resume_clock(application, definition, HistoryEntry(action="subsanar", comment=""), {})
    assert [e["kind"] for e in application.clock["events"]] == ["suspend"]  # still held
    opinions.answer_opinion(
        actor=clerk,
        application=application,
        opinion_id=opinion.id,
        answer="positiva",
        text="",
        answered_on=today(),
        document=opinions.AnswerDocument("anda.pdf", pdf_bytes()),
        today=today(),
    )
    application = reload_application(application.id)
    assert [e["kind"] for e in application.clock["events"]] == ["suspend", "resume"]
    assert application.due_on is not None


def test_opinion_dates_files_and_names_follow_the_projects_rules(client, app_ctx):
    """`20 12 26` says the year needs four digits (the one date rule, as the reports say it);
    a zero-byte file says it is empty; a JPEG named `.pdf` is kept and served as `.jpg`; an
    iPhone HEIC says how to send it."""
    from tests.portal.test_inspections import _heif

    application = _construction_case()
    login(client, "tecnico@opamss.example.sv")
    for typed, message in (
        (["20", "12", "26"], "Escriba el año con cuatro cifras, por ejemplo 2026."),
        (["31", "2", "2027"], "Ese día no existe en febrero de 2027."),
        (["1", "13", "2027"], "El mes va de 1 a 12."),
        (["32", "1", "2027"], "Escriba el día con cifras, de 1 a 31."),
        (["1", "", "2027"], "Escriba el día, el mes y el año."),
    ):
        text = _ask(client, application, due_on=typed).get_data(as_text=True)
        assert message in text, typed
        assert "no puede ser anterior a hoy" not in text, typed
    assert _opinions(application.id) == []
    assert _ask(client, application).status_code == 302
    (opinion,) = _opinions(application.id)
    two_digits = _answer(client, application, opinion, answered_on=["20", "12", "26"])
    assert "Escriba el año con cuatro cifras" in two_digits.get_data(as_text=True)

    def send(data: bytes, name: str):
        return client.post(
            f"/bandeja/{application.id}/opiniones/{opinion.id}/respuesta",
            data={
                "answer": "positiva",
                "text": "",
                "answered_on": boxes(today()),
                "document": (io.BytesIO(data), name),
            },
            content_type="multipart/form-data",
        )

    empty = send(b"", "dictamen.pdf").get_data(as_text=True)
    assert "El archivo está vacío." in empty and "Adjunte el documento" not in empty
    assert "Las fotos HEIC del iPhone no se aceptan" in send(_heif(b"heic"), "d.heic").get_data(
        as_text=True
    )
    # A back-office file is checked as an applicant's document is: active content or a
    # damaged PDF is refused at the field, and an ordinary PDF opening at page 1 is not.
    scripted = send(pdf_samples.open_action_javascript(), "dictamen.pdf").get_data(as_text=True)
    assert "El PDF contiene elementos activos (JavaScript, OpenAction)" in scripted
    damaged = send(pdf_bytes()[:40], "dictamen.pdf").get_data(as_text=True)
    assert "El PDF está dañado o protegido y no se puede leer." in damaged
    assert _opinions(application.id)[0].status == "pending"
    assert send(JPEG, "foto lies.pdf").status_code == 302
    (opinion,) = _opinions(application.id)
    assert opinion.document_filename == "foto lies.jpg"
    assert opinion.document_content_type == "image/jpeg"
    download = client.get(f"/bandeja/{application.id}/opiniones/{opinion.id}/documento")
    assert download.headers["Content-Type"] == "image/jpeg"
    assert 'filename="foto lies.jpg"' in download.headers["Content-Disposition"]
