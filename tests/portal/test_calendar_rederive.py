"""A calendar change moves the dates of the open cases it counts for (LPA Art. 82: días hábiles).

A day declared non-working inside a running period lengthens it by one business day; ending the
day shortens it back; a day outside the period, and every closed case, are left as they were.
The dates are derived again by a background job (the outbox), and the pages read them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.portal.helpers import (
    decided_case,
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    reload_application,
)

DECREE = "Decreto Ejecutivo de prueba, D.O. 220"


@pytest.fixture
def day_rows(app_ctx):
    """Days off and settings are reference data kept between tests: undo what a test adds."""
    from portal.authorities.models import AuthorityDayOff
    from portal.extensions import db
    from portal.reference.models import ReferenceValue

    last = db.session.scalar(sa.select(sa.func.max(AuthorityDayOff.id)))
    last_value = db.session.scalar(sa.select(sa.func.max(ReferenceValue.id)))
    yield
    db.session.rollback()
    db.session.execute(sa.delete(AuthorityDayOff).where(AuthorityDayOff.id > last))
    db.session.execute(sa.delete(ReferenceValue).where(ReferenceValue.id > last_value))
    db.session.commit()


def _today() -> date:
    from portal.applications.effects import local_now

    return local_now().date()


def _calendar(code: str):
    from portal.authorities.services import calendar_for, get_authority
    from portal.extensions import db

    db.session.expire_all()
    return calendar_for(get_authority(code))


def _filed(client, token: str = "token-de-prueba-0001") -> int:
    login(client, "ana@example.sv")
    application_id = file_new_application(client, token)
    logout(client)
    return application_id


def _dates(application_id: int) -> tuple:
    a = reload_application(application_id)
    return a.state_due_on, a.due_on, a.next_breach_on, a.queue_due, a.lock_version


def _declare(client, code: str, day: date):
    data = {
        "date": [str(day.day), str(day.month), str(day.year)], "kind": "decreed",
        "name": "Asueto decretado", "source": DECREE, "reason": "Decreto publicado",
    }  # fmt: skip
    return client.post(f"/admin/calendarios/{code}/{day.year}", data=data)


def _end(client, code: str, day: date):
    from portal.authorities.services import get_authority, own_days_off

    row = next(
        r
        for r in own_days_off(get_authority(code), day.year)
        if (r.month, r.day) == (day.month, day.day)
    )
    url = f"/admin/calendarios/{code}/{day.year}/dias/{row.id}/quitar"
    return client.post(url, data={"reason": "Decreto derogado"})


def _status_page(client, application_id: int) -> str:
    login(client, "ana@example.sv")
    page = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    logout(client)
    return page


def test_days_off_inside_the_period_move_the_open_cases_dates_and_ending_them_moves_back(
    client, app, day_rows, run_jobs, monkeypatch
):
    from portal.deadlines import services as deadlines

    monkeypatch.setattr(deadlines, "REDERIVE_BATCH", 1)  # two open cases: two chained batches
    applicant = make_applicant()
    make_staff("admin", "OPAMSS", email="admin@example.sv")
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    first, second = _filed(client), _filed(client, "token-de-prueba-0002")
    closed = decided_case(applicant, "calificacion-lugar", {}).id
    code = reload_application(first).authority.code
    closed_before = reload_application(closed)
    closed_before = (closed_before.updated_at, closed_before.lock_version)
    state_due, due, *_ = before = _dates(first)
    old = _calendar(code)
    today = _today()
    # The next three business days, all inside both periods (the tester's 30/11, 1/12, 2/12).
    days_off = [old.add_business_days(today, n) for n in (1, 2, 3)]
    assert days_off[-1] < min(state_due, due)

    login(client, "admin@example.sv")
    for day in days_off:
        assert _declare(client, code, day).status_code == 302
    logout(client)
    run_jobs()

    new = _calendar(code)
    for case in (first, second):
        moved_state_due, moved_due, _, queue_due, _ = _dates(case)
        # One business day later per day off; the length of each period is what it was.
        assert new.business_days_between(state_due, moved_state_due) == 3
        assert new.business_days_between(due, moved_due) == 3
        assert queue_due == moved_state_due  # the queue sorts and tags by the moved date
    # No one acted: a decision form open on the case stays valid (same lock version).
    assert _dates(first)[4] == before[4]
    moved_state_due, moved_due, *_ = _dates(first)
    assert new.business_days_between(today, moved_due) == old.business_days_between(today, due)
    page = _status_page(client, first)
    # The working days after today up to the due date, on a day off too (one count for the
    # case page and the queue: workflows.clocks.Clock.remaining).
    left = new.business_days_between(today, moved_due)
    assert f"Fecha límite de esta etapa: {moved_state_due:%d/%m/%Y}." in page
    assert f"vence el {moved_due:%d/%m/%Y}" in page and f"Quedan {left} días hábiles." in page
    assert f"{state_due:%d/%m/%Y}" not in page and f"{due:%d/%m/%Y}" not in page
    login(client, "clerk@example.sv")
    queue = client.get("/bandeja/").get_data(as_text=True)
    logout(client)
    stage_left = new.business_days_between(today, moved_state_due)
    assert f"{moved_state_due:%d/%m/%Y}" in queue and f"{state_due:%d/%m/%Y}" not in queue
    assert f"Quedan {stage_left} días hábiles" in queue
    closed_after = reload_application(closed)
    assert (closed_after.updated_at, closed_after.lock_version) == closed_before
    assert closed_after.state_due_on is None and closed_after.due_on is None

    # Run again (a duplicate job): the cases are already derived from this calendar.
    moved = _dates(first)
    authority_id = reload_application(first).authority_id
    deadlines.rederive_deadlines(authority_id, 0)
    from portal.extensions import db

    db.session.commit()
    assert _dates(first) == moved

    login(client, "admin@example.sv")
    for day in days_off:
        assert _end(client, code, day).status_code == 302
    logout(client)
    run_jobs()
    assert _dates(first)[:4] == before[:4]
    assert f"Fecha límite de esta etapa: {state_due:%d/%m/%Y}." in _status_page(client, first)


def test_a_day_off_after_the_running_period_changes_nothing(client, day_rows, run_jobs):
    make_applicant()
    make_staff("admin", "OPAMSS", email="admin@example.sv")
    application_id = _filed(client)
    before = _dates(application_id)
    code = reload_application(application_id).authority.code
    later = _calendar(code).add_business_days(max(before[0], before[1]), 2)
    login(client, "admin@example.sv")
    assert _declare(client, code, later).status_code == 302
    run_jobs()
    assert _dates(application_id) == before  # not even written (same lock version)


def test_a_day_off_for_every_authority_moves_every_open_case(app, client, day_rows, run_jobs):
    make_applicant()
    application_id = _filed(client)
    state_due, due, *_ = _dates(application_id)
    code = reload_application(application_id).authority.code
    day = _calendar(code).add_business_days(_today(), 1)
    result = app.test_cli_runner().invoke(
        args=["calendar", "add", "ALL", day.isoformat(), "--kind", "decreed",
              "--name", "Asueto nacional de prueba", "--source", DECREE]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    run_jobs()
    new = _calendar(code)
    moved_state_due, moved_due, *_ = _dates(application_id)
    assert new.business_days_between(state_due, moved_state_due) == 1
    assert new.business_days_between(due, moved_due) == 1


def test_the_sweep_acts_on_the_calendar_as_it_is_not_on_a_date_derived_before_it_changed(
    client, day_rows
):
    """The sweep may run before the job: the case's stored date is then the old one."""
    from portal.authorities.models import AuthorityDayOff
    from portal.deadlines.services import sweep_deadlines
    from portal.extensions import db

    make_applicant()
    application_id = _filed(client)
    state_due, *_ = _dates(application_id)
    application = reload_application(application_id)
    code = application.authority.code
    day = _calendar(code).add_business_days(_today(), 1)
    # The day written without its job (as if the job had not run yet): the dates are stale.
    db.session.add(
        AuthorityDayOff(
            authority_id=application.authority_id, year=day.year, month=day.month,
            day=day.day, kind="decreed", name="Asueto decretado", source=DECREE,
        )
    )  # fmt: skip
    db.session.commit()
    assert _dates(application_id)[0] == state_due  # still the old date
    old_late = state_due + timedelta(days=1)  # the old deadline's breach day
    new_due = _calendar(code).add_business_days(state_due, 1)
    assert old_late <= new_due  # by the calendar, the stage is not late that day

    sweep_deadlines(old_late)
    application = reload_application(application_id)
    late_texts = [h.comment for h in application.history if h.actor_role == "system"]
    assert not any("el plazo de esta etapa venció" in text for text in late_texts)
    assert application.assigned_role != "supervisor"  # not escalated
    assert application.state_due_on == new_due  # and the sweep derived the case again


def test_new_vacation_settings_queue_the_open_cases_dates_again(client, day_rows, run_jobs):
    from portal.authorities.services import get_authority
    from portal.extensions import db
    from portal.jobs.models import OutboxMessage

    make_staff("admin", "OPAMSS", email="admin@example.sv")
    login(client, "admin@example.sv")
    year = _today().year + 1
    settings = {"year": str(year), "vacations": "off", "holy_week": "inherit", "source": "Acuerdo"}
    assert (
        client.post(f"/admin/calendarios/OPAMSS/{year}/vacaciones", data=settings).status_code
        == 302
    )
    run_jobs()
    (message,) = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.task == "rederive_deadlines")
    ).all()
    assert message.args == {"authority_id": get_authority("OPAMSS").id, "after_id": 0}
    assert message.completed_at is not None


def test_a_day_the_seed_file_brings_at_a_deploy_moves_the_open_cases(
    client, day_rows, run_jobs, tmp_path
):
    from portal.authorities.services import seed_calendar
    from portal.extensions import db

    make_applicant()
    application_id = _filed(client)
    state_due, *_ = _dates(application_id)
    code = reload_application(application_id).authority.code
    day = _calendar(code).add_business_days(_today(), 1)
    seed = tmp_path / "calendar.yaml"
    seed.write_text(
        f"- authority: {code}\n  date: {day.isoformat()}\n  kind: decreed\n"
        f"  name: {{es: Asueto decretado}}\n  source: {DECREE}\n",
        encoding="utf-8",
    )
    assert seed_calendar(seed) == 1
    db.session.commit()
    run_jobs()
    assert _calendar(code).business_days_between(state_due, _dates(application_id)[0]) == 1
    assert seed_calendar(seed) == 0  # seeding again changes nothing and queues nothing
    db.session.commit()
    assert _dates(application_id)[0] == _calendar(code).add_business_days(state_due, 1)
