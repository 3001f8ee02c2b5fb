"""Who may record payments, verdicts and inspections (from the definition), drafts stay the
applicant's, and the access audit: append-only, shown to a supervisor."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g

from portal.accounts.models import AuditEvent
from portal.applications.models import HistoryEntry
from portal.extensions import db
from tests.portal.helpers import login, make_applicant, make_staff, reload_application
from tests.portal.test_back_office import _filed, _in_inspection

ROLES = ("clerk", "supervisor", "inspector", "admin")


def _visit() -> dict:
    """A visit today (El Salvador), as the inspection form posts it."""
    from portal.applications.effects import local_now

    today = local_now().date()
    boxes = [str(today.day), str(today.month), str(today.year)]
    return {"visited_on": boxes, "result": "conforme", "notes": "Local en orden."}


def _as(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def _post(client, path: str, data: dict):
    g.pop("_login_user", None)  # the shared app context keeps the last user in g
    return client.post(path, data=data)


def _get(client, path: str):
    g.pop("_login_user", None)
    return client.get(path)


def _staff(app):
    for role in ROLES:
        make_staff(role, "0511", email=f"{role}@santatecla.example.sv")
    return {role: _as(app, f"{role}@santatecla.example.sv") for role in ROLES}


def _order_id(application_id: int) -> int:
    from portal.payments.services import list_payment_orders

    return list_payment_orders(application_id)[0].id


def _denials() -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id)
    ).all()


def _acts(application_id: int) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [
        (h.action, h.actor_role, h.actor.email if h.actor else "")
        for h in db.session.scalars(
            sa.select(HistoryEntry)
            .where(HistoryEntry.application_id == application_id)
            .order_by(HistoryEntry.id)
        )
    ]


def test_only_the_roles_the_definition_names_record_a_payment_and_history_says_who(app, app_ctx):
    from portal.payments.models import PaymentOrder

    application = _filed(make_applicant())
    staff = _staff(app)
    assert _post(staff["clerk"], f"/bandeja/{application.id}", {
        "action": "tomar", "lock_version": str(reload_application(application.id).lock_version)
    }).status_code == 302  # fmt: skip
    path = f"/bandeja/{application.id}/pagos/{_order_id(application.id)}"
    # En revisión only the clerk admits (the transition checking fee_paid): the issue's
    # inspector, admin and supervisor are refused with a Spanish page, and it is audited.
    for role in ("inspector", "admin", "supervisor"):
        refused = _post(staff[role], path, {"reference": "REC-1"})
        assert refused.status_code == 403, role
        assert "Su rol no permite esta acción en este estado." in refused.get_data(as_text=True)
        assert _denials()[-1].subject == path and _denials()[-1].detail["status"] == 403
    assert db.session.get(PaymentOrder, _order_id(application.id)).status == "pending"
    page = _get(staff["supervisor"], f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Registrar el pago de" not in page  # the form is hidden from who may not use it
    assert "Registrar el pago de" in _get(staff["clerk"], f"/bandeja/{application.id}").get_data(
        as_text=True
    )
    assert _post(staff["clerk"], path, {"reference": "REC-2026-4411"}).status_code == 302
    assert ("record_payment", "clerk", "clerk@santatecla.example.sv") in _acts(application.id)


def test_inspections_only_by_the_inspector_in_the_inspection_state(app, app_ctx):
    application = _filed(make_applicant())
    staff = _staff(app)
    path = f"/bandeja/{application.id}/inspeccion"
    # Filed but not yet admitted: nobody inspects, not even the inspector.
    for role in ROLES:
        assert _post(staff[role], path, _visit()).status_code == 403, role
    page = _get(staff["inspector"], f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Resultado" not in page and 'name="visited_on' not in page
    application = _in_inspection(application)
    for role in ("clerk", "supervisor", "admin"):
        assert _post(staff[role], path, _visit()).status_code == 403, role
    assert 'name="visited_on' in _get(staff["inspector"], f"/bandeja/{application.id}").get_data(
        as_text=True
    )
    assert _post(staff["inspector"], path, _visit()).status_code == 302
    assert ("record_inspection", "inspector", "inspector@santatecla.example.sv") in _acts(
        application.id
    )
    assert [a for a, _r, _e in _acts(application.id)].count("record_verdicts") == 1


def test_a_decided_case_takes_no_verdict_inspection_or_payment(app, app_ctx):
    from portal.applications.services import act_on_application

    application = _in_inspection(_filed(make_applicant()))
    staff = _staff(app)
    assert (
        _post(staff["inspector"], f"/bandeja/{application.id}/inspeccion", _visit()).status_code
        == 302
    )
    inspector = reload_application(application.id)
    from portal.accounts.services import get_user_by_email

    act_on_application(
        actor=get_user_by_email("clerk@santatecla.example.sv"),
        application=inspector,
        action="denegar",
        comment="No cumple.",
    )
    assert reload_application(application.id).decided_at is not None
    assert ("denegar", "clerk", "clerk@santatecla.example.sv") in _acts(application.id)
    posts = {
        "revision": {"v_nombre_comercial": "no", "r_nombre_comercial": "Tarde"},
        "inspeccion": _visit(),
        f"pagos/{_order_id(application.id)}": {"reference": "REC-9"},
    }
    before = len(_acts(application.id))
    for role in ROLES:
        for suffix, data in posts.items():
            response = _post(staff[role], f"/bandeja/{application.id}/{suffix}", data)
            assert response.status_code == 403, (role, suffix)
    assert len(_acts(application.id)) == before
    assert len(_denials()) == len(ROLES) * len(posts)


def test_a_verdict_needs_the_role_that_decides_on_the_verdicts(app, app_ctx):
    application = _filed(make_applicant())
    staff = _staff(app)
    path = f"/bandeja/{application.id}/revision"
    data = {"v_nombre_comercial": "ok"}
    # Presentado: the clerk only takes the case; nobody judges items until it is under review.
    for role in ROLES:
        assert _post(staff[role], path, data).status_code == 403, role
    _post(staff["clerk"], f"/bandeja/{application.id}", {
        "action": "tomar", "lock_version": str(reload_application(application.id).lock_version)
    })  # fmt: skip
    for role in ("supervisor", "inspector", "admin"):
        assert _post(staff[role], path, data).status_code == 403, role
        page = _get(staff[role], f"/bandeja/{application.id}").get_data(as_text=True)
        assert "Revisión por ítem" not in page, role  # no form they may not use
    assert "Revisión por ítem" in _get(staff["clerk"], f"/bandeja/{application.id}").get_data(
        as_text=True
    )
    assert _post(staff["clerk"], path, data).status_code == 302
    assert ("record_verdicts", "clerk", "clerk@santatecla.example.sv") in _acts(application.id)


def test_a_draft_is_the_applicants_alone_until_filed(app, app_ctx):
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure
    from tests.portal.helpers import pdf_bytes

    ana = make_applicant()
    draft = start_application(
        actor=ana, procedure=get_procedure("0511", "inscripcion-establecimiento"), token="b-1"
    )
    save_application(
        actor=ana,
        application=draft,
        data={"nombre_comercial": "Pupusería La Ceiba", "tipo_persona": "natural"},
        uploads={"dui_nit": Upload("dui.pdf", pdf_bytes())},
        submit=False,
    )
    document = reload_application(draft.id).current_documents[0]
    staff = _staff(app)
    paths = [
        f"/bandeja/{draft.id}",
        f"/solicitudes/{draft.id}",
        f"/solicitudes/{draft.id}/documentos/{document.id}",
    ]
    for role, client in staff.items():
        for path in paths:
            assert _get(client, path).status_code == 404, (role, path)
            assert _denials()[-1].subject == path and _denials()[-1].actor.role == role
        verdict = _post(client, f"/bandeja/{draft.id}/revision", {"v_nombre_comercial": "ok"})
        assert verdict.status_code == 404, role
    assert not [a for a in _acts(draft.id) if a[0] == "record_verdicts"]
    owner = _as(app, "ana@example.sv")
    assert _get(owner, paths[2]).status_code == 200


def test_staff_reads_are_audited_with_actor_address_and_target(app, app_ctx):
    application = _filed(make_applicant())
    staff = _staff(app)
    document = application.current_documents[0]
    g.pop("_login_user", None)
    staff["inspector"].get(f"/bandeja/{application.id}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    _get(staff["clerk"], f"/solicitudes/{application.id}/documentos/{document.id}")
    _get(staff["admin"], f"/solicitudes/{application.id}")
    _get(_as(app, "ana@example.sv"), f"/solicitudes/{application.id}")  # her own: not a staff read
    db.session.expire_all()
    reads = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.application_id == application.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor.role) for e in reads] == [
        ("case.read", "inspector"),
        ("document.read", "clerk"),
        ("case.read", "admin"),
    ]
    assert reads[0].ip == "10.1.2.3" and reads[0].subject == f"/bandeja/{application.id}"
    assert reads[1].detail["document_id"] == document.id and reads[1].occurred_at is not None


def test_a_supervisor_reads_the_access_log_of_a_case_page_by_page(app, app_ctx):
    from portal.audit import services as audit

    application = _filed(make_applicant())
    staff = _staff(app)
    other = make_applicant("mallory@example.sv", "Mallory Intrusa")
    _get(_as(app, "mallory@example.sv"), f"/solicitudes/{application.id}")
    for _ in range(audit.ACCESS_LOG_PAGE_SIZE):
        _get(staff["clerk"], f"/bandeja/{application.id}")
    log = f"/bandeja/{application.id}/accesos"
    for role in ("clerk", "inspector"):
        assert _get(staff[role], log).status_code == 403, role
    first = _get(staff["supervisor"], log)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "Registro de accesos" in page
    assert "Página 1 de 2" in page and "Consultó el expediente" in page
    assert f'href="{log}?pagina=2" rel="next"' in page
    second = _get(staff["supervisor"], f"{log}?pagina=2").get_data(as_text=True)
    assert "Mallory Intrusa" in second and "Rechazado (404)" in second  # oldest last
    assert other.email in second
    link = _get(staff["supervisor"], f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Registro de accesos al expediente" in link


@pytest.mark.parametrize("table", ["audit_events", "history_entries"])
def test_audit_and_history_rows_cannot_be_changed_or_deleted(app, app_ctx, table):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (the embedded SQLite has none)")
    application = _filed(make_applicant())
    make_staff("clerk", "0511", email="clerk@santatecla.example.sv")
    _get(_as(app, "clerk@santatecla.example.sv"), f"/bandeja/{application.id}")
    rows = sa.table(table, sa.column("action"))
    for statement in (sa.update(rows).values(action="x"), sa.delete(rows)):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(statement)
    db.session.expire_all()
    count = sa.select(sa.func.count()).select_from(rows)
    assert db.session.scalar(count.where(rows.c.action == "x")) == 0
    assert db.session.scalar(count) > 0
