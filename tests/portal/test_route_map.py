"""Every route declares who may reach it, and every case route refuses everyone else, audited.

The test walks `app.url_map`: a route missing from `portal.permissions.ROUTES` fails it, and so
does a route that takes parameters this test has no sample for. Each route that takes a case
(and a document or payment order of it) is asked by the applicant of another case, staff of
another authority, staff of the authority whose role may not do the route's task, and, with an
unfiled draft, by every staff role of the authority: each gets 403 or 404, and each refusal is
an audit row naming the path.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, url_for

from portal import permissions
from portal.accounts.models import AuditEvent
from portal.extensions import db
from tests.portal.helpers import login, make_applicant, make_staff, pdf_bytes
from tests.portal.test_back_office import _filed

STAFF_ROLES = ("clerk", "supervisor", "inspector", "admin")
#: Parameters of the routes that take no case (a new parameter needs a sample here).
SAMPLES = {
    "authority": "0511",
    "slug": "inscripcion-establecimiento",
    "code": "es",
    "filename": "css/app.css",
    "version": 1,
    "token": "not-a-real-token",
    "session_id": 1,
    "locale": "es",
    "year": 2026,
    "kind": "titulares",
    "record_id": 1,
    "representation_id": 1,
    "plan_id": 1,
    "report": "estados",
    "case_id": 1,
    "output": "documento",
    "row_id": 1,
    "opinion_id": 1,
    "section": "catalogo",
    "day_id": 1,
    "user_id": 1,
    "page": "salario-minimo",
}


def _open(client, path: str, method: str = "GET"):
    """One request as the client's own user: the tests' shared app context keeps
    Flask-Login's user in `g` from one request to the next, whichever client made it."""
    g.pop("_login_user", None)
    response = client.open(path, method=method, data={})
    response.close()
    return response


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _client_for(app, email: str | None):
    client = app.test_client()
    if email:
        login(client, email)
    return client


def _denials(path: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "access.denied", AuditEvent.subject == path
        )
    )


def _refused(client, method: str, path: str) -> int:
    before = _denials(path)
    response = _open(client, path, method)
    assert response.status_code in (403, 404), (method, path, response.status_code)
    assert _denials(path) == before + 1, f"the refusal of {method} {path} was not audited"
    return response.status_code


def test_every_route_declares_a_permission(app):
    missing = sorted(
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint not in permissions.ROUTES
    )
    assert not missing, (
        f"routes without a declared permission in portal.permissions.ROUTES: {missing}"
    )
    stale = sorted(set(permissions.ROUTES) - {r.endpoint for r in app.url_map.iter_rules()})
    assert not stale, f"declared permissions for routes that do not exist: {stale}"


def test_routes_without_a_case_refuse_who_they_declare(app, app_ctx):
    from portal.procedures.services import get_procedure

    make_applicant()
    make_staff("clerk", "0511", email="clerk@example.sv")
    anonymous = _client_for(app, None)
    applicant = _client_for(app, "ana@example.sv")
    clerk = _client_for(app, "clerk@example.sv")
    samples = {**SAMPLES, "procedure_id": get_procedure("0511", SAMPLES["slug"]).id}
    for rule in app.url_map.iter_rules():
        declared = permissions.ROUTES[rule.endpoint]
        if declared.who == permissions.CASE:
            continue
        unknown = rule.arguments - set(samples)
        assert not unknown, f"{rule.endpoint}: no test actor for its parameters {unknown}"
        with app.test_request_context():
            path = url_for(rule.endpoint, **{k: samples[k] for k in rule.arguments})
        for method in _methods(rule):
            response = _open(anonymous, path, method)
            status = response.status_code
            if declared.who == permissions.PUBLIC:
                assert status not in (401, 403), (rule.endpoint, status)
            elif declared.who == permissions.API_CLIENT:
                assert status == 401, (rule.endpoint, status)
            else:  # signed in, staff, admin: anonymous people are sent to sign in
                assert status == 302, (rule.endpoint, status)
                assert "/cuenta/entrar" in response.headers["Location"], rule.endpoint
            if declared.who in (permissions.STAFF, permissions.ADMIN):
                assert _open(applicant, path, method).status_code == 403, rule.endpoint
            if declared.who == permissions.ADMIN:
                assert _open(clerk, path, method).status_code == 403, rule.endpoint


def _world(app):
    """A filed registration of Ana (with documents and a payment order) and her unfiled draft."""
    from portal.applications.services import Upload, save_application, start_application
    from portal.payments.services import list_payment_orders
    from portal.procedures.services import get_procedure

    ana = make_applicant()
    filed = _filed(ana)
    draft = start_application(
        actor=ana,
        procedure=get_procedure("0511", "inscripcion-establecimiento"),
        token="borrador-0001",
    )
    save_application(
        actor=ana,
        application=draft,
        data={"nombre_comercial": "Borrador", "tipo_persona": "natural"},
        uploads={"dui_nit": Upload("dui.pdf", pdf_bytes())},
        submit=False,
    )
    make_applicant("otro@example.sv", "Otra Persona")
    make_staff("clerk", "0614", email="clerk.0614@example.sv")
    for role in STAFF_ROLES:
        make_staff(role, "0511", email=f"{role}.0511@example.sv")
    parts = _inspection_and_opinion(filed)
    db.session.expire_all()
    return {
        **parts,
        "filed": filed.id,
        "filed_document": filed.current_documents[0].id,
        "order": list_payment_orders(filed.id)[0].id,
        "draft": draft.id,
        "draft_document": db.session.get(type(draft), draft.id).current_documents[0].id,
    }


def _inspection_and_opinion(application) -> dict:
    """A scheduled visit, a recorded one with a photo, and an opinion, on the case."""
    from datetime import date

    from portal.extensions import utcnow
    from portal.inspections.models import InspectionPhoto, InspectionVisit
    from portal.opinions.models import Opinion
    from portal.review.models import Inspection

    inspector = make_staff("inspector", "0511", email="visitas.0511@example.sv")
    visit = InspectionVisit(
        application_id=application.id,
        inspector_id=inspector.id,
        status="scheduled",
        scheduled_for=date.today(),
        scheduled_by_id=inspector.id,
    )
    record = Inspection(
        application_id=application.id,
        inspector_id=inspector.id,
        visited_on=date.today(),
        result="conforme",
    )
    opinion = Opinion(
        application_id=application.id,
        institution="bomberos",
        question="¿Cumple?",
        requested_by_id=inspector.id,
        requested_on=date.today(),
        due_on=date.today(),
        answer_text="",
    )
    db.session.add_all([visit, record, opinion])
    db.session.flush()
    photo = InspectionPhoto(
        inspection_id=record.id,
        filename="foto.png",
        content_type="image/png",
        size=1,
        sha256="0" * 64,
        storage_key="inspections/none.png",
        uploaded_by_id=inspector.id,
        uploaded_at=utcnow(),
    )
    db.session.add(photo)
    db.session.commit()
    return {"visit": visit.id, "inspection": record.id, "photo": photo.id, "opinion": opinion.id}


def _case_paths(app, world: dict, case: str) -> list[tuple[str, str, permissions.Rule, str]]:
    """(endpoint, method, rule, path) for every case route, on the filed case or the draft."""
    values = {
        "application_id": world[case],
        "document_id": world[f"{case}_document"] if case == "draft" else world["filed_document"],
        "order_id": world["order"],
        "visit_id": world["visit"],
        "inspection_id": world["inspection"],
        "photo_id": world["photo"],
        "opinion_id": world["opinion"],
        "kind": "constancia",
        "issued_id": 1,  # an issued certificate (none on these cases: refused before)
        "number": 1,  # a step of a draft's form
    }
    out = []
    for rule in app.url_map.iter_rules():
        declared = permissions.ROUTES[rule.endpoint]
        if declared.who != permissions.CASE:
            continue
        unknown = rule.arguments - set(values)
        assert not unknown, f"{rule.endpoint}: no test actor for its parameters {unknown}"
        with app.test_request_context():
            path = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
        out.extend((rule.endpoint, m, declared, path) for m in _methods(rule))
    return out


def _may(email: str, application, task: str | None) -> bool:
    """Whether the one permission check lets this person do `task` on the case now."""
    from portal.accounts.models import User
    from portal.errors import NotAllowed

    user = db.session.scalar(sa.select(User).where(User.email == email))
    try:
        permissions.authorize(user, application, task)
    except NotAllowed:
        return False
    return True


def _task(declared: permissions.Rule, method: str) -> str | None:
    return declared.read if method == "GET" else declared.write


def test_case_routes_refuse_others_and_staff_without_the_role_and_audit_it(app, app_ctx):
    from portal.applications.models import Application

    world = _world(app)
    other_applicant = _client_for(app, "otro@example.sv")
    other_authority = _client_for(app, "clerk.0614@example.sv")
    staff = {role: _client_for(app, f"{role}.0511@example.sv") for role in STAFF_ROLES}
    filed = db.session.get(Application, world["filed"])
    checked_roles = 0
    for endpoint, method, declared, path in _case_paths(app, world, "filed"):
        assert _refused(other_applicant, method, path) in (403, 404), endpoint
        assert _refused(other_authority, method, path) == 404, endpoint
        task = _task(declared, method)
        for role, client in staff.items():
            if _may(f"{role}.0511@example.sv", filed, task):
                continue
            assert _refused(client, method, path) == 403, (endpoint, role)
            checked_roles += 1
    assert checked_roles >= 10  # payment, inspection, verdicts, access log, the applicant's own


def test_an_unfiled_draft_is_refused_to_every_staff_role_and_audited(app, app_ctx):
    world = _world(app)
    owner = _client_for(app, "ana@example.sv")
    staff = [_client_for(app, f"{role}.0511@example.sv") for role in STAFF_ROLES]
    make_staff("admin", "OPAMSS", email="admin.opamss@example.sv")  # sees every filed case
    staff.append(_client_for(app, "admin.opamss@example.sv"))
    paths = _case_paths(app, world, "draft")
    assert len(paths) >= 10
    for endpoint, method, _declared, path in paths:
        for client in staff:
            assert _refused(client, method, path) in (403, 404), endpoint
            if method == "GET":
                assert _open(client, path).status_code == 404, endpoint  # as if it did not exist
    document = f"/solicitudes/{world['draft']}/documentos/{world['draft_document']}"
    assert _open(owner, document).status_code == 200  # the draft is still its applicant's


def test_a_counter_draft_is_its_filing_clerks_alone_and_everyone_else_is_refused_audited(
    app, app_ctx
):
    """A draft a clerk opened at the counter: the clerk fills it as the citizen's agent; every
    other staff member (same office or another), the citizen's namesake applicants and the
    back-office routes refuse it, audited."""
    from portal.accounts.models import User
    from portal.applications.services import Upload, save_application
    from portal.procedures.services import get_procedure
    from portal.walkin.services import open_counter_draft

    world = _world(app)
    clerk = db.session.scalar(sa.select(User).where(User.email == "clerk.0511@example.sv"))
    opened = open_counter_draft(
        clerk=clerk,
        procedure=get_procedure("0511", "inscripcion-establecimiento"),
        token="ventanilla-route-map-0001",
        id_kind="dui",
        identifier="04567891-1",
        full_name="Pedro Antonio Ramírez",
    )
    save_application(
        actor=clerk,
        application=opened.application,
        data={"nombre_comercial": "En ventanilla", "tipo_persona": "natural"},
        uploads={"dui_nit": Upload("dui.pdf", pdf_bytes())},
        submit=False,
    )
    db.session.expire_all()
    counter = db.session.get(type(opened.application), opened.application.id)
    world |= {"draft": counter.id, "draft_document": counter.current_documents[0].id}
    filing_clerk = _client_for(app, "clerk.0511@example.sv")
    others = [_client_for(app, f"{role}.0511@example.sv") for role in STAFF_ROLES[1:]]
    others += [_client_for(app, "clerk.0614@example.sv"), _client_for(app, "otro@example.sv")]
    make_staff("clerk", "0511", email="colega.0511@example.sv")  # same office, not the agent
    others.append(_client_for(app, "colega.0511@example.sv"))
    for endpoint, method, declared, path in _case_paths(app, world, "draft"):
        for client in others:
            assert _refused(client, method, path) in (403, 404), endpoint
        if declared.staff_only:
            assert _refused(filing_clerk, method, path) == 404, endpoint
    for path in (
        f"/borradores/{counter.id}/paso/1",
        f"/borradores/{counter.id}/revisar",
        f"/solicitudes/{counter.id}/documentos/{world['draft_document']}",
    ):
        assert _open(filing_clerk, path).status_code == 200, path
