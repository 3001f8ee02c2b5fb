"""Test cases on a draft version: file one, act on it as any role, read what it produced.

A test case is an ordinary case flagged `Application.is_test`, on the draft version, whose
applicant is the admin who filed it. The admin plays each role of the definition through a
`TestActor`, so the case runs through the same services and engine as real ones
(`portal.applications.services`, `portal.review.services`); `portal.permissions.role_on` lets
a player act on that one test case only. No reader outside test mode sees it (`real_cases`),
its e-mails are captured (`portal.testcases.mail`), its PDFs are stamped and unsigned
(`portal.pdf.render_into`), and publishing the draft deletes it (`delete_test_cases`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

import workflows
from portal.accounts.models import User
from portal.applications.facts import facts_for
from portal.applications.models import Application, HistoryEntry
from portal.applications.services import act_on_application
from portal.certificates.models import IssuedDocument
from portal.errors import Conflict, NotAllowed, NotFound
from portal.extensions import db, utcnow
from portal.payments.models import PaymentOrder
from portal.procedures.models import ProcedureVersion
from portal.procedures.services import definition_of
from portal.storage import storage
from portal.testcases.models import TestMail
from workflows.breaches import DueBreach
from workflows.guards import (
    RECORD_INSPECTION,
    RECORD_OPINION,
    RECORD_PAYMENT,
    RECORD_VERDICTS,
    REQUEST_OPINION,
    review_items,
)

#: The role of the person who files (the definition's applicant role).
APPLICANT = "applicant"
#: Staff tasks test mode performs for the role playing them (others are listed, not offered).
TASKS = (RECORD_VERDICTS, RECORD_INSPECTION, RECORD_PAYMENT)
#: What a test inspection's record says.
TEST_INSPECTION_NOTES = "Inspección de prueba"
#: What a test payment is recorded with (the counter receipt's number).
TEST_PAYMENT_REFERENCE = "PRUEBA"
#: The file name of the answer test mode generates for an institution consulted.
TEST_OPINION_FILENAME = "respuesta-de-prueba.pdf"
#: Columns that name a stored file (`portal.storage`) on the rows a case produces.
FILE_COLUMNS = ("storage_key", "pdf_key", "document_key")


@dataclass(frozen=True)
class TestActor:
    """The admin playing `test_role` on the test case `test_case_id`, for the services.

    It reads as the admin (id, name, authority) with the role it plays; `role_on` gives it
    that role on that test case and no role on any other case.
    """

    __test__ = False  # not a pytest class

    admin: User
    test_role: str
    test_case_id: int

    @property
    def role(self) -> str:
        return self.test_role

    @property
    def roles(self) -> tuple[str, ...]:
        """The one role played: never the admin's own roles (`User.roles`)."""
        return (self.test_role,)

    def has_role(self, *names: str) -> bool:
        return self.test_role in names

    @property
    def is_staff(self) -> bool:
        return self.test_role != APPLICANT

    def __getattr__(self, name: str):
        return getattr(self.admin, name)


def playing(admin: User, application: Application, role: str) -> TestActor:
    return TestActor(admin=admin, test_role=role, test_case_id=application.id)


# ---------------------------------------------------------------- queries


def testable(version: ProcedureVersion) -> workflows.Definition | None:
    """The draft's definition when it can run cases; None when its file does not load (a
    draft with such problems is fixed before it is tested)."""
    try:
        return definition_of(version)
    except workflows.InvalidDefinition:
        return None


def list_test_cases(version: ProcedureVersion) -> list[Application]:
    """The draft's test cases, newest first (the last is number 1, `test_case_number`)."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.procedure_version_id == version.id, Application.is_test)
            .order_by(Application.id.desc())
        )
    )


def test_case_number(application: Application) -> int:
    """The test case's number within its draft (1, 2, …, in the order they were started), as
    the list of the draft's test cases counts them; computed, nothing stored."""
    return db.session.scalar(
        sa.select(sa.func.count(Application.id)).where(
            Application.procedure_version_id == application.procedure_version_id,
            Application.is_test,
            Application.id <= application.id,
        )
    )


def get_test_case(version: ProcedureVersion, application_id: int) -> Application | None:
    """The test case `application_id` of this draft, with what its page shows; None if not."""
    return db.session.scalar(
        sa.select(Application)
        .where(
            Application.id == application_id,
            Application.procedure_version_id == version.id,
            Application.is_test,
        )
        .options(
            joinedload(Application.authority),
            joinedload(Application.procedure_version),
            selectinload(Application.documents),
            selectinload(Application.history).joinedload(HistoryEntry.actor),
        )
    )


@dataclass(frozen=True)
class RoleActions:
    """What one role of the definition may do on the test case now.

    Attributes:
        role: The role's code.
        transitions: The transitions from the current state that name the role (guards not
            checked: firing one that is refused says why).
        available: The actions among them whose guards pass now.
        tasks: The staff tasks (`TASKS`) the role may perform in this state.
    """

    role: str
    transitions: tuple
    available: frozenset[str]
    tasks: tuple[str, ...]
    requests_opinion: bool = False


def roles_of(definition: workflows.Definition) -> list[str]:
    """Every role the definition's workflow names, the applicant first, in order of use."""
    found: list[str] = []
    for transition in definition.transitions:
        for role in transition.roles:
            if role not in found:
                found.append(role)
    return sorted(found, key=lambda role: role != APPLICANT)


def actions_by_role(application: Application) -> list[RoleActions]:
    """For each role of the definition, the actions it may take on the case now."""
    definition = definition_of(application.procedure_version)
    out = []
    for role in roles_of(definition):
        transitions = tuple(
            t for t in definition.transitions_from(application.state) if role in t.roles
        )
        facts = facts_for(application, role)
        available = frozenset(
            t.action for t in workflows.available_actions(definition, application.state, facts)
        )
        allowed = workflows.allowed_tasks(definition, application.state, role)
        tasks = tuple(task for task in TASKS if task in allowed)
        asks = role != APPLICANT and REQUEST_OPINION in allowed  # staff consult, as `_authorized`
        if transitions or tasks or asks:
            out.append(RoleActions(role, transitions, available, tasks, asks))
    return out


def opinion_recorder(application: Application) -> str | None:
    """The role that records an institution's answer on the case now (`record_opinion`, as
    real staff do), the first the definition names; None when no role may."""
    definition = definition_of(application.procedure_version)
    return next(
        (
            role
            for role in roles_of(definition)
            if role != APPLICANT
            and RECORD_OPINION in workflows.allowed_tasks(definition, application.state, role)
        ),
        None,
    )


def pending_deadline(application: Application) -> DueBreach | None:
    """The next breach action the daily sweep would apply to the case, with its day; None
    when no deadline with an action runs (not filed, decided, final, or none left).

    Read from the definition and the case's clocks as the sweep reads them
    (`portal.deadlines.services.sweep_case`): of the actions not applied in this visit of the
    state (the procedure's: ever), the one that fires first.
    """
    from portal.applications import clocks

    if application.tracking_number is None or application.decided_at is not None:
        return None
    definition = definition_of(application.procedure_version)
    if definition.state(application.state).is_final:
        return None
    calendar = clocks.calendar_of(application)
    applied = clocks.applied_breach_keys(application)
    pending = [
        due
        for due in clocks.schedule_of(application, definition, calendar)
        if due.key not in applied
    ]
    return min(pending, key=lambda due: due.fires_on, default=None)


def local_today() -> date:
    from portal.applications.effects import local_now

    return local_now().date()


def produced(application: Application) -> dict:
    """The e-mails and PDFs the test case produced, oldest first."""
    return {
        "mails": list(
            db.session.scalars(
                sa.select(TestMail)
                .where(TestMail.application_id == application.id)
                .order_by(TestMail.id)
            )
        ),
        "documents": list(
            db.session.scalars(
                sa.select(IssuedDocument)
                .where(IssuedDocument.application_id == application.id)
                .order_by(IssuedDocument.id)
            )
        ),
        "orders": list(
            db.session.scalars(
                sa.select(PaymentOrder)
                .where(PaymentOrder.application_id == application.id)
                .order_by(PaymentOrder.id)
            )
        ),
    }


def pdf_of(application: Application, kind: str, row_id: int) -> bytes | None:
    """The stored PDF of the case's issued document (`kind` "documento"), payment order
    ("mandamiento") or the generated answer of an institution consulted ("opinion")
    `row_id`; None when not the case's or not rendered yet."""
    from portal.opinions.models import Opinion

    if kind == "opinion":
        opinion = db.session.get(Opinion, row_id)
        if opinion is None or opinion.application_id != application.id:
            return None
        key = opinion.document_key
    else:
        row = db.session.get(IssuedDocument if kind == "documento" else PaymentOrder, row_id)
        if row is None or row.application_id != application.id:
            return None
        key = row.pdf_key
    return storage().get(key) if key is not None else None


# ---------------------------------------------------------------- commands


def start_test_case(*, actor: User, version: ProcedureVersion, token: str) -> Application:
    """File nothing yet: open a test case on the draft, in its initial state (committed).

    The case is the admin's (its applicant), located as a real one is
    (`portal.applications.services.start_application`), and answers its form next. The same
    `token` (the "Nueva prueba" button's) returns the same case: a double click opens one, as
    the applicant's "Comenzar solicitud" does (the (applicant, start_token) unique key).
    """
    from portal.idempotent import insert_if_absent

    definition = definition_of(version)
    authority = version.procedure.authority
    insert_if_absent(
        Application,
        is_test=True,
        procedure_id=version.procedure_id,
        procedure_version_id=version.id,
        applicant_id=actor.id,
        authority_id=authority.id,
        district_id=authority.id if authority.is_district else None,
        start_token=token,
        state=definition.initial_state,
        data={},
    )
    application = db.session.scalar(
        sa.select(Application).where(
            Application.applicant_id == actor.id,
            Application.start_token == token,
            Application.procedure_version_id == version.id,
        )
    )
    db.session.commit()
    if application is None:  # the token was the admin's on another case: not this button's
        raise NotFound("test_case_not_found")
    return application


def act_as(
    *,
    actor: User,
    application: Application,
    role: str,
    action: str,
    comment: str = "",
    given: Mapping[str, str] | None = None,
) -> HistoryEntry:
    """Take `action` on the test case as `role`, through the service real staff use.

    `given` are the texts typed for the outputs the action's transitions declare (by output
    name); the engine checks them as it checks a real officer's (`invalid_output` reasons).

    Raises:
        NotAllowed: `transition_not_allowed` with the engine's reasons.
        Conflict: someone acted on the case first.
    """
    definition = definition_of(application.procedure_version)
    names = {
        spec.name
        for transition in definition.transitions_for(application.state, action)
        for spec in transition.outputs
    }
    outputs = {name: text for name, text in (given or {}).items() if name in names and text}
    return act_on_application(
        actor=playing(actor, application, role),
        application=application,
        action=action,
        comment=comment,
        outputs=outputs,
    )


def perform_task(*, actor: User, application: Application, role: str, task: str) -> int:
    """Perform a staff task as `role`, through the service real staff use: every review item
    judged OK (`record_verdicts`), the site visit recorded with every item of the definition's
    checklist met (`record_inspection`), or every pending payment order paid
    (`record_payment`). Returns how many verdicts, inspections or payments were recorded.

    Raises:
        NotFound: `unknown_task`, a task test mode does not perform.
        NotAllowed: the role may not perform the task in the case's state.
    """
    from portal.review import services as review

    player = playing(actor, application, role)
    if task == RECORD_VERDICTS:
        definition = definition_of(application.procedure_version)
        items = review_items(definition, facts_for(application, role))
        return review.record_verdicts(
            actor=player,
            application=application,
            verdicts=dict.fromkeys(items, (True, "")),
            items=items,
        )
    if task == RECORD_PAYMENT:
        pending = db.session.scalars(
            sa.select(PaymentOrder.id).where(
                PaymentOrder.application_id == application.id, PaymentOrder.status == "pending"
            )
        ).all()
        for order_id in pending:
            review.record_payment(
                actor=player,
                application=application,
                order_id=order_id,
                reference=TEST_PAYMENT_REFERENCE,
            )
        return len(pending)
    if task == RECORD_INSPECTION:
        return _record_test_inspection(player, application)
    raise NotFound("unknown_task")


def _record_test_inspection(player: TestActor, application: Application) -> int:
    """Record today's visit by the admin playing the inspector, every checklist item met,
    through `portal.inspections.services.record_visit`.

    The visit is given to the admin here: scheduling one (`schedule_inspection`) picks a real
    inspector of the office, which the admin is not. Once the state's inspection is recorded,
    sending it again records nothing (0).
    """
    from portal.applications.effects import LOCAL_TZ
    from portal.inspections import services as inspections
    from portal.inspections.models import InspectionVisit
    from portal.review import services as review

    if review.inspection_recorded(application):
        return 0
    today = utcnow().astimezone(LOCAL_TZ).date()
    visit = db.session.scalar(
        sa.select(InspectionVisit).where(
            InspectionVisit.application_id == application.id,
            InspectionVisit.inspector_id == player.id,
            InspectionVisit.status == "scheduled",
        )
    )
    if visit is None:
        visit = InspectionVisit(
            application_id=application.id,
            inspector_id=player.id,
            scheduled_for=today,
            scheduled_by_id=player.id,
            notes=TEST_INSPECTION_NOTES,
        )
        db.session.add(visit)
        db.session.flush()
    definition = definition_of(application.procedure_version)
    checklist = definition.inspection.checklist if definition.inspection else ()
    inspections.record_visit(
        actor=player,
        application=application,
        visit_id=visit.id,
        visited_on=today,
        result="conforme",
        notes=TEST_INSPECTION_NOTES,
        answers={item.code: ("cumple", "") for item in checklist},
        photos=[],
        today=today,
    )
    return 1


@dataclass(frozen=True)
class Simulated:
    """What simulating a deadline did: the keys the sweep applied (none when the deadline
    shown had been applied already), the day it ran for and the states before and after."""

    applied: tuple[str, ...]
    day: date | None
    source: str
    target: str


def simulate_deadline(
    *, actor: User, application: Application, key: str, visit: datetime
) -> Simulated:
    """Run the daily sweep's `sweep_case` on the test case for the day its next breach action
    fires, so the case warns, escalates, lapses or is deemed approved as a real one would.

    `key` and `visit` are the breach action and the state visit (`state_entered_at`) the page
    showed: sent again once that action was applied, nothing changes (`applied` empty). The
    simulation is audited (`test_case.deadline_simulated`), the admin and the day it ran for.

    Raises:
        NotAllowed: `not_a_test_case` (a real case is swept by the daily job only),
            `no_deadline_running` (no breach action is pending in the case's state).
        Conflict: `stale_application`: the case moved on since the page was shown.
    """
    from portal.audit.services import record_admin_change
    from portal.deadlines.services import sweep_case

    if not application.is_test:
        raise NotAllowed("not_a_test_case")
    locked = db.session.scalar(
        sa.select(Application)
        .where(Application.id == application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.expire(locked, ["history"])
    source = locked.state
    if _breach_applied_since(locked, key, visit):
        db.session.rollback()
        return Simulated((), None, source, source)
    due = pending_deadline(locked)
    if due is None:
        db.session.rollback()
        raise NotAllowed("no_deadline_running")
    if due.key != key or locked.state_entered_at != visit:
        db.session.rollback()
        raise Conflict("stale_application")
    applied = sweep_case(locked.id, due.fires_on)  # commits
    db.session.refresh(locked)
    version = locked.procedure_version
    record_admin_change(
        actor,
        "test_case.deadline_simulated",
        f"{locked.tracking_number} ({version.procedure.authority.code}/"
        f"{version.procedure.slug} v{version.version})",
        before={"state": source, "breach": key},
        after={"state": locked.state, "applied": applied, "day": due.fires_on.isoformat()},
        authority_id=locked.authority_id,
    )
    db.session.commit()
    return Simulated(tuple(applied), due.fires_on, source, locked.state)


def _breach_applied_since(application: Application, key: str, visit: datetime) -> bool:
    """Whether the breach action `key` was applied to the case since `visit` began."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(HistoryEntry.id)).where(
                HistoryEntry.application_id == application.id,
                HistoryEntry.action == f"breach:{key}",
                HistoryEntry.occurred_at >= visit,
            )
        )
    )


def request_test_opinion(
    *, actor: User, application: Application, role: str, institution: str, question: str
):
    """Ask an institution of the definition for its opinion as `role`, through the service
    real staff use (`portal.opinions.services.request_opinion`), answer due by its default.

    Raises: as `request_opinion`.
    """
    from portal.opinions import services as opinions

    return opinions.request_opinion(
        actor=playing(actor, application, role),
        application=application,
        institution=institution,
        question=question,
        due_on=None,
        today=local_today(),
    )


def answer_test_opinion(
    *, actor: User, application: Application, opinion_id: int, answer: str, text: str
):
    """Record the consulted institution's answer today, through the service real staff use
    (`portal.opinions.services.answer_opinion`) as the role that records answers
    (`opinion_recorder`), with a generated test document (`test_opinion_document`).

    Raises:
        NotAllowed: `opinion_recorder_missing`: no role records answers in this state.
        others: as `answer_opinion`.
    """
    from portal.opinions import services as opinions

    role = opinion_recorder(application)
    if role is None:
        raise NotAllowed("opinion_recorder_missing")
    opinion = opinions.get_opinion(application, opinion_id)
    document = None
    if opinion.status == "pending":
        document = opinions.AnswerDocument(
            TEST_OPINION_FILENAME, generated_answer(application, opinion, answer, text)
        )
    return opinions.answer_opinion(
        actor=playing(actor, application, role),
        application=application,
        opinion_id=opinion_id,
        answer=answer,
        text=text,
        answered_on=local_today(),
        document=document,
        today=local_today(),
    )


def generated_answer(application: Application, opinion, answer: str, text: str) -> bytes:
    """A one-page PDF standing for the institution's answer, stamped as every test document
    is (`portal.pdf.TEST_STAMP`)."""
    from flask_babel import force_locale

    from forms.inspections import OPINION_ANSWERS
    from portal.pdf import TEST_STAMP, render_pdf

    definition = definition_of(application.procedure_version)
    source = definition.opinion_source(opinion.institution)
    with force_locale("es"):
        shown = str(dict(OPINION_ANSWERS).get(answer, answer))
    return render_pdf(
        "pdf/test_opinion.html",
        {
            "authority_name": source.name.es if source else opinion.institution,
            "tracking_number": application.tracking_number,
            "procedure_title": definition.title.es,
            "question": opinion.question,
            "answer": shown,
            "text": text,
            "answered_on": local_today(),
        },
        stamp=TEST_STAMP,
    )


# ---------------------------------------------------------------- publishing


def delete_test_cases(version: ProcedureVersion) -> list[str]:
    """Delete the draft's test cases and every row they produced (flush only).

    Every table that references a case, directly or through another such row, is found in
    the metadata, so a table added later is covered. Returns the storage keys of their files,
    to remove once the caller commits (`remove_files`).
    """
    ids = list(
        db.session.scalars(
            sa.select(Application.id).where(
                Application.procedure_version_id == version.id, Application.is_test
            )
        )
    )
    if not ids:
        return []
    table = Application.__table__
    files: list[str] = []
    _delete(table, table.c.id.in_(ids), files, (table.name,))
    db.session.expire_all()
    return files


def _delete(table: sa.Table, where, files: list[str], path: tuple[str, ...]) -> None:
    """Delete the rows of `table` matching `where`, the rows referencing them first."""
    for child in db.metadata.sorted_tables:
        if child.name in path:
            continue
        for fk in child.foreign_keys:
            if fk.column.table is table:
                keys = sa.select(fk.column).where(where)
                _delete(child, fk.parent.in_(keys), files, (*path, child.name))
    for name in FILE_COLUMNS:
        if name in table.c:
            column = table.c[name]
            files += db.session.scalars(sa.select(column).where(where, column.is_not(None))).all()
    db.session.execute(table.delete().where(where))


def remove_files(keys: list[str]) -> None:
    """Remove the stored files of deleted test cases (after the deletion committed)."""
    for key in keys:
        storage().delete(key)
