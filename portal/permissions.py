"""Who may do what on a case, and the permission every route declares: one place for both.

`authorize(actor, application, task)` is the one check that every view (through the route
table below) and every service that changes a case asks. Its answers come from the actor's
authority scope and from the case's pinned definition: the transitions the role may take from
the current state (`workflows.may_act`) and the staff tasks that feed their guards
(`workflows.allowed_tasks`). Nothing here names a state, an action or a guard of a procedure.

`ROUTES` declares, by endpoint, who may reach each route; `enforce` applies it before every
request, audits each refusal on a case (403/404) and each staff read of a case file or
document. A route missing from the table is refused (and fails `tests/portal/test_route_map.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NoReturn

import sqlalchemy as sa
from flask import (
    abort,
    after_this_request,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

import workflows
from forms.messages import message_for
from portal.accounts import web_session
from portal.accounts.models import User
from portal.applications.models import Application, Document, HistoryEntry
from portal.authorities.models import Authority
from portal.authorities.services import scope_ids
from portal.errors import NotAllowed, NotFound
from portal.extensions import db, utcnow
from portal.procedures.models import Procedure
from portal.procedures.services import definition_of
from portal.two_factor import services as two_factor
from workflows.guards import (
    RECORD_INSPECTION,
    RECORD_OPINION,
    RECORD_PAYMENT,
    RECORD_VERDICTS,
    REQUEST_OPINION,
    SCHEDULE_INSPECTION,
)

log = logging.getLogger(__name__)

# Case tasks besides the engine's staff tasks (workflows.STAFF_TASKS).
READ = "read"  # see the case file and its documents
EDIT = "edit"  # change the application's data and files (the applicant, where the state allows)
OWN = "own"  # post the applicant's own form; `EDIT` is then checked under lock by the service,
# so a double submission after filing gets the status page, not a refusal
ANSWER = "answer"  # post the applicant's form of a case (a draft, or a correction): as `OWN`,
# and also a counter agent's while the counter account owns the case (`counter_case_agent`);
# `EDIT` is then checked under lock (a correction sent twice gets the status page)
ACT = "act"  # take a workflow action (which one is the engine's to decide)
ACCESS_LOG = "access_log"  # read who opened the case and who was refused
#: Staff roles that read a case's access log (oversight of their office, not of a procedure).
ACCESS_LOG_ROLES = frozenset({"supervisor", "admin"})
#: Staff roles that read the reports of their scope (portal.reports).
REPORT_ROLES = frozenset({"supervisor", "admin"})
#: Staff roles that file for a citizen at the counter (ventanilla, `portal.walkin`).
COUNTER_ROLES = frozenset({"clerk", "supervisor"})
CLAIM = "claim"  # take an open case the role acts on (portal.assignment.services)
ASSIGN = "assign"  # give an open case to a person of the scope, or take it from them
#: Staff roles that assign cases, see the whole office's queue and its workload.
OFFICE_VIEW_ROLES = frozenset({"supervisor", "admin"})


def role_on(application: Application, actor: User) -> str | None:
    """Return the role the actor plays on this case, or None when it is not theirs to see.

    Staff see filed cases of their authority and its children (OPAMSS admins: all); a draft
    belongs to its applicant alone until it is filed, except a draft opened at the counter,
    on which the clerk who opened it acts as the citizen's agent (`counter_agent`).

    A test case (`Application.is_test`) is no one's but the admin's playing a role on it in
    test mode (`portal.testcases.services.TestActor`, `test_role`), and such a player sees no
    real case: neither ever crosses into the other.
    """
    playing = getattr(actor, "test_role", None)
    if application.is_test or playing is not None:
        on_it = playing is not None and application.is_test
        return playing if on_it and actor.test_case_id == application.id else None
    if actor.is_staff:
        if actor.authority_id is None:
            return None
        if application.filed_at is None:
            return "applicant" if counter_agent(actor, application) else None
        scope = staff_scope(actor)
        if scope is not None and application.authority_id not in scope:
            return None
        return acting_role(actor, application)
    return "applicant" if application.applicant_id == actor.id else None


def staff_roles(actor: User) -> tuple[str, ...]:
    """The staff roles the actor holds (several for some people), in `ROLES` order."""
    return tuple(role for role in actor.roles if role != "applicant")


def acting_role(actor: User, application: Application) -> str:
    """The role a staff member plays on a case they see: of the roles they hold, the first one
    that acts in the case's current state (read from its definition), else their first role.

    A person holding one role always plays it; the definition is read only for several.
    """
    roles = staff_roles(actor)
    if len(roles) < 2:
        return actor.role
    state = definition_of(application.procedure_version).state(application.state)
    return next((role for role in roles if role in state.roles), actor.role)


def staff_scope(actor: User) -> set[int] | None:
    """Return the ids of the authorities whose cases a staff member sees; None means all.

    Their authority and its descendants; an OPAMSS admin (the metropolitan office) sees every
    authority's. Someone who is not staff sees no authority's (an empty set).
    """
    if not actor.is_staff or actor.authority_id is None:
        return set()
    authority = db.session.get(Authority, actor.authority_id)
    if authority.kind == "metropolitan_office" and actor.has_role("admin"):
        return None
    return scope_ids(actor.authority_id)


def counter_agent(actor: User, application: Application) -> bool:
    """Whether the actor acts on this case as the citizen's agent at the counter, now.

    The same rule as filing at the counter (`portal.walkin`): a clerk or supervisor
    (`COUNTER_ROLES`) whose scope holds the case's authority, and:

    - an unfiled draft: the one who opened it at the counter (another clerk, even of the same
      office, is not the agent of someone else's draft);
    - a filed case its counter account still owns (`counter_case_agent`), in a state where the
      applicant edits the case and acts (`applicant_acts_in`: answering a correction request):
      any such clerk of the office, since the citizen may come back to another one. Once the
      citizen claims the case, only they act on it.

    Such an agent plays the applicant's role on the applicant's form (`ANSWER`, `EDIT`);
    everywhere else they keep their staff role (the back office; withdrawing, paying...).
    """
    if application.filed_at is None:
        from portal.walkin.models import WalkIn

        if not _counter_staff_of(actor, application):
            return False
        clerk_id = db.session.scalar(
            sa.select(WalkIn.clerk_id).where(WalkIn.application_id == application.id)
        )
        return clerk_id == actor.id
    return counter_case_agent(actor, application) and applicant_acts_in(
        definition_of(application.procedure_version), application.state
    )


def counter_case_agent(actor: User, application: Application) -> bool:
    """Whether the actor is counter staff of the scope of a filed case its counter account
    still owns (unclaimed, not filed for a registered person), whatever its state."""
    from portal.walkin.contact import counter_record

    return (
        application.filed_at is not None
        and _counter_staff_of(actor, application)
        and counter_record(application) is not None
    )


def _counter_staff_of(actor: User, application: Application) -> bool:
    """A clerk or supervisor whose scope holds the case's authority (who files there)."""
    return (
        actor.has_role(*COUNTER_ROLES)
        and actor.authority_id is not None
        and application.authority_id in scope_ids(actor.authority_id)
    )


def applicant_acts_in(definition: workflows.Definition, state: str) -> bool:
    """Whether the applicant edits the case and acts in `state` (read from the definition)."""
    return definition.state(state).applicant_can_edit and workflows.may_act(
        definition, state, "applicant"
    )


def acting_at_counter(actor: User, application: Application) -> bool:
    """Whether a staff member acts on this case as the citizen's agent at the counter."""
    return actor.is_staff and counter_agent(actor, application)


def authorize(actor: User, application: Application, task: str) -> str:
    """Return the actor's role on the case if they may do `task` on it now.

    Args:
        actor: The signed-in person.
        application: The case, in the state it has now (lock it first when about to change it).
        task: READ, OWN, ANSWER, EDIT (the applicant's; a counter agent plays the applicant
            for the last two, `counter_agent`), ACT, ACCESS_LOG, CLAIM (the role acts in the
            case's open state), ASSIGN (a supervisor or admin, open state) or one of
            `workflows.STAFF_TASKS`.

    Raises:
        NotFound: the case is not the actor's to see (another's case, another authority's,
            someone's unfiled draft): answer 404.
        NotAllowed: `role_not_allowed`: they see it but their role may not do `task` in
            its current state: answer 403.
    """
    role = role_on(application, actor)
    if role is None:
        raise NotFound("not_your_case")
    if role != "applicant" and (
        (task == EDIT and counter_agent(actor, application))
        or (task == ANSWER and counter_case_agent(actor, application))
    ):
        role = "applicant"  # the citizen's agent at the counter, on the applicant's form
    if task == READ:
        return role
    # A person holding several staff roles may do what any of them may (the acting one first).
    candidates = [role] if role == "applicant" else [role, *staff_roles(actor)]
    for candidate in dict.fromkeys(candidates):
        if _role_may(candidate, application, task):
            return candidate
    raise NotAllowed("role_not_allowed", role=role, task=task)


def role_for_action(actor: User, application: Application, action: str, role: str) -> str:
    """The role in which the actor takes `action` on the case: `role` (what `authorize` gave),
    or another role they hold whose transition out of the current state takes `action`."""
    if role == "applicant":
        return role
    transitions = definition_of(application.procedure_version).transitions_from(application.state)
    takers = {r for t in transitions if t.action == action for r in t.roles}
    if role in takers:
        return role
    return next((r for r in staff_roles(actor) if r in takers), role)


def _role_may(role: str, application: Application, task: str) -> bool:
    if task == ACCESS_LOG:
        return role in ACCESS_LOG_ROLES
    if task in (OWN, ANSWER):
        return role == "applicant"
    definition = definition_of(application.procedure_version)
    if task == EDIT:
        return role == "applicant" and definition.state(application.state).applicant_can_edit
    if task == ACT:
        return workflows.may_act(definition, application.state, role)
    if task in (CLAIM, ASSIGN):
        state = definition.state(application.state)
        return not state.is_final and (
            role in state.roles if task == CLAIM else role in OFFICE_VIEW_ROLES
        )
    return task in workflows.allowed_tasks(definition, application.state, role)


def allowed_tasks(actor: User, application: Application) -> frozenset[str]:
    """Return the staff tasks (`workflows.STAFF_TASKS`) the actor may do on the case now."""
    role = role_on(application, actor)
    if role is None:
        return frozenset()
    roles = [role] if role == "applicant" else [role, *staff_roles(actor)]
    definition = definition_of(application.procedure_version)
    tasks = frozenset().union(
        *(workflows.allowed_tasks(definition, application.state, r) for r in roles)
    )
    return tasks | ({ACCESS_LOG} if any(r in ACCESS_LOG_ROLES for r in roles) else set())


# ---------------------------------------------------------------- the route table

PUBLIC, API_CLIENT, SIGNED_IN, STAFF, ADMIN, CASE = (
    "public", "api_client", "signed_in", "staff", "admin", "case",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """Who may reach a route.

    Attributes:
        who: PUBLIC, API_CLIENT (the view checks its bearer token), SIGNED_IN, STAFF, ADMIN,
            or CASE (the route takes `application_id`; `authorize` decides).
        read: The case task a GET asks for.
        write: The case task any other method asks for.
        staff_only: Only staff use the route (the back office).
        under_lock: The service asks `write` again under the case's lock; a refused form
            that was made for an earlier version of the case goes on to the service, which
            tells the person that someone acted first (409) rather than "not allowed".
        after_discard: A POST on the person's own draft that they deleted reaches the view
            (deleting twice, back then send again, is answered as the first time); anyone
            else, and every GET, still gets 404.
        second_step: Reachable between the password and the second factor (the second step
            itself, and signing out); every other signed-in route sends staff who still owe
            that step to it first (portal/two_factor).
    """

    who: str
    read: str | None = None
    write: str | None = None
    staff_only: bool = False
    under_lock: bool = False
    after_discard: bool = False
    second_step: bool = False


def _case(
    read: str | None,
    write: str | None = None,
    *,
    staff_only: bool = False,
    under_lock=False,
    after_discard=False,
) -> Rule:
    return Rule(CASE, read, write, staff_only, under_lock, after_discard)


ROUTES: dict[str, Rule] = {
    "static": Rule(PUBLIC),
    "main.index": Rule(PUBLIC),
    "main.set_language": Rule(PUBLIC),
    "main.healthz": Rule(PUBLIC),
    "main.accessibility": Rule(PUBLIC),
    "main.privacy": Rule(PUBLIC),
    "accounts.register": Rule(PUBLIC),
    "accounts.login": Rule(PUBLIC),
    "accounts.logout": Rule(SIGNED_IN, second_step=True),
    "accounts.check_email": Rule(PUBLIC),
    "accounts.confirm": Rule(PUBLIC),
    "accounts.forgot_password": Rule(PUBLIC),
    "accounts.reset_password": Rule(PUBLIC),
    "accounts.sessions_page": Rule(SIGNED_IN),
    "accounts.end_other_sessions": Rule(SIGNED_IN),
    "accounts.end_session": Rule(SIGNED_IN),
    "accounts.change_password": Rule(SIGNED_IN),
    "catalogue.index": Rule(PUBLIC),
    "catalogue.detail": Rule(PUBLIC),
    "catalogue.diagram": Rule(PUBLIC),
    "certificates.verify_form": Rule(PUBLIC),
    "authorities.calendar_index": Rule(PUBLIC),
    "authorities.calendar": Rule(PUBLIC),
    "authorities.calendar_this_year": Rule(PUBLIC),
    "certificates.verify": Rule(PUBLIC),
    "certificates.verify_with_slash": Rule(PUBLIC),
    "certificates.verify_file": Rule(PUBLIC),
    "certificates.verify_file_address": Rule(PUBLIC),
    "simdet.events": Rule(API_CLIENT),
    "admin.procedures": Rule(ADMIN),
    "admin.version": Rule(ADMIN),
    "admin.diagram": Rule(ADMIN),
    # The version lifecycle (portal.admin.versions): the services scope every id to the
    # admin's authorities; anything else answers 404, audited (portal.admin.views.not_found).
    "admin.create_draft": Rule(ADMIN),
    "admin.clone_elsewhere": Rule(ADMIN),
    "admin.retire": Rule(ADMIN),
    "admin.delete_draft": Rule(ADMIN),
    "admin.publish": Rule(ADMIN),
    "admin.edit_source": Rule(ADMIN),
    "admin.compare": Rule(ADMIN),
    "admin.export": Rule(ADMIN),
    "admin.import_file": Rule(ADMIN),
    "admin.copy_from_elsewhere": Rule(ADMIN),
    # Test mode: a draft out of the admin's scope answers 404, audited (portal.admin.test_views).
    "admin.test_cases": Rule(ADMIN),
    "admin.new_test_case": Rule(ADMIN),
    "admin.test_case_form": Rule(ADMIN),
    "admin.test_case": Rule(ADMIN),
    "admin.test_case_act": Rule(ADMIN),
    "admin.test_case_task": Rule(ADMIN),
    "admin.test_case_pdf": Rule(ADMIN),
    "admin.test_case_deadline": Rule(ADMIN),
    "admin.test_case_opinion_request": Rule(ADMIN),
    "admin.test_case_opinion_answer": Rule(ADMIN),
    "admin.edit_draft": Rule(ADMIN),
    "admin.draft_diagram": Rule(ADMIN),
    "admin.certificate_preview": Rule(ADMIN),
    # The editors' live estimate, diagram and notice previews (POST, CSRF, nothing saved).
    "admin.live_estimate": Rule(ADMIN),
    "admin.live_diagram": Rule(ADMIN),
    "admin.live_notices": Rule(ADMIN),
    # Reference data (issue 11 item 7): another authority's calendar answers 404, audited; a
    # municipal admin's POST of national values (wages, MYPE, CLAEES) 403, audited.
    "admin.calendars_index": Rule(ADMIN),
    "admin.calendar": Rule(ADMIN),
    "admin.calendar_day": Rule(ADMIN),
    "admin.calendar_settings": Rule(ADMIN),
    "admin.reference_index": Rule(ADMIN),
    "admin.wages": Rule(ADMIN),
    "admin.mype": Rule(ADMIN),
    # A national version not yet in force: corrected or withdrawn (one in force: 404, audited).
    "admin.reference_version": Rule(ADMIN),
    "admin.reference_withdraw": Rule(ADMIN),
    "admin.regimes": Rule(ADMIN),
    "admin.claees": Rule(ADMIN),
    "admin.reasons": Rule(ADMIN),
    # Staff and roles, the audit log: a person out of the admin's scope answers 404, audited.
    "staff.index": Rule(ADMIN),
    "staff.create": Rule(ADMIN),
    "staff.person": Rule(ADMIN),
    "staff.deactivate": Rule(ADMIN),
    "staff.reactivate": Rule(ADMIN),
    "staff.reset_second_factor": Rule(ADMIN),
    "staff.reassign": Rule(ADMIN),
    "staff.audit_log": Rule(ADMIN),
    "applications.index": Rule(SIGNED_IN),
    "applications.start": Rule(SIGNED_IN),
    "plans.questionnaire": Rule(PUBLIC),
    "plans.result": Rule(PUBLIC),
    # A plan is its owner's: the view answers another's with `deny` (404, audited).
    "plans.save": Rule(SIGNED_IN),
    "plans.index": Rule(SIGNED_IN),
    "plans.dashboard": Rule(SIGNED_IN),
    "plans.start": Rule(SIGNED_IN),
    # The applicant's form: also the counter agent's for an unclaimed counter case (ANSWER).
    "applications.edit": _case(READ, ANSWER),
    "applications.status": _case(READ),
    "applications.withdraw": _case(None, OWN),
    "applications.confirm_withdraw": _case(READ),
    "applications.renew": _case(None, OWN),
    "tracking.lookup": Rule(PUBLIC),
    "notifications.index": Rule(SIGNED_IN),
    "applications.choose_subject": _case(None, OWN),
    "applications.document": _case(READ),
    "applications.issued_pdf": _case(READ),
    # The applicant's records: a record not theirs answers 404, audited (portal.subjects.views).
    "subjects.index": Rule(SIGNED_IN),
    "subjects.edit": Rule(SIGNED_IN),
    "subjects.invite": Rule(SIGNED_IN),
    "subjects.revoke": Rule(SIGNED_IN),
    "subjects.accept": Rule(SIGNED_IN),
    "payments.order_pdf": _case(READ),
    "payments.pay_online": _case(None, OWN),
    # The demonstration gateway: a signed token is the key, as at a real gateway's page.
    "payments.simulator": Rule(PUBLIC),
    # A provider's server: the body's HMAC signature is checked by the view (403, audited).
    "payments_api.notification": Rule(PUBLIC),
    "drafts.step": _case(READ, OWN),
    # A clerk's second "Presentar" of a counter draft just filed (stale lock_version) reaches
    # the view, which shows the counter receipt instead of refusing it.
    "drafts.check": _case(READ, OWN, under_lock=True),
    "drafts.answers": _case(None, OWN),
    "drafts.upload": _case(None, OWN),
    "drafts.delete": _case(READ, OWN, after_discard=True),
    "review.queue": Rule(STAFF),
    "review.case": _case(READ, ACT, staff_only=True, under_lock=True),
    "review.verdicts": _case(None, RECORD_VERDICTS, staff_only=True),
    "review.inspection": _case(None, RECORD_INSPECTION, staff_only=True),
    "review.payment": _case(None, RECORD_PAYMENT, staff_only=True),
    "review.access_log": _case(ACCESS_LOG, staff_only=True),
    # Supervisors and admins only (REPORT_ROLES): the view refuses other staff, audited.
    "reports.index": Rule(STAFF),
    "reports.download": Rule(STAFF),
    # The counter: clerks and supervisors file for a citizen (the view refuses other staff,
    # and a procedure out of their scope answers 404, audited).
    "walkin.counter": Rule(STAFF),
    "walkin.receipt": _case(READ, staff_only=True),
    # A citizen claims a counter case with the receipt's code (rate-limited; staff refused).
    "claims.claim": Rule(SIGNED_IN),
    # Inspections: the inspector's own visits; a scheduled visit is recorded by its inspector
    # alone (the service refuses another, 403 audited).
    "inspections.queue": Rule(STAFF),
    "inspections.schedule": _case(None, SCHEDULE_INSPECTION, staff_only=True),
    "inspections.reschedule": _case(None, SCHEDULE_INSPECTION, staff_only=True),
    "inspections.cancel": _case(None, SCHEDULE_INSPECTION, staff_only=True),
    # The view lets only the visit's inspector in (audited refusal for anyone else) and
    # explains a visit scheduled ahead of the inspection state; the service asks
    # `record_inspection` under the case's lock before storing anything.
    "inspections.record": _case(READ, READ, staff_only=True),
    "inspections.photo": _case(READ, staff_only=True),
    # External opinions (dictámenes of other institutions).
    "opinions.request_opinion": _case(None, REQUEST_OPINION, staff_only=True),
    "opinions.answer": _case(None, RECORD_OPINION, staff_only=True),
    "opinions.cancel": _case(None, RECORD_OPINION, staff_only=True),
    "opinions.document": _case(READ, staff_only=True),
    # Staff sign-in's second factor (applicants never see it: 403).
    "two_factor.verify": Rule(STAFF, second_step=True),
    "two_factor.recover": Rule(STAFF, second_step=True),
    "two_factor.enrol": Rule(STAFF, second_step=True),
    "two_factor.manage": Rule(STAFF),
    "two_factor.regenerate": Rule(STAFF),
    "two_factor.disable": Rule(STAFF),
    # Internal notes: any staff who may see the case may add one (append-only).
    "review.note": _case(None, READ, staff_only=True),
    # The service asks the definition's `certificate.revoke_roles` (403, audited, otherwise).
    "review.issued_document": _case(None, READ, staff_only=True),
    "review.claim": _case(None, CLAIM, staff_only=True),
    "review.assign": _case(None, ASSIGN, staff_only=True),
    # Supervisors and admins (OFFICE_VIEW_ROLES); the view answers other staff 403.
    "review.workload": Rule(STAFF),
}


def enforce():
    """Apply the route's declared rule before its view runs (a `before_request` hook)."""
    if request.endpoint is None:
        return None  # no such route: the 404 page
    rule = ROUTES.get(request.endpoint)
    if rule is None:
        log.error("route %s declares no permission: refused", request.endpoint)
        abort(403)
    if rule.who in (PUBLIC, API_CLIENT):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if (rule.who == STAFF and not current_user.is_staff) or (
        rule.who == ADMIN and not current_user.has_role("admin")
    ):
        abort(403)
    if current_user.is_staff and not rule.second_step:
        owed = _second_step_owed()
        if owed is not None:
            return owed
    if rule.who == CASE:
        _gate_case(rule)
    return None


def _second_step_owed():
    """Send staff who passed the password but still owe the second factor to that step."""
    step = two_factor.pending_step(user=current_user, session_token=web_session.current_token())
    if step is None:
        return None
    back = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None
    endpoint = "two_factor.enrol" if step == two_factor.ENROL else "two_factor.verify"
    return redirect(url_for(endpoint, next=back))


def load_application(application_id: int) -> Application | None:
    """Load a case with what its pages show (no permission check: `authorize` is the check).

    A deleted or expired draft is no case (None: 404), as if it never existed.
    """
    from portal.drafts.retention import is_expired

    application = db.session.scalar(
        sa.select(Application)
        .where(Application.id == application_id, Application.discarded_at.is_(None))
        .options(
            joinedload(Application.procedure).joinedload(Procedure.authority),
            joinedload(Application.procedure_version),
            joinedload(Application.district),
            joinedload(Application.applicant),
            selectinload(Application.documents),
            selectinload(Application.history).joinedload(HistoryEntry.actor),
        )
    )
    return None if application is None or is_expired(application, utcnow()) else application


def _gate_case(rule: Rule) -> None:
    task = rule.read if request.method in ("GET", "HEAD") else rule.write
    args = request.view_args or {}
    application = load_application(args["application_id"])
    if application is None and rule.after_discard and request.method == "POST":
        deleted = _own_deleted_draft(args["application_id"])
        if deleted is not None:
            g.case, g.case_role = deleted, "applicant"
            return
    try:
        if rule.staff_only and not current_user.is_staff:
            raise NotAllowed("staff_only")
        if application is None or task is None:
            raise NotFound("not_found")
        if rule.staff_only and application.filed_at is None:
            # The back office works on filed cases; a counter draft is its clerk's form alone.
            raise NotFound("not_filed")
        role = authorize(current_user, application, task)
        _check_parts(application, args)
    except NotAllowed as refused:
        if not (rule.under_lock and not isinstance(refused, NotFound) and _stale(application)):
            deny(refused, application.id if application else None, task)
        role = role_on(application, current_user)  # the service will say "someone acted first"
    g.case, g.case_role = application, role
    if role != "applicant" and task == READ and request.method in ("GET", "HEAD"):
        after_this_request(_audit_read(application.id, args.get("document_id")))


def _own_deleted_draft(application_id: int) -> Application | None:
    """The signed-in person's own draft that they deleted, or None."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Application).where(
            Application.id == application_id,
            Application.applicant_id == current_user.id,
            Application.discarded_at.is_not(None),
            Application.tracking_number.is_(None),
        )
    )


def _stale(application: Application) -> bool:
    """The posted form was made for an earlier version of the case (someone acted since)."""
    posted = request.form.get("lock_version", "")
    return posted.isdigit() and int(posted) != application.lock_version


def _audit_read(application_id: int, document_id: int | None):
    """Record a staff read once the file or page was served (after the view, so the case
    loaded for it stays loaded)."""

    def record(response):
        from portal.audit import services as audit

        if response.status_code == 200:
            audit.record_read(
                actor=current_user,
                application_id=application_id,
                target=request.path,
                document_id=document_id,
                ip=request.remote_addr,
            )
        return response

    return record


def deny(refused: NotAllowed, application_id: int | None, task: str | None) -> NoReturn:
    """Audit a refusal on a case, then answer it: 404 (not theirs to see) or a 403 page."""
    if audit_denial(refused, application_id, task) == 404:
        abort(404)
    page = render_template("errors/403.html", reasons=[message_for("role_not_allowed")])
    abort(current_app.make_response((page, 403)))


def audit_denial(refused: NotAllowed, application_id: int | None, task: str | None) -> int:
    """Record a refusal on a case (its own transaction); return its status, 404 or 403."""
    from portal.audit import services as audit

    status = 404 if isinstance(refused, NotFound) else 403
    audit.record_denial(
        actor=current_user,
        application_id=application_id,
        target=request.path,
        status=status,
        reason=refused.code,
        task=task,
        ip=request.remote_addr,
    )
    return status


def _check_parts(application: Application, args: dict) -> None:
    """A document, payment order, visit, inspection or opinion named in the URL must belong
    to the case named with it; a photo, to the inspection named with it."""
    from portal.inspections.models import InspectionPhoto, InspectionVisit
    from portal.opinions.models import Opinion
    from portal.payments.models import PaymentOrder
    from portal.review.models import Inspection

    parts = (
        ("document_id", Document),
        ("order_id", PaymentOrder),
        ("inspection_id", Inspection),
        ("visit_id", InspectionVisit),
        ("opinion_id", Opinion),
    )
    for key, model in parts:
        if key in args:
            part = db.session.get(model, args[key])
            if part is None or part.application_id != application.id:
                raise NotFound("not_found")
    if "photo_id" in args:
        photo = db.session.get(InspectionPhoto, args["photo_id"])
        if photo is None or photo.inspection_id != args.get("inspection_id"):
            raise NotFound("not_found")


def current_case() -> Application:
    """The case the route's rule loaded and authorized for this request."""
    return g.case
