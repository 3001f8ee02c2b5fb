"""Application, its documents and its append-only history."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.authorities.models import Authority
from portal.extensions import UTCDateTime, db, utcnow
from portal.procedures.models import Procedure, ProcedureVersion


class Application(db.Model):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id"), index=True)
    # Pinned forever to the version it was started under.
    procedure_version_id: Mapped[int] = mapped_column(sa.ForeignKey("procedure_versions.id"))
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The office that decides; staff see cases of their authority and its children.
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorities.id"))
    # Idempotency key of the "start" form, so a double click creates one application.
    start_token: Mapped[str] = mapped_column(sa.String(64))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    # The secret code printed on the receipt next to the tracking number: with both, anyone
    # may follow the case on /seguimiento without signing in (portal.tracking).
    tracking_code: Mapped[str | None] = mapped_column(sa.String(20))
    state: Mapped[str] = mapped_column(sa.String(60))
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The legal clock (workflows.clocks.Clock.to_dict()): start, length and every suspension,
    # resumption and extension with its reason and day. None before filing.
    clock: Mapped[dict | None] = mapped_column(sa.JSON)
    # Derived from the clocks when the case changes (portal.applications.clocks), never on
    # read, so queues and the sweep stay indexable.
    state_due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    # The first day a breach action is due (before or after the deadline); the sweep's index.
    next_breach_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    # Last day to notify the decision of a case that reached a final state (LPA Art. 97).
    notify_by: Mapped[date | None] = mapped_column(sa.Date)
    # The legal due date in force when the case reached a final state (`due_on` is cleared
    # then): reports compare the decision day with it. None without a running legal period.
    decided_due_on: Mapped[date | None] = mapped_column(sa.Date)
    # Set by the assign_to_role effect: which staff role the case waits on.
    assigned_role: Mapped[str | None] = mapped_column(sa.String(20))
    # The staff member who works the case (portal.assignment.services); None: unassigned.
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Queue columns, derived with the due dates when the case changes (portal.review.queues),
    # never on read. `queue_due` is set exactly while the case is filed and not final: the
    # stage's due date, or QUEUE_NO_DUE when the stage has none (so keyset pages never meet a
    # NULL). `acting_roles` lists the roles that act in the state, each between commas
    # (",clerk,supervisor,"). `clock_suspended` mirrors the legal clock's suspension.
    queue_due: Mapped[date | None] = mapped_column(sa.Date)
    acting_roles: Mapped[str | None] = mapped_column(sa.String(120))
    clock_suspended: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    lock_version: Mapped[int] = mapped_column(default=1)
    # What the applicant typed into a draft's form, as typed (input name -> text), saved as
    # they type and never validated: it refills the form and is never the case's data (that
    # is `data`, written only by a validated save).
    draft_answers: Mapped[dict | None] = mapped_column(sa.JSON)
    # The applicant's last save of the draft (typed or validated): its retention runs from here.
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the applicant was told the draft will expire (once per period of inactivity).
    draft_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A draft deleted by the applicant or expired: its data is gone and every route answers 404.
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A test case an admin files on a draft version (portal.testcases): it runs on the same
    # engine and services, but no queue, report, feed, reminder, verification or dashboard
    # sees it (each reader's base filter asks `real_cases()`), and publishing the draft
    # deletes it. Its version is its `procedure_version_id`, the draft.
    is_test: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    procedure: Mapped[Procedure] = relationship()
    procedure_version: Mapped[ProcedureVersion] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    authority: Mapped[Authority] = relationship(foreign_keys=[authority_id])
    district: Mapped[Authority | None] = relationship(foreign_keys=[district_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id"
    )
    history: Mapped[list[HistoryEntry]] = relationship(
        back_populates="application", order_by="HistoryEntry.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        sa.UniqueConstraint("applicant_id", "start_token"),
        sa.Index("ix_applications_authority_id_state", "authority_id", "state"),
        # The applicant's dashboard pages by id, newest first (keyset pagination).
        sa.Index("ix_applications_applicant_id_id", "applicant_id", "id"),
        # Reports: cases filed, and cases decided, in a period (portal.reports).
        sa.Index("ix_applications_filed_at", "filed_at"),
        sa.Index("ix_applications_decided_at", "decided_at"),
        # The admin's cases per procedure version (portal.admin.services.list_versions_for):
        # an index-only count of the filed real cases.
        sa.Index(
            "ix_applications_version_filed",
            "procedure_version_id",
            postgresql_where=sa.text("filed_at IS NOT NULL AND is_test IS false"),
            sqlite_where=sa.text("filed_at IS NOT NULL AND is_test IS false"),
        ),
        # The queues (portal.review.queues): only open cases, in legal-due-date order, whole
        # scope / one office / one assignee / one procedure; keyset pages read them from the
        # index, and a filter never scans the closed cases (they are not in these indexes).
        *(
            sa.Index(
                f"ix_applications_queue{suffix}",
                *lead,
                "queue_due",
                "filed_at",
                "id",
                postgresql_where=sa.text("queue_due IS NOT NULL"),
                sqlite_where=sa.text("queue_due IS NOT NULL"),
            )
            for suffix, lead in (
                ("", ()),
                ("_authority", ("authority_id",)),
                ("_assignee", ("assignee_id",)),
                ("_procedure", ("procedure_id",)),
            )
        ),
    )

    @property
    def current_documents(self) -> list[Document]:
        return [d for d in self.documents if d.replaced_at is None]


def real_cases() -> sa.ColumnElement[bool]:
    """The clause every reader of cases that is not test mode adds: no test case."""
    return Application.is_test.is_(False)


class Document(db.Model):
    """An uploaded file for one requirement; a replacement keeps the old row, marked replaced."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    requirement_code: Mapped[str] = mapped_column(sa.String(60))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kinds of active content found in a PDF kept under a requirement that flags rather than
    # refuses it ("JavaScript, OpenAction"); the reviewing clerk is warned. None: nothing found.
    active_content: Mapped[str | None] = mapped_column(sa.String(200))

    application: Mapped[Application] = relationship(back_populates="documents")


class HistoryEntry(db.Model):
    """One row per state change or notable act; never updated or deleted."""

    __tablename__ = "history_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(sa.String(20))
    action: Mapped[str] = mapped_column(sa.String(60))
    from_state: Mapped[str | None] = mapped_column(sa.String(60))
    to_state: Mapped[str] = mapped_column(sa.String(60))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # What the actor gave with the action when its transition declares `outputs` (an account
    # number, a tax category), by output name, as JSON primitives; None when nothing was asked.
    outputs: Mapped[dict | None] = mapped_column(sa.JSON)
    # Codes of the definition's reasons (`reasons:`) the actor chose for a correction request
    # or a denial, in the definition's order; None when the action takes none.
    reasons: Mapped[list | None] = mapped_column(sa.JSON)

    application: Mapped[Application] = relationship(back_populates="history")

    # Reports read the history of the period (portal.reports).
    __table_args__ = (sa.Index("ix_history_entries_occurred_at", "occurred_at"),)
    actor: Mapped[User | None] = relationship()

    @classmethod
    def staff_act(
        cls, application: Application, actor: User, role: str, action: str, comment: str = ""
    ) -> HistoryEntry:
        """The entry of an act by `actor` (acting as `role`) that leaves the case in its state:
        scheduling an inspection, asking an opinion, recording verdicts, revoking a document.
        Added to the session by the caller."""
        return cls(
            application_id=application.id,
            actor_id=actor.id,
            actor_role=role,
            action=action,
            from_state=application.state,
            to_state=application.state,
            comment=comment,
        )


class TrackingCounter(db.Model):
    """Last tracking number used per authority and year (OPAMSS-2026-000001)."""

    __tablename__ = "tracking_counters"

    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("authorities.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
