"""Test mode: an admin files test cases on a draft and walks them as each role; no queue,
report, feed, verification, tracking page, reminder or dashboard sees them; publishing the draft
deletes them."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g

from portal.extensions import db
from tests.portal.helpers import (
    VALID_FIELDS,
    documents,
    file_new_application,
    login,
    mails,
    make_applicant,
    make_staff,
    pdf_bytes,
    pdf_text,
    reload_application,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDED = ROOT / "workflows/definitions/opamss/calificacion-lugar.yaml"


@pytest.fixture
def draft(app_ctx):
    """A draft of the next version of OPAMSS's calificación del lugar (removed after the test)."""
    return _next_version(SEEDED)


def _next_version(path: Path):
    """A draft of the next version of a seeded procedure, as its file says it (removed after
    the test with the other versions tests add)."""
    from portal.procedures.services import import_draft

    text = path.read_text(encoding="utf-8")
    published = int(re.search(r"^version: (\d+)$", text, re.M).group(1))
    text = re.sub(r"^version: \d+$", f"version: {published + 1}", text, count=1, flags=re.M)
    row, problems = import_draft(text)
    assert row is not None and not problems, problems
    return row


def _filed_yesterday(row, admin, state: str):
    """A test case of draft `row` filed yesterday and now in `state`, its legal period running
    as filing leaves it: `(case, definition, calendar)`."""
    from portal.applications import clocks, effects
    from portal.extensions import utcnow
    from portal.procedures.services import definition_of
    from portal.testcases.services import start_test_case

    case = start_test_case(actor=admin, version=row, token=secrets.token_hex(12))
    definition = definition_of(row)
    effects.assign_tracking_number(case)
    case.filed_at = case.state_entered_at = utcnow() - timedelta(days=1)
    case.state = state
    calendar = clocks.calendar_of(case)
    clocks.start_clock(case, definition, calendar, clocks.local_date(case.filed_at))
    clocks.derive_deadlines(case, definition, calendar)
    db.session.commit()
    return case, definition, calendar


def _base(row) -> str:
    return f"/admin/tramites/{row.procedure_id}/versiones/{row.version}/pruebas"


def _file_test_case(client, row) -> int:
    """Nueva prueba, then the applicant's form answered and sent, as the admin does."""
    response = client.post(f"{_base(row)}/nueva", data={"token": secrets.token_hex(12)})
    assert response.status_code == 302
    case_id = int(re.search(r"/pruebas/(\d+)/formulario", response.headers["Location"]).group(1))
    data = {**VALID_FIELDS, "submit": "1"}
    data.update(documents(escritura=pdf_bytes(), plano_topografico=pdf_bytes()))
    response = client.post(f"{_base(row)}/{case_id}/formulario", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return case_id


def _act(client, row, case_id, role, action, comment=""):
    data = {"role": role, "action": action, "comment": comment}
    return client.post(f"{_base(row)}/{case_id}/actuar", data=data, follow_redirects=True)


def _task(client, row, case_id, role, task):
    data = {"role": role, "task": task}
    return client.post(f"{_base(row)}/{case_id}/tarea", data=data, follow_redirects=True)


def test_a_test_case_walks_to_its_certificate_as_each_role_and_nothing_real_sees_it(
    client, app, draft, run_jobs
):
    from portal.applications.dashboard import list_cases_for
    from portal.assignment.services import workload
    from portal.certificates.models import DocumentCounter, IssuedDocument
    from portal.certificates.verification import TEST, lookup, verify_code, verify_file
    from portal.deadlines.services import sweep_deadlines
    from portal.notifications.models import MailDelivery, Notice
    from portal.reports import services as reports
    from portal.review import queues
    from portal.signing import check_signature
    from portal.simdet.models import FeedEvent
    from portal.testcases.models import TestMail
    from portal.tracking.services import find_case

    admin = make_staff("admin", "OPAMSS")
    clerk = make_staff("clerk", "OPAMSS")
    login(client, admin.email)
    case_id = _file_test_case(client, draft)
    run_jobs()
    case = reload_application(case_id)
    assert (
        case.is_test and case.state == "presentado" and case.tracking_number.startswith("PRUEBA-")
    )

    # Open, with the queue columns a real case has, yet in no queue, workload or count.
    today = queues.limits_for(clerk, case.filed_at.date())
    assert case.queue_due is not None
    assert queues.page_of(clerk, queues.Filters(), today).cases == []
    assert queues.counts_for(clerk, "oficina", today).total == 0
    assert all(row["open"] == 0 for row in workload(admin, today.today, today.soon))
    page = client.get(f"{_base(draft)}/{case_id}").get_data(as_text=True)
    assert "Como personal técnico" in page and "Como jefatura" in page
    # A comment the action requires has its label (a person with a screen reader hears it).
    assert 'for="comentario-clerk-prevenir">Comentario (obligatorio)</label>' in page
    assert 'id="comentario-clerk-prevenir"' in page and "params=" not in page

    # The guards say in Spanish why the clerk may not approve yet.
    page = _act(client, draft, case_id, "clerk", "aprobar").get_data(as_text=True)
    assert "Falta el pago de la tasa." in page
    assert "Falta revisar todos los datos y documentos." in page
    assert reload_application(case_id).state == "presentado"

    # A correction asked by the clerk and answered by the applicant, then review and payment.
    _act(client, draft, case_id, "clerk", "prevenir", "Adjunte el plano firmado.")
    assert reload_application(case_id).state == "prevenido"
    _act(client, draft, case_id, "applicant", "subsanar")
    assert reload_application(case_id).state == "presentado"
    _task(client, draft, case_id, "clerk", "record_verdicts")
    _task(client, draft, case_id, "supervisor", "record_payment")
    page = _act(client, draft, case_id, "supervisor", "aprobar").get_data(as_text=True)
    run_jobs()
    case = reload_application(case_id)
    assert case.state == "favorable", page[:3000]

    # The certificate: downloadable, stamped as a test, unsigned, no code /verificar knows.
    certificate = db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.application_id == case_id, IssuedDocument.kind == "certificate"
        )
    )
    page = client.get(f"{_base(draft)}/{case_id}").get_data(as_text=True)
    link = f"{_base(draft)}/{case_id}/documento/{certificate.id}.pdf"
    assert link in page
    pdf = client.get(link).data
    assert "PRUEBA — SIN VALIDEZ" in pdf_text(pdf)
    assert not check_signature(pdf).signed
    text = " ".join(pdf_text(pdf).split())
    assert "Documento de prueba: sin firma electrónica ni validez." in text
    assert "Firmado electrónicamente" not in text  # it does not claim what it is not
    assert certificate.serial.startswith("PRUEBA-")
    assert verify_code(certificate.code).outcome == TEST  # as older test documents print it
    assert lookup(certificate.serial) is None
    assert verify_file(pdf).outcome == TEST  # "Documento de prueba, sin validez"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentCounter)) == 0

    # Its e-mails are shown on its page, captured, sent to no one and kept in no centre.
    captured = db.session.scalars(sa.select(TestMail).where(TestMail.application_id == case_id))
    subjects = [mail.subject for mail in captured]
    assert subjects and all(subject in page for subject in subjects)
    assert mails(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailDelivery)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0

    # No SIMDET event, report, tracking page, reminder or dashboard row.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedEvent)) == 0
    day = case.decided_at.date()
    reading = reports.Reading(
        actor=admin, filters=reports.Filters(day - timedelta(days=1), day + timedelta(days=1))
    )
    assert reports.cases_per_state(reading) == []
    assert reports.activity_per_person(reading) == []
    assert find_case(case.tracking_number, case.tracking_code) is None
    assert list_cases_for(admin, "es", day).rows == []
    assert sweep_deadlines(day + timedelta(days=400))["cases"] == 0
    # A clerk of the office opening it in the back office: as if it did not exist.
    g.pop("_login_user", None)  # the shared app context keeps the last user in `g`
    clerk_client = app.test_client()
    login(clerk_client, clerk.email)
    assert clerk_client.get(f"/bandeja/{case_id}").status_code == 404


def test_publishing_the_draft_deletes_its_test_cases_and_their_files(client, app, draft, run_jobs):
    from portal.applications.models import Application, HistoryEntry
    from portal.procedures.services import publish_draft
    from portal.storage import storage
    from portal.testcases.models import TestMail

    admin = make_staff("admin", "OPAMSS")
    login(client, admin.email)
    case_id = _file_test_case(client, draft)
    run_jobs()
    case = reload_application(case_id)
    keys = [d.storage_key for d in case.documents]
    assert keys and all(storage().exists(key) for key in keys)
    assert db.session.scalar(sa.select(sa.func.count()).where(TestMail.application_id == case_id))

    published = publish_draft(draft)

    assert published.status == "published"
    db.session.expire_all()
    assert db.session.get(Application, case_id) is None
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(HistoryEntry.application_id == case_id)
    )
    assert not any(storage().exists(key) for key in keys)


def test_an_admin_outside_the_procedures_authority_gets_404_audited(client, app, draft):
    from portal.accounts.models import AuditEvent
    from portal.testcases.services import start_test_case

    opamss = make_staff("admin", "OPAMSS")
    case = start_test_case(actor=opamss, version=draft, token=secrets.token_hex(12))
    municipal = make_staff("admin", "0511")
    login(client, municipal.email)
    for path in (_base(draft), f"{_base(draft)}/{case.id}", f"{_base(draft)}/{case.id}/formulario"):
        assert client.get(path).status_code == 404, path
        assert db.session.scalar(
            sa.select(sa.func.count()).where(
                AuditEvent.subject == path, AuditEvent.action == "access.denied"
            )
        ), path
    assert client.post(f"{_base(draft)}/nueva").status_code == 404
    assert (
        client.post(
            f"{_base(draft)}/{case.id}/actuar", data={"role": "applicant", "action": "desistir"}
        ).status_code
        == 404
    )
    assert reload_application(case.id).state == "borrador"


def test_a_test_case_that_needs_an_inspection_is_walked_past_it_as_the_inspector(client, app_ctx):
    """Santa Tecla's cierre de establecimiento waits in "Inspección": the admin, playing the
    inspector, records the visit (the inspection service) and then takes the inspector's act."""
    from portal.applications import effects
    from portal.extensions import utcnow
    from portal.inspections.models import InspectionVisit
    from portal.procedures.services import import_draft
    from portal.review.models import Inspection
    from portal.testcases.services import start_test_case

    text = (ROOT / "workflows/definitions/0511/cierre-establecimiento.yaml").read_text("utf-8")
    published = int(re.search(r"^version: (\d+)$", text, re.M).group(1))
    text = re.sub(r"^version: \d+$", f"version: {published + 1}", text, count=1, flags=re.M)
    row, problems = import_draft(text)
    assert row is not None and not problems, problems
    admin = make_staff("admin", "0511")
    case = start_test_case(actor=admin, version=row, token=secrets.token_hex(12))
    # Filed, taken, judged and admitted as the earlier steps leave it (tested above).
    effects.assign_tracking_number(case)
    case.filed_at = case.state_entered_at = utcnow() - timedelta(days=1)
    case.state = "inspeccion"
    db.session.commit()
    login(client, admin.email)

    page = _act(client, row, case.id, "inspector", "registrar_inspeccion").get_data(as_text=True)
    assert "Falta registrar la inspección." in page
    assert "Registrar la inspección con todo el listado conforme" in page
    page = _task(client, row, case.id, "inspector", "record_inspection").get_data(as_text=True)
    assert "Tarea realizada como" in page
    visit = db.session.scalar(
        sa.select(InspectionVisit).where(InspectionVisit.application_id == case.id)
    )
    assert visit.status == "recorded" and visit.inspector_id == admin.id
    inspection = db.session.scalar(
        sa.select(Inspection).where(Inspection.application_id == case.id)
    )
    assert inspection.result == "conforme"
    # Sent twice: still one inspection.
    _task(client, row, case.id, "inspector", "record_inspection")
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Inspection.application_id == case.id))
        == 1
    )
    page = _act(client, row, case.id, "inspector", "registrar_inspeccion").get_data(as_text=True)
    assert reload_application(case.id).state == "liquidacion", page[:2000]


def test_test_mode_shows_times_in_el_salvador(client, draft):
    """02:06 UTC on 1 December is 20:06 on 30 November in San Salvador (UTC-6); the history
    is in local time too (its rows are append-only, so their own time is read)."""
    from datetime import UTC, datetime

    from portal.applications.effects import LOCAL_TZ
    from portal.applications.models import HistoryEntry
    from portal.testcases.services import start_test_case

    admin = make_staff("admin", "OPAMSS")
    case = start_test_case(actor=admin, version=draft, token=secrets.token_hex(12))
    case.created_at = datetime(2026, 12, 1, 2, 6, tzinfo=UTC)
    db.session.commit()
    login(client, admin.email)
    _act(client, draft, case.id, "applicant", "desistir")
    entry = db.session.scalar(sa.select(HistoryEntry).where(HistoryEntry.application_id == case.id))
    db.session.rollback()
    local = entry.occurred_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
    utc = entry.occurred_at.astimezone(UTC).strftime("%d/%m/%Y %H:%M")
    listing = client.get(_base(draft)).get_data(as_text=True)
    assert "30/11/2026 20:06" in listing and "01/12/2026 02:06" not in listing
    page = client.get(f"{_base(draft)}/{case.id}").get_data(as_text=True)
    assert local in page and utc not in page


# ---------------------------------------------------------------- deadlines and opinions


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def _fall_due(client, row, case_id, page: str):
    """Press «Simular el vencimiento del plazo» as the page shows it."""
    data = {"key": _hidden(page, "key"), "visit": _hidden(page, "visit")}
    return data, client.post(f"{_base(row)}/{case_id}/plazo", data=data, follow_redirects=True)


def _text(page: str) -> str:
    from tests.portal.helpers import visible_text

    return " ".join(visible_text(page).split())


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def test_a_test_case_reaches_what_only_its_deadlines_lead_to_as_the_daily_sweep_would(
    client, app, draft, run_jobs
):
    """OPAMSS's calificación del lugar: in review, the supervisor is warned on day 20 and the
    case escalated once its 25 days pass; a correction not made in 10 business days closes
    it (caducidad). Each step is the daily sweep's own, on the day it would apply; pressing
    again changes nothing; no real reader sees any of it."""
    from portal.accounts.models import AuditEvent
    from portal.applications import clocks
    from portal.applications.models import HistoryEntry
    from portal.deadlines.services import sweep_deadlines
    from portal.notifications.models import MailDelivery
    from portal.reports import services as reports
    from portal.review import queues
    from portal.simdet.models import FeedEvent
    from portal.testcases.models import TestMail
    from workflows.clocks import Clock

    admin = make_staff("admin", "OPAMSS")
    supervisor = make_staff("supervisor", "OPAMSS")
    clerk = make_staff("clerk", "OPAMSS")
    login(client, admin.email)
    case_id = _file_test_case(client, draft)
    run_jobs()
    case = reload_application(case_id)
    calendar = clocks.calendar_of(case)
    entered = clocks.local_date(case.state_entered_at)
    day20 = Clock(entered, 20, calendar).due_date
    day25 = Clock(entered, 25, calendar).due_date

    # Day 20 of review: the supervisor's warning, written to the supervisor and captured.
    page = client.get(f"{_base(draft)}/{case_id}").get_data(as_text=True)
    assert "Simular el vencimiento del plazo" in page
    # The warning's day is not the deadline: the stage's 25th day is, as the case page says.
    assert f"El {_day(day20)}: Aviso a jefatura." in _text(page)
    assert f"Fecha límite de esta etapa {_day(day25)}" in _text(page)
    assert "El plazo vence el" not in page
    _data, response = _fall_due(client, draft, case_id, page)
    page = response.get_data(as_text=True)
    assert f"Plazo vencido como el {_day(day20)}" in page
    assert "Aviso automático al rol «jefatura»" in page
    run_jobs()
    alert = db.session.scalar(sa.select(TestMail).where(TestMail.recipient == supervisor.email))
    assert alert is not None and alert.subject.startswith("Plazo vencido: expediente PRUEBA-")
    assert alert.subject in client.get(f"{_base(draft)}/{case_id}").get_data(as_text=True)

    # The stage's 25 days pass: escalated to the supervisor, the day after the last one.
    # The stage's deadline passed: its action applies the day after its last day.
    assert f"Fecha límite de esta etapa {_day(day25)}" in _text(page)
    assert f"El {_day(day25 + timedelta(days=1))}: Escalado a jefatura." in _text(page)
    _data, response = _fall_due(client, draft, case_id, page)
    page = response.get_data(as_text=True)
    assert "Escalado automático al rol «jefatura»" in page
    case = reload_application(case_id)
    assert case.state == "presentado" and case.assigned_role == "supervisor"

    # A correction requested and never made: ten business days later the case lapses.
    _act(client, draft, case_id, "clerk", "prevenir", "Adjunte el plano firmado.")
    case = reload_application(case_id)
    due = Clock(clocks.local_date(case.state_entered_at), 10, calendar).due_date
    page = client.get(f"{_base(draft)}/{case_id}").get_data(as_text=True)
    assert f"Fecha límite de esta etapa {_day(due)}" in _text(page)
    assert f"El {_day(due + timedelta(days=1))}: Caducidad" in _text(page)
    assert "Caducidad: el caso pasa a «Archivado por no subsanar en el plazo»." in page
    data, response = _fall_due(client, draft, case_id, page)
    page = response.get_data(as_text=True)
    case = reload_application(case_id)
    assert case.state == "abandonado" and case.decided_at is not None
    assert '<dd class="govuk-summary-list__value" id="estado">Archivado por no subsanar' in page
    assert f"el plazo para corregir venció el {_day(due)}" in page
    assert "Simular el vencimiento del plazo" not in page

    # Sent twice (a double click): nothing more happens, and the page says so.
    breaches = sa.select(sa.func.count()).where(
        HistoryEntry.application_id == case_id, HistoryEntry.action.like("breach:%")
    )
    before = db.session.scalar(breaches)
    page = client.post(f"{_base(draft)}/{case_id}/plazo", data=data, follow_redirects=True)
    assert "Ese vencimiento ya se había simulado: el caso no cambió." in page.get_data(as_text=True)
    assert db.session.scalar(breaches) == before
    assert reload_application(case_id).state == "abandonado"
    # With no deadline running, there is nothing to simulate.
    other = {"key": "procedure:0", "visit": case.state_entered_at.isoformat()}
    page = client.post(f"{_base(draft)}/{case_id}/plazo", data=other, follow_redirects=True)
    assert "no corre ningún plazo con una acción al vencer" in page.get_data(as_text=True)

    # Audited: three simulations by the admin, each with the day it ran for.
    audited = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "test_case.deadline_simulated")
        .order_by(AuditEvent.id)
    ).all()
    assert [event.actor_id for event in audited] == [admin.id] * 3
    assert audited[-1].detail["after"]["state"] == "abandonado"
    assert audited[-1].detail["after"]["day"] == (due + timedelta(days=1)).isoformat()

    # Never a real e-mail, feed event, queue, report or real sweep.
    assert mails(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailDelivery)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedEvent)) == 0
    limits = queues.limits_for(clerk, case.filed_at.date())
    assert queues.page_of(clerk, queues.Filters(), limits).cases == []
    day = case.decided_at.date()
    reading = reports.Reading(
        actor=admin, filters=reports.Filters(day - timedelta(days=1), day + timedelta(days=1))
    )
    assert reports.cases_per_state(reading) == []
    assert sweep_deadlines(day + timedelta(days=400))["cases"] == 0


def test_simulating_a_deadline_is_refused_on_a_real_case(client, app, draft):
    """A real case waits for the daily sweep: through the test-mode page it does not exist
    (404, audited); the service refuses it in Spanish; the case is untouched."""
    from forms.messages import message_for
    from portal.accounts.models import AuditEvent
    from portal.applications.models import HistoryEntry
    from portal.errors import NotAllowed
    from portal.testcases.services import simulate_deadline

    make_applicant()
    applicant = app.test_client()
    login(applicant, "ana@example.sv")
    real_id = file_new_application(applicant)
    real = reload_application(real_id)
    assert not real.is_test and real.next_breach_on is not None
    admin = make_staff("admin", "OPAMSS")
    g.pop("_login_user", None)
    login(client, admin.email)

    path = f"{_base(draft)}/{real_id}/plazo"
    data = {"key": f"state:{real.state}:0", "visit": real.state_entered_at.isoformat()}
    assert client.post(path, data=data).status_code == 404
    (denial,) = db.session.scalars(  # one request refused, one audit row
        sa.select(AuditEvent).where(
            AuditEvent.action == "access.denied", AuditEvent.subject == path
        )
    ).all()
    assert denial.detail["reason"] == "not_a_test_case"
    with pytest.raises(NotAllowed) as refused:
        simulate_deadline(
            actor=admin, application=real, key=data["key"], visit=real.state_entered_at
        )
    assert message_for(refused.value.code).startswith("Solo se simulan plazos en un caso de prueba")
    db.session.rollback()
    assert reload_application(real_id).state == real.state
    assert not db.session.scalar(
        sa.select(sa.func.count()).where(
            HistoryEntry.application_id == real_id, HistoryEntry.action.like("breach:%")
        )
    )


def test_an_opinion_asked_on_a_test_case_is_answered_as_the_institution_and_the_case_resumes(
    client, app_ctx
):
    """OPAMSS's recepción de obra consults ANDA, whose consultation suspends the legal period:
    the admin asks as the clerk, answers as ANDA through the service the office uses, with a
    generated test document, and the period runs again."""
    from portal.applications import clocks
    from portal.applications.models import HistoryEntry
    from portal.opinions.models import Opinion

    row = _next_version(ROOT / "workflows/definitions/opamss/recepcion-obra.yaml")
    admin = make_staff("admin", "OPAMSS")
    # Filed yesterday and in review, its legal period running, as filing leaves it.
    case, definition, calendar = _filed_yesterday(row, admin, "presentado")
    login(client, admin.email)
    base = f"{_base(row)}/{case.id}"

    page = client.get(base).get_data(as_text=True)
    assert "Solicitar una opinión técnica como personal técnico" in page
    assert "días hábiles restantes" in page
    # No question: said at the field, the institution chosen kept.
    asked = {"role": "clerk", "institution": "anda", "question": ""}
    response = client.post(f"{base}/opiniones", data=asked)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Escriba qué se consulta." in page
    assert re.search(r'value="anda"[^>]*checked|checked[^>]*value="anda"', page)
    asked["question"] = "¿Hay capacidad de la red para la conexión?"
    page = client.post(f"{base}/opiniones", data=asked, follow_redirects=True)
    page = page.get_data(as_text=True)
    assert "Opinión técnica solicitada como personal técnico." in page
    assert "Administración Nacional de Acueductos y Alcantarillados (ANDA) — Pendiente" in page
    assert '<dd class="govuk-summary-list__value" id="plazo-legal">Suspendido</dd>' in page
    opinion = db.session.scalar(sa.select(Opinion).where(Opinion.application_id == case.id))
    db.session.rollback()

    # As ANDA: a favourable answer with conditions says which, at its field.
    prefix = f"opinion-{opinion.id}"
    answer = {f"{prefix}-answer": "con_condiciones", f"{prefix}-text": ""}
    response = client.post(f"{base}/opiniones/{opinion.id}/respuesta", data=answer)
    assert response.status_code == 400
    assert "Escriba las conclusiones o las condiciones de la opinión." in response.get_data(
        as_text=True
    )
    answer[f"{prefix}-text"] = "Conectar al colector de la calle principal."
    page = client.post(
        f"{base}/opiniones/{opinion.id}/respuesta", data=answer, follow_redirects=True
    ).get_data(as_text=True)
    assert "Respuesta registrada como la institución consultada." in page
    assert "— Respondida" in page and "Conectar al colector de la calle principal." in page
    assert "Suspendido" not in page and "días hábiles restantes" in page
    # Sent twice: still one answer, unchanged.
    client.post(f"{base}/opiniones/{opinion.id}/respuesta", data=answer)
    db.session.expire_all()
    opinion = db.session.get(Opinion, opinion.id)
    assert opinion.status == "answered" and opinion.answered_by_id == admin.id
    acts = db.session.scalars(
        sa.select(HistoryEntry.action).where(HistoryEntry.application_id == case.id)
    ).all()
    assert acts.count("record_opinion") == 1 and acts.count("request_opinion") == 1
    # Its document: a generated test PDF, stamped as every test document.
    link = f"{base}/opinion/{opinion.id}.pdf"
    assert link in page
    pdf = client.get(link).data
    assert "PRUEBA — SIN VALIDEZ" in pdf_text(pdf) and "OPINIÓN TÉCNICA (PRUEBA)" in pdf_text(pdf)
    # The period runs again: the case resumes as a real one would.
    case = reload_application(case.id)
    assert not clocks.clock_of(case, definition, calendar).is_suspended


def test_positive_silence_reaches_a_test_case_with_its_stamped_licence(client, app_ctx, run_jobs):
    """APLAN's licencia de funcionamiento is granted by positive silence once its 90-day legal
    period passes undecided (a procedure-wide breach action): pressing the button through the
    warnings on their days leads the test case there, with the licence a real one would get,
    stamped and unsigned, and no SIMDET event."""
    from portal.applications import clocks
    from portal.certificates.models import IssuedDocument
    from portal.signing import check_signature
    from portal.simdet.models import FeedEvent
    from workflows.clocks import Clock

    row = _next_version(ROOT / "workflows/definitions/aplan/licencia-funcionamiento.yaml")
    admin = make_staff("admin", "APLAN")
    # Filed yesterday and waiting for the decision, its legal period running.
    case, _definition, calendar = _filed_yesterday(row, admin, "resolucion")
    filed_on = clocks.local_date(case.filed_at)
    login(client, admin.email)
    base = f"{_base(row)}/{case.id}"

    page = client.get(base).get_data(as_text=True)
    pressed = 0
    while "Simular el vencimiento del plazo" in page and pressed < 5:
        _data, response = _fall_due(client, row, case.id, page)
        page = response.get_data(as_text=True)
        pressed += 1
    case = reload_application(case.id)
    assert case.state == "aprobado_silencio" and pressed == 3, page[:3000]
    due = Clock(filed_on, 90, calendar).due_date
    assert f"el plazo para resolver venció el {_day(due)}" in page
    assert "Otorgada por silencio administrativo positivo" in page
    run_jobs()
    licence = db.session.scalar(
        sa.select(IssuedDocument).where(
            IssuedDocument.application_id == case.id, IssuedDocument.kind == "certificate"
        )
    )
    assert licence.serial.startswith("PRUEBA-")
    pdf = client.get(f"{base}/documento/{licence.id}.pdf").data
    assert "PRUEBA — SIN VALIDEZ" in pdf_text(pdf) and not check_signature(pdf).signed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedEvent)) == 0


def test_an_action_with_a_comment_too_long_comes_back_with_the_message_and_the_text(
    client, app, draft, run_jobs
):
    """As in the office's queue: a comment over 5,000 characters is answered at its box, in
    Spanish, with every character typed still there; nothing happens to the case. The history
    then names the action in words."""
    import html

    from portal.procedures.services import definition_of

    admin = make_staff("admin", "OPAMSS")
    login(client, admin.email)
    case_id = _file_test_case(client, draft)
    run_jobs()
    state = reload_application(case_id).state
    words = "Adjunte el plano firmado por el profesional responsable. " * 90  # 5,040 characters
    response = client.post(
        f"{_base(draft)}/{case_id}/actuar",
        data={"role": "clerk", "action": "prevenir", "comment": words},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Escriba como máximo 5000 caracteres." in page
    assert words.strip() in html.unescape(page)  # every character typed, in its box
    assert 'aria-describedby="comentario-clerk-prevenir-error"' in page
    summary = page.split("govuk-error-summary__title")[1].split("</ul>")[0]  # announced on top
    assert "Hay un problema" in summary and 'href="#comentario-clerk-prevenir"' in summary
    assert reload_application(case_id).state == state
    done = _act(client, draft, case_id, "clerk", "prevenir", words[:5000])
    assert done.status_code == 200 and reload_application(case_id).state != state
    history = done.get_data(as_text=True).split("Historial", 1)[1].split("PDF producidos")[0]
    label = next(t.label.es for t in definition_of(draft).transitions if t.action == "prevenir")
    assert label in history and "prevenir:" not in history  # the action's words, not its code
    assert "record_" not in history and "breach:" not in history and "applicant:" not in history


def test_nueva_prueba_clicked_twice_opens_one_test_case(client, app_ctx, draft):
    """The button's token, as the applicant's "Comenzar solicitud": one case per click."""
    from portal.testcases.services import list_test_cases

    admin = make_staff("admin", "OPAMSS")
    login(client, admin.email)
    page = client.get(_base(draft)).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    first = client.post(f"{_base(draft)}/nueva", data={"token": token})
    second = client.post(f"{_base(draft)}/nueva", data={"token": token})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(list_test_cases(draft)) == 1
    other = client.post(f"{_base(draft)}/nueva", data={"token": secrets.token_hex(12)})
    assert other.headers["Location"] != first.headers["Location"]
    assert len(list_test_cases(draft)) == 2


def test_test_cases_are_numbered_within_their_draft_from_one(client, draft):
    from portal.testcases.services import start_test_case

    admin = make_staff("admin", "OPAMSS")
    another = _next_version(ROOT / "workflows/definitions/opamss/linea-construccion.yaml")
    for _ in range(3):  # another draft's test cases take the first ids
        start_test_case(actor=admin, version=another, token=secrets.token_hex(12))
    login(client, admin.email)
    started = []
    for _ in range(2):
        response = client.post(f"{_base(draft)}/nueva", data={"token": secrets.token_hex(12)})
        assert response.status_code == 302
        started.append(int(re.search(r"/pruebas/(\d+)/", response.headers["Location"]).group(1)))
    first, second = started
    assert "Prueba 1 (borrador)" in client.get(f"{_base(draft)}/{first}").get_data(as_text=True)
    assert "Prueba 2 (borrador)" in client.get(f"{_base(draft)}/{second}/formulario").get_data(
        as_text=True
    )
    listing = client.get(_base(draft)).get_data(as_text=True)
    assert listing.index("Prueba 2 (borrador)") < listing.index("Prueba 1 (borrador)")
    assert first > 2  # the numbers are the draft's own, not the case ids
