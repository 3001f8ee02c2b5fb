"""The deadline sweep: breach actions applied once, as system acts with a reasoned text."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.applications.services import act_on_application
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    reload_application,
)


def _filed(client):
    make_applicant()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    return application_id


def test_nothing_happens_before_a_deadline(client, app_ctx):
    from portal.deadlines.services import sweep_deadlines

    application_id = _filed(client)
    assert sweep_deadlines() == {"cases": 0, "actions": 0}
    assert len(reload_application(application_id).history) == 1


def test_a_late_stage_alerts_and_escalates_to_the_supervisor_once(client, app, app_ctx, run_jobs):
    from pathlib import Path

    from portal.deadlines.services import sweep_deadlines

    application_id = _filed(client)
    late = reload_application(application_id).state_due_on + timedelta(days=1)
    overall_late = reload_application(application_id).due_on < late
    report = sweep_deadlines(late)
    run_jobs()
    application = reload_application(application_id)
    expected = ["breach:state:presentado:0", "breach:state:presentado:1"]
    expected += ["breach:procedure:0"] if overall_late else []
    assert report == {"cases": 1, "actions": len(expected)}
    assert application.state == "presentado" and application.assigned_role == "supervisor"
    system = [h for h in application.history if h.actor_role == "system"]
    assert [h.action for h in system] == expected
    assert "el plazo de esta etapa venció" in system[1].comment
    alerts = sorted(p.name for p in Path(app.config["MAIL_DIR"]).glob("alert-*.eml"))
    assert len(alerts) == len(expected)
    assert "To: jefa@example.sv" in (Path(app.config["MAIL_DIR"]) / alerts[0]).read_text()
    assert sweep_deadlines(late)["actions"] == 0


def test_an_uncorrected_prevention_is_declared_abandoned_with_reasons(client, app_ctx, run_jobs):
    from portal.accounts.services import get_user_by_email
    from portal.deadlines.services import sweep_deadlines
    from portal.extensions import db
    from portal.simdet.models import FeedEvent

    application_id = _filed(client)
    clerk = get_user_by_email("clerk@example.sv")
    act_on_application(
        actor=clerk,
        application=reload_application(application_id),
        action="prevenir",
        comment="Falta el plano firmado.",
    )
    late = reload_application(application_id).state_due_on + timedelta(days=1)
    sweep_deadlines(late)
    run_jobs()
    application = reload_application(application_id)
    assert application.state == "abandonado" and application.decided_at is not None
    last = application.history[-1]
    assert last.actor_role == "system" and last.from_state == "prevenido"
    assert "abandono del expediente" in last.comment
    types = db.session.scalars(sa.select(FeedEvent.type).order_by(FeedEvent.id)).all()
    assert types[-1] == "case.resolved"
    login(client, "ana@example.sv")
    page = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "abandono del expediente" in page and "Sistema" in page


def test_the_cli_sweeps_as_of_a_given_day(client, app, app_ctx):
    application_id = _filed(client)
    late = reload_application(application_id).state_due_on + timedelta(days=1)
    result = app.test_cli_runner().invoke(args=["jobs", "deadlines", "--today", late.isoformat()])
    assert result.exit_code == 0, result.output
    assert "cases swept: 1; actions applied: " in result.output
    assert any(h.actor_role == "system" for h in reload_application(application_id).history)


def test_a_supervisor_extends_the_period_with_a_reason_and_the_applicant_is_told(
    client, app, app_ctx, run_jobs
):
    from pathlib import Path

    from portal.accounts.services import get_user_by_email
    from portal.authorities.services import calendar_for

    application_id = _filed(client)
    before = reload_application(application_id).due_on
    supervisor = get_user_by_email("jefa@example.sv")
    act_on_application(
        actor=supervisor,
        application=reload_application(application_id),
        action="prorrogar",
        comment="Se requiere visita de campo.",
    )
    run_jobs()
    application = reload_application(application_id)
    calendar = calendar_for(application.authority)
    assert application.due_on == calendar.add_business_days(before, 10)
    assert application.state == "presentado"
    mails = [p.read_text() for p in Path(app.config["MAIL_DIR"]).glob("history-*.eml")]
    notice = next(m for m in mails if "prorrog" in m)
    assert "Se requiere visita de campo." in notice
    assert application.due_on.strftime("%d/%m/%Y") in notice


def test_a_notice_text_that_does_not_render_is_refused_at_seeding(app, app_ctx, tmp_path):
    from pathlib import Path

    import pytest

    from portal.extensions import db
    from portal.main.services import seed
    from workflows import InvalidDefinition

    source = Path(app.config["DEFINITIONS_DIR"]) / "opamss" / "calificacion-lugar.yaml"
    folder = tmp_path / "opamss"
    folder.mkdir()
    text = source.read_text().replace(
        "{{ tracking_number }} y le pide", "{{ expediente }} y le pide"
    )
    (folder / "calificacion-lugar.yaml").write_text(text.replace("version: 1", "version: 7", 1))
    with pytest.raises(InvalidDefinition) as refused:
        seed(definitions_dir=str(tmp_path), demo=False)
    db.session.rollback()
    [problem] = refused.value.problems
    assert problem.code == "invalid_notice" and "expediente" in problem.message
    assert problem.path.startswith(f"{folder / 'calificacion-lugar.yaml'}: workflow.transitions[")
