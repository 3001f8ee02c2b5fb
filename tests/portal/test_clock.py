"""One clock in the portal: overdue corrections, early notices, silence with its effects, Art. 97.

The portal takes "today" from the machine's clock. A case filed in the past is made by filing it
over HTTP and then moving its recorded filing (timestamps and the clock's start) to that day,
as if the sweep and the office had been idle since; the sweep takes its `today` as an argument.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tests.portal.helpers import (
    documents,
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    procedure_id,
    reload_application,
    submit,
)

STORMWATER = {
    "f_distrito": "0614",
    "f_direccion": "Calle Arce 1234, Colonia Escalón",
    "f_area_terreno_m2": "350",
    "f_tipo_proyecto": "comercial",
    "f_area_impermeable_m2": "200",
    "f_descarga_propuesta": "colector",
    "f_tipo_persona": "natural",
    "f_nombre_propietario": "Ana María Pérez",
    "f_nit_propietario": "01234567-8",
    "f_profesional_nombre": "Ing. José Martínez",
    "f_profesional_registro": "IC-1234",
}


def _files():
    return documents(escritura=pdf_bytes(), plano_drenaje=pdf_bytes())


def _decide(client, application_id, action, comment=""):
    fresh = reload_application(application_id)
    return client.post(
        f"/bandeja/{application_id}",
        data={"action": action, "comment": comment, "lock_version": str(fresh.lock_version)},
    )


def _move_filing_to(application_id: int, filed_on: date) -> None:
    """Record the case as filed on `filed_on` at 09:00 local time (15:00 UTC)."""
    from portal.applications import clocks
    from portal.extensions import db
    from portal.procedures.services import definition_of
    from workflows.clocks import Clock

    application = reload_application(application_id)
    moment = datetime.combine(filed_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
    application.filed_at = application.state_entered_at = moment  # history is append-only
    definition = definition_of(application.procedure_version)
    calendar = clocks.calendar_of(application)
    length = application.clock["business_days"]
    application.clock = Clock(filed_on, length, calendar).to_dict()
    clocks.derive_deadlines(application, definition, calendar)
    db.session.commit()


def test_an_overdue_case_is_corrected_over_http_stays_overdue_and_is_not_archived(
    client, app_ctx, run_jobs
):
    from portal.applications.effects import local_now
    from portal.authorities.services import calendar_for
    from portal.deadlines.services import sweep_deadlines

    make_applicant()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    started = client.post(
        f"/solicitudes/nueva/{procedure_id('factibilidad-aguas-lluvias')}",
        data={"token": "aguas-lluvias-0001"},
    )
    application_id = int(re.search(r"/(\d+)/", started.headers["Location"])[1])
    filed = submit(client, application_id, STORMWATER, _files())
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    logout(client)
    _move_filing_to(application_id, date(2026, 3, 2))
    application = reload_application(application_id)
    calendar = calendar_for(application.authority)
    due = calendar.add_business_days(date(2026, 3, 2), 25)
    today = local_now().date()
    assert application.due_on == due < today  # overdue

    # The clerk asks for a correction after the deadline.
    login(client, "clerk@example.sv")
    asked = _decide(client, application_id, "prevenir", "Falta el plano de drenaje firmado.")
    assert asked.status_code == 302
    application = reload_application(application_id)
    assert application.state == "prevenido"
    assert application.due_on == due  # suspending an overdue clock hides nothing
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Falta el plano de drenaje firmado." in page
    # The clerk reads that it is overdue, and by how many business days.
    late = calendar.business_days_between(due, today)
    assert "Vencido" in page and f"{late} días hábiles de retraso" in page, page[:4000]
    # The prevención is an act to notify within three business days (LPA Art. 97).
    notify_by = calendar.add_business_days(calendar.next_business_day(today), 3)
    assert application.notify_by == notify_by
    assert f"Notificar la prevención a más tardar el {notify_by:%d/%m/%Y}" in page
    logout(client)

    # The applicant answers: accepted (it used to fail with "a period cannot be negative").
    login(client, "ana@example.sv")
    answered = submit(client, application_id, STORMWATER, _files())
    assert answered.status_code == 302, answered.get_data(as_text=True)[:2000]
    run_jobs()
    application = reload_application(application_id)
    assert application.state == "presentado"
    assert [h.action for h in application.history] == ["presentar", "prevenir", "subsanar"]
    assert application.due_on == due  # it stays overdue
    assert application.notify_by is None  # the applicant answered: it was notified
    assert [(e["kind"], e["on"]) for e in application.clock["events"]] == [
        ("suspend", today.isoformat()),
        ("resume", today.isoformat()),
    ]
    assert application.clock["events"][0]["reason"] == "Falta el plano de drenaje firmado."
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert due.strftime("%d/%m/%Y") in status
    assert f"{late} días hábiles de retraso" in status

    # The sweep, today and a month later, archives nothing.
    for day in (today, today + timedelta(days=31)):
        sweep_deadlines(day)
        application = reload_application(application_id)
        assert application.state == "presentado" and application.decided_at is None
    assert not any(h.to_state == "abandonado" for h in application.history)

    # Staff read why the clock resumed as the act's label, not the definition's code.
    logout(client)
    login(client, "clerk@example.sv")
    case_page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "plazo reanudado (Enviar correcciones)" in case_page
    assert "(subsanar)" not in case_page


def _filed_site_case(client) -> int:
    from tests.portal.helpers import file_new_application

    make_applicant()
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    return application_id


def test_a_notice_before_the_deadline_fires_on_its_day_once(client, app_ctx, run_jobs):
    """Calificación de lugar: a 25-day stage whose supervisor notice comes on day 20."""
    from portal.applications import clocks
    from portal.deadlines.services import sweep_deadlines

    application_id = _filed_site_case(client)
    application = reload_application(application_id)
    calendar = clocks.calendar_of(application)
    # Filed on a day off (a holiday evening), the count starts after the next working day.
    entered = calendar.next_business_day(clocks.local_date(application.state_entered_at))
    day = {n: calendar.add_business_days(entered, n) for n in (19, 20, 21)}
    assert application.next_breach_on == day[20] < application.state_due_on

    assert sweep_deadlines(day[19]) == {"cases": 0, "actions": 0}
    assert sweep_deadlines(day[20]) == {"cases": 1, "actions": 1}
    run_jobs()
    application = reload_application(application_id)
    notice = application.history[-1]
    assert notice.action == "breach:state:presentado:0" and notice.actor_role == "system"
    assert "plazo de aviso" in notice.comment
    assert application.assigned_role is None  # the escalation waits for the deadline
    assert application.next_breach_on == application.state_due_on + timedelta(days=1)
    assert sweep_deadlines(day[21]) == {"cases": 0, "actions": 0}  # not again
    sweep_deadlines(application.state_due_on + timedelta(days=1))
    actions = [h.action for h in reload_application(application_id).history]
    assert actions.count("breach:state:presentado:0") == 1
    assert "breach:state:presentado:1" in actions  # the escalation, after the deadline


def test_a_decision_must_be_notified_within_three_business_days(client, app_ctx):
    """LPA Art. 97: the clerk's case page shows the last day to notify the decision."""
    from portal.applications import clocks
    from portal.applications.effects import local_now

    application_id = _filed_site_case(client)
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "clerk@example.sv")
    assert _decide(client, application_id, "denegar", "El uso no es compatible.").status_code == 302
    application = reload_application(application_id)
    calendar = clocks.calendar_of(application)
    today = local_now().date()
    expected = calendar.add_business_days(calendar.next_business_day(today), 3)
    assert application.notify_by == expected
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert "Notificar la resolución a más tardar el" in page
    assert expected.strftime("%d/%m/%Y") in page


def _publish_changed(authority: str, slug: str, change) -> int:
    """Publish version 2 of a seeded definition with `change(data)` applied."""
    from pathlib import Path

    import yaml

    from portal.extensions import db
    from portal.procedures.services import publish_definition
    from workflows import load

    root = Path(__file__).resolve().parents[2] / "workflows/definitions"
    data = yaml.safe_load((root / authority.lower() / f"{slug}.yaml").read_text("utf-8"))
    data["version"] += 1
    change(data)
    publish_definition(load(data))
    db.session.commit()
    return data["version"]


def test_an_extension_beyond_the_definitions_limit_is_refused(client, app_ctx):
    def limit(data):
        data["catalogue"]["max_extension_business_days"] = 15  # each extension gives 10

    version = _publish_changed("OPAMSS", "calificacion-lugar", limit)
    application_id = _filed_site_case(client)
    assert reload_application(application_id).procedure_version.version == version
    login(client, "jefa@example.sv")
    assert _decide(client, application_id, "prorrogar", "Visita de campo.").status_code == 302
    before = reload_application(application_id).due_on
    refused = _decide(client, application_id, "prorrogar", "Otra visita.")
    assert refused.status_code == 200
    assert "supera el máximo" in refused.get_data(as_text=True)
    application = reload_application(application_id)
    assert application.due_on == before
    assert [(e["kind"], e["reason"]) for e in application.clock["events"]] == [
        ("extend", "Visita de campo.")
    ]


def test_a_registration_granted_by_positive_silence_registers_its_establishment(app_ctx, run_jobs):
    from portal.applications.effects import local_now
    from portal.applications.services import act_on_application
    from portal.deadlines.services import sweep_deadlines
    from portal.establishments.models import Establishment
    from portal.extensions import db
    from portal.review.services import record_inspection
    from portal.simdet.models import FeedEvent
    from tests.portal.test_back_office import _filed, _in_inspection

    def silence(data):
        stage = next(s for s in data["workflow"]["states"] if s["code"] == "calificacion")
        stage["breach"] = [{"kind": "deem_approved", "target": "inscrito"}]

    version = _publish_changed("0511", "inscripcion-establecimiento", silence)
    application = _in_inspection(_filed(make_applicant()))
    assert application.procedure_version.version == version
    inspector = make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    today = local_now().date()
    record_inspection(
        actor=inspector,
        application=application,
        visited_on=today,
        result="conforme",
        notes="Local en orden.",
        today=today,
    )
    act_on_application(
        actor=inspector,
        application=reload_application(application.id),
        action="registrar_inspeccion",
    )
    application = reload_application(application.id)
    assert application.state == "calificacion"
    assert db.session.scalar(sa.select(Establishment)) is None
    sweep_deadlines(application.state_due_on)  # the last day still belongs to the office
    assert reload_application(application.id).state == "calificacion"
    sweep_deadlines(application.state_due_on + timedelta(days=1))
    run_jobs()
    application = reload_application(application.id)
    assert application.state == "inscrito" and application.decided_at is not None
    assert "silencio administrativo positivo" in application.history[-1].comment
    establishment = db.session.scalar(sa.select(Establishment))
    assert establishment is not None and establishment.application_id == application.id
    types = db.session.scalars(sa.select(FeedEvent.type)).all()
    assert "establishment.registered" in types
    assert application.notify_by is not None


def test_a_breach_runs_its_own_effects_else_the_transitions_else_the_convention():
    from pathlib import Path

    import yaml

    from portal.deadlines.services import DEFAULT_EFFECTS, breach_effects
    from workflows import load
    from workflows.model import Ref

    root = Path(__file__).resolve().parents[2] / "workflows/definitions"
    data = yaml.safe_load((root / "0511/inscripcion-establecimiento.yaml").read_text("utf-8"))
    stage = next(s for s in data["workflow"]["states"] if s["code"] == "calificacion")
    stage["breach"] = [{"kind": "deem_approved", "target": "inscrito"}]
    definition = load(data)
    action = definition.state("calificacion").breach[0]
    approval = next(t for t in definition.transitions if t.target == "inscrito")
    assert breach_effects(definition, "calificacion", action) == approval.effects
    stage["breach"][0]["effects"] = ["notify"]
    explicit = load(data).state("calificacion").breach[0]
    assert breach_effects(definition, "calificacion", explicit) == (Ref("notify"),)
    abandon = definition.state("prevenido").breach[0]  # no transition leads to "abandonado"
    assert breach_effects(definition, "prevenido", abandon) == DEFAULT_EFFECTS["deem_abandoned"]


def test_the_days_left_of_the_legal_period_are_shown_to_applicant_and_clerk(client, app_ctx):
    from portal.applications.effects import local_now
    from portal.authorities.services import calendar_for

    make_applicant()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    started = client.post(
        f"/solicitudes/nueva/{procedure_id('factibilidad-aguas-lluvias')}",
        data={"token": "aguas-lluvias-0002"},
    )
    application_id = int(re.search(r"/(\d+)/", started.headers["Location"])[1])
    assert submit(client, application_id, STORMWATER, _files()).status_code == 302
    application = reload_application(application_id)
    calendar = calendar_for(application.authority)
    # The working days after today up to the due date, on a day off as on any other: the
    # queue counts the same way from its stored due date.
    left = calendar.business_days_between(local_now().date(), application.due_on)
    assert left > 1
    expected = f"Quedan {left} días hábiles."
    assert expected in client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    logout(client)
    login(client, "clerk@example.sv")
    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    assert expected in page and "Vencido" not in page
