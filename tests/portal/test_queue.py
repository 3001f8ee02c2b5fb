"""The staff queues: legal-due-date order, keyset pages, filters with counts, views; claiming,
assigning and the workload; the same number of SQL statements with 30 cases as with 300."""

from __future__ import annotations

import html as html_lib
import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from portal.accounts.models import AuditEvent, User
from portal.applications.effects import local_now
from portal.applications.models import Application, HistoryEntry
from portal.extensions import db
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    reload_application,
)
from tests.portal.test_review import _decide


def _filed(client) -> int:
    make_applicant()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    return application_id


def _copies(application_id: int, count: int, **changes) -> list[int]:
    """`count` more open cases like this one, each with `changes` (callables get the index)."""
    model = db.session.get(Application, application_id)
    columns = [c.key for c in sa.inspect(Application).column_attrs if c.key != "id"]
    ids = []
    for i in range(count):
        values = {key: getattr(model, key) for key in columns}
        token = uuid.uuid4().hex
        values.update(start_token=token, tracking_number=f"TEST-{token[:20]}", lock_version=1)
        values.update({k: (v(i) if callable(v) else v) for k, v in changes.items()})
        copy = Application(**values)
        db.session.add(copy)
        db.session.flush()
        ids.append(copy.id)
    db.session.commit()
    return ids


def _ids(page: str) -> list[int]:
    return [
        int(i)
        for i in re.findall(
            r'class="govuk-summary-card app-case app-queue__case" data-id="(\d+)"', page
        )
    ]


def _next(page: str) -> str | None:
    found = re.search(r'href="([^"]*despues=[^"]*)" rel="next"', page)
    return html_lib.unescape(found.group(1)) if found else None


def _queries(client, path: str) -> tuple[int, str, int]:
    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), response.get_data(as_text=True), response.status_code


def _today():
    return local_now().date()


def test_the_queue_pages_by_legal_due_date_with_a_cursor(client, app_ctx):
    first = _filed(client)
    today = _today()
    base = reload_application(first)
    _copies(
        first,
        119,
        queue_due=lambda i: today + timedelta(days=(i * 7) % 40),
        state_due_on=lambda i: today + timedelta(days=(i * 7) % 40),
    )
    login(client, "clerk@example.sv")
    seen, path, pages = [], "/bandeja/", 0
    while path:
        page = client.get(path).get_data(as_text=True)
        assert "120 expedientes abiertos en esta vista" in page
        seen += _ids(page)
        path, pages = _next(page), pages + 1
    assert pages == 3 and len(seen) == 120 == len(set(seen))
    rows = (
        db.session.execute(
            sa.select(Application.id)
            .where(Application.queue_due.is_not(None))
            .order_by(Application.queue_due, Application.filed_at, Application.id)
        )
        .scalars()
        .all()
    )
    assert seen == rows
    assert base.queue_due == base.state_due_on and base.acting_roles == ",clerk,supervisor,"


def test_days_left_in_words_and_counts_per_deadline_status_and_filter(client, app_ctx):
    first = _filed(client)
    today = _today()
    from portal.authorities.services import calendar_for

    calendar = calendar_for(reload_application(first).authority)
    late = today - timedelta(days=10)
    _copies(first, 3, queue_due=late, state_due_on=late)
    _copies(first, 2, queue_due=today, state_due_on=today)
    _copies(first, 4, clock_suspended=True)
    login(client, "clerk@example.sv")
    page = client.get("/bandeja/").get_data(as_text=True)
    assert "Vencidos (3)" in page and "Plazo suspendido (4)" in page
    assert "Vencen en 2 días hábiles o menos (2)" in page and "A tiempo (1)" in page
    assert "Vence hoy" in page and "Plazo suspendido" in page
    late_days = calendar.business_days_between(today, late)
    assert f"Vencido hace {-late_days} días hábiles" in page
    assert re.search(r"Quedan? \d+ días? hábil", page)
    overdue = client.get("/bandeja/?plazo=vencido").get_data(as_text=True)
    assert len(_ids(overdue)) == 3 and "Vence hoy" not in overdue
    assert len(_ids(client.get("/bandeja/?plazo=suspendido").get_data(as_text=True))) == 4
    procedure = reload_application(first).procedure_id
    by_procedure = client.get(f"/bandeja/?tramite={procedure}").get_data(as_text=True)
    assert len(_ids(by_procedure)) == 10 and f'value="{procedure}" selected' in by_procedure
    assert _ids(client.get(f"/bandeja/?tramite={procedure + 999}").get_data(as_text=True)) == []
    district = reload_application(first).district_id
    assert len(_ids(client.get(f"/bandeja/?distrito={district}").get_data(as_text=True))) == 10
    assert len(_ids(client.get("/bandeja/?estado=presentado").get_data(as_text=True))) == 10
    assert _ids(client.get("/bandeja/?estado=prevenido").get_data(as_text=True)) == []
    tomorrow = (today + timedelta(days=1)).isoformat()
    yesterday = (today - timedelta(days=1)).isoformat()
    assert (
        len(
            _ids(client.get(f"/bandeja/?desde={yesterday}&hasta={tomorrow}").get_data(as_text=True))
        )
        == 10
    )
    assert _ids(client.get(f"/bandeja/?desde={tomorrow}").get_data(as_text=True)) == []


def test_bad_filters_say_why_at_the_field_keep_the_values_and_answer_400(client, app_ctx):
    _filed(client)
    login(client, "clerk@example.sv")
    response = client.get("/bandeja/?desde=2026-13-01&plazo=pronto&asignado=alguien")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="f-desde-error"' in page and 'value="2026-13-01"' in page
    assert "Escriba la fecha como año-mes-día" in page
    assert 'id="f-plazo-error"' in page and 'id="f-asignado-error"' in page
    for state in ("zzz", "Presentado", "aprobado_inexistente"):  # no procedure has that state
        unknown = client.get(f"/bandeja/?estado={state}")
        assert unknown.status_code == 400, state
        assert 'id="f-estado-error"' in unknown.get_data(as_text=True)  # typed value kept
    reversed_range = client.get("/bandeja/?desde=2026-11-30&hasta=2026-11-01")
    assert reversed_range.status_code == 400
    assert "debe ser igual o posterior" in reversed_range.get_data(as_text=True)
    office = client.get("/bandeja/?vista=oficina")
    assert office.status_code == 400
    assert "Solo la jefatura y la administración ven toda la oficina." in office.get_data(
        as_text=True
    )


def test_views_mine_unassigned_and_the_whole_office_with_where_each_case_is(client, app_ctx):
    first = _filed(client)
    supervisor = make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    clerk = db.session.scalar(sa.select(User).where(User.email == "clerk@example.sv"))
    mine = _copies(first, 2, assignee_id=clerk.id)
    login(client, "clerk@example.sv")
    _decide(client, first, "prevenir", comment="Falta el plano.")  # now waits on the applicant
    queue = client.get("/bandeja/").get_data(as_text=True)
    assert first not in _ids(queue) and set(_ids(queue)) == set(mine)
    assert sorted(_ids(client.get("/bandeja/?vista=mios").get_data(as_text=True))) == mine
    assert _ids(client.get("/bandeja/?vista=sin_asignar").get_data(as_text=True)) == []
    assert "Toda la oficina" not in queue
    logout(client)
    login(client, "jefa@example.sv")
    office = client.get("/bandeja/?vista=oficina").get_data(as_text=True)
    assert set(_ids(office)) == {first, *mine}
    card = office.split(f'data-id="{first}"')[1].split("</li>")[0]
    assert "La persona solicitante" in card and "Falta el plano." not in card
    assert "Toda la oficina" in office and supervisor.full_name not in card


def test_a_clerk_takes_a_case_once_and_a_stale_page_changes_nothing(client, app, app_ctx):
    first = _filed(client)
    make_staff("clerk", "OPAMSS", email="otro.clerk@example.sv")
    login(client, "clerk@example.sv")
    page = client.get(f"/bandeja/{first}").get_data(as_text=True)
    assert "Tomar caso" in page and "Sin asignar." in page
    for _ in range(2):  # a double click
        assert client.post(f"/bandeja/{first}/tomar", data={"assignee_id": ""}).status_code == 302
    clerk = db.session.scalar(sa.select(User).where(User.email == "clerk@example.sv"))
    assert reload_application(first).assignee_id == clerk.id
    entries = db.session.scalars(
        sa.select(HistoryEntry).where(
            HistoryEntry.application_id == first, HistoryEntry.action == "assignment:claim"
        )
    ).all()
    assert len(entries) == 1 and entries[0].actor_id == clerk.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "assignment.claim")
        )
        == 1
    )
    case = client.get(f"/bandeja/{first}").get_data(as_text=True)
    assert "Asignado a:" in case and "Expediente tomado" in case
    other = app.test_client()
    login(other, "otro.clerk@example.sv")
    stale = other.post(f"/bandeja/{first}/tomar", data={"assignee_id": ""})
    assert stale.status_code == 409
    assert "Otra persona tomó o asignó este expediente" in stale.get_data(as_text=True)
    assert reload_application(first).assignee_id == clerk.id
    logout(client)
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{first}").get_data(as_text=True)
    assert "Expediente tomado" not in status and clerk.full_name not in status


def test_a_supervisor_assigns_and_reassigns_within_scope_and_role(client, app, app_ctx):
    first = _filed(client)
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    second = make_staff("clerk", "OPAMSS", email="segundo@example.sv")
    inspector = make_staff("inspector", "OPAMSS", email="inspector@example.sv")
    outsider = make_staff("clerk", "0511", email="ste@example.sv")
    clerk = db.session.scalar(sa.select(User).where(User.email == "clerk@example.sv"))
    login(client, "jefa@example.sv")
    page = client.get(f"/bandeja/{first}").get_data(as_text=True)
    assert f'<option value="{second.id}"' in page and f'<option value="{inspector.id}"' not in page
    assert f'<option value="{outsider.id}"' not in page
    assert (
        client.post(
            f"/bandeja/{first}/asignar", data={"assignee": clerk.id, "assignee_id": ""}
        ).status_code
        == 302
    )
    again = client.post(f"/bandeja/{first}/asignar", data={"assignee": clerk.id, "assignee_id": ""})
    assert again.status_code == 302  # the same change twice: nothing more
    for person in (inspector, outsider):
        refused = client.post(
            f"/bandeja/{first}/asignar", data={"assignee": person.id, "assignee_id": str(clerk.id)}
        )
        assert (
            refused.status_code == 400
            and "Elija a una persona de su oficina" in refused.get_data(as_text=True)
        )
    stale = client.post(
        f"/bandeja/{first}/asignar", data={"assignee": second.id, "assignee_id": ""}
    )
    assert stale.status_code == 409 and reload_application(first).assignee_id == clerk.id
    moved = client.post(
        f"/bandeja/{first}/asignar", data={"assignee": second.id, "assignee_id": str(clerk.id)}
    )
    assert moved.status_code == 302 and reload_application(first).assignee_id == second.id
    comments = db.session.scalars(
        sa.select(HistoryEntry.comment)
        .where(HistoryEntry.application_id == first, HistoryEntry.action == "assignment:assign")
        .order_by(HistoryEntry.id)
    ).all()
    assert comments == [clerk.full_name, f"{clerk.full_name} → {second.full_name}"]
    workload = client.get("/bandeja/carga").get_data(as_text=True)
    row = workload.split(second.full_name)[1].split("</tr>")[0]
    assert re.findall(r">(\d+)</td>", row) == ["1", "0", "0"]
    logout(client)
    login(client, "clerk@example.sv")
    assert client.get("/bandeja/carga").status_code == 403
    assert "Asignar a" not in client.get(f"/bandeja/{first}").get_data(as_text=True)


def test_each_queue_page_costs_the_same_statements_with_30_cases_as_with_300(client, app_ctx):
    first = _filed(client)
    make_staff("supervisor", "OPAMSS", email="jefa@example.sv")
    today = _today()
    clerk = db.session.scalar(sa.select(User).where(User.email == "clerk@example.sv"))

    def grow(count):
        _copies(
            first,
            count,
            queue_due=lambda i: today + timedelta(days=i % 30 - 10),
            assignee_id=lambda i: clerk.id if i % 3 == 0 else None,
            clock_suspended=lambda i: i % 7 == 0,
        )

    procedure = reload_application(first).procedure_id
    paths = {
        "first": "/bandeja/",
        "filtered": f"/bandeja/?tramite={procedure}&plazo=vencido&asignado=ninguno",
        "office": "/bandeja/?vista=oficina",
        "mine": "/bandeja/?vista=mios",
    }
    login(client, "jefa@example.sv")

    def measure():
        from portal.review.queues import encode_cursor

        client.get("/bandeja/")  # the account, expired by the copies' commit, is read again
        counts = {name: _queries(client, path)[0] for name, path in paths.items()}
        ordered = db.session.scalars(
            sa.select(Application)
            .where(Application.queue_due.is_not(None))
            .order_by(Application.queue_due, Application.filed_at, Application.id)
        ).all()
        cursor = encode_cursor(ordered[len(ordered) * 2 // 3])  # two thirds in
        statements, page, status = _queries(client, f"/bandeja/?vista=oficina&despues={cursor}")
        assert (
            status == 200
            and _ids(page) == [a.id for a in ordered[len(ordered) * 2 // 3 + 1 :]][:50]
        )
        counts["deep"] = statements
        return counts

    grow(29)
    small = measure()
    grow(270)
    large = measure()
    assert small == large, (small, large)


def test_other_offices_drafts_and_applicants_never_reach_a_queue(client, app, app_ctx):
    first = _filed(client)
    login(client, "ana@example.sv")
    from tests.portal.helpers import start

    draft = start(client, token="token-de-prueba-0002")
    assert client.get("/bandeja/").status_code == 403
    assert client.get("/bandeja/carga").status_code == 403
    logout(client)
    make_staff("supervisor", "0511", email="jefa.ste@example.sv")
    login(client, "jefa.ste@example.sv")
    for view in ("", "?vista=oficina", "?vista=sin_asignar"):
        assert _ids(client.get(f"/bandeja/{view}").get_data(as_text=True)) == []
    assert client.post(f"/bandeja/{first}/tomar", data={}).status_code == 404
    logout(client)
    login(client, "clerk@example.sv")
    assert draft not in _ids(client.get("/bandeja/").get_data(as_text=True))
    assert client.post(f"/bandeja/{draft}/tomar", data={}).status_code == 404
    assert client.post(f"/bandeja/{first}/asignar", data={"assignee": "1"}).status_code == 403
