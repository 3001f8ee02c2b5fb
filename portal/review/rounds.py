"""Review rounds: what the applicant submitted each time, and which verdicts still hold.

Each time the applicant files or answers a correction (a transition of kind `submit` or
`correct`), `snapshot` keeps what was sent: the applicable answers and each current
document's digest (`Submission`). A verdict judges the submission that was the latest when it
was given; it still counts after a later submission when its item is unchanged (same answer,
same file digest), so after a correction only what changed needs a new verdict. Verdicts given
before submissions were kept count only in the round they were given in (the old rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

import workflows
from portal.applications.models import Application, HistoryEntry
from portal.extensions import db
from portal.review.models import ReviewVerdict, Submission
from workflows.guards import applicable_data

#: Transition kinds by which the applicant sends the case to the office.
SUBMITTING_KINDS = frozenset({"submit", "correct"})


def snapshot(
    application: Application, definition: workflows.Definition, entry: HistoryEntry
) -> Submission | None:
    """Keep what was submitted by the transition `entry` records (flush only; None if none).

    Called in the transaction of the transition, after its history entry is flushed.
    """
    kinds = {
        definition.kind_of(t) for t in definition.transitions_for(entry.from_state, entry.action)
    }
    if not kinds & SUBMITTING_KINDS:
        return None
    submission = Submission(
        application_id=application.id,
        history_entry_id=entry.id,
        data=applicable_data(definition, dict(application.data)),
        documents={
            d.requirement_code: {"id": d.id, "sha256": d.sha256, "filename": d.filename}
            for d in application.current_documents
        },
    )
    db.session.add(submission)
    return submission


@dataclass(frozen=True)
class Change:
    """An item that differs between the previous submission and the latest.

    `old` and `new` are the answers (JSON values) for a field, or the document mappings
    (`{"id", "sha256", "filename"}`) for a requirement; None when absent on that side.
    """

    item: str
    document: bool
    old: object
    new: object


def _value(submission: Submission | None, item: str):
    """What `item` was in `submission`: its document's digest and its answer (None if neither).

    Both count: in a stored version whose field and document share a name (older APLAN
    licences, before `review_item_clash`), a verdict on the name covers both, and a change
    of either means it no longer holds.
    """
    if submission is None:
        return None
    found = []
    if item in submission.documents:
        found.append(("document", submission.documents[item]["sha256"]))
    if item in submission.data:
        found.append(("answer", submission.data[item]))
    return tuple(found) or None


@dataclass
class ReviewState:
    """A case's submissions and verdicts, read once (two statements), and what follows.

    Attributes:
        submissions: Oldest first.
        verdicts: Every verdict on the case, oldest first (append-only).
        legacy_since: When the applicant last submitted, for verdicts without a submission.
    """

    submissions: list[Submission]
    verdicts: list[ReviewVerdict]
    legacy_since: datetime
    _current: dict[str, ReviewVerdict] | None = field(default=None, repr=False)

    @property
    def latest(self) -> Submission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def previous(self) -> Submission | None:
        return self.submissions[-2] if len(self.submissions) > 1 else None

    def holds(self, verdict: ReviewVerdict) -> bool:
        """Tell whether a verdict still judges the item as it is now."""
        latest = self.latest
        if verdict.submission_id is None or latest is None:
            return verdict.decided_at >= self.legacy_since
        if verdict.submission_id == latest.id:
            return True
        judged = next((s for s in self.submissions if s.id == verdict.submission_id), None)
        now = _value(latest, verdict.item)
        return now is not None and _value(judged, verdict.item) == now

    def current(self) -> dict[str, ReviewVerdict]:
        """The latest verdict on each item, when it still holds (`holds`), by item."""
        if self._current is None:
            latest: dict[str, ReviewVerdict] = {}
            for verdict in self.verdicts:
                latest[verdict.item] = verdict
            self._current = {item: v for item, v in latest.items() if self.holds(v)}
        return self._current

    def carried(self) -> frozenset[str]:
        """Items whose counting verdict judged an earlier submission (kept, unchanged)."""
        latest = self.latest
        return frozenset(
            item
            for item, v in self.current().items()
            if latest is not None and v.submission_id not in (None, latest.id)
        )

    def history(self) -> dict[str, list[ReviewVerdict]]:
        """Every verdict per item, newest first."""
        found: dict[str, list[ReviewVerdict]] = {}
        for verdict in reversed(self.verdicts):
            found.setdefault(verdict.item, []).append(verdict)
        return found

    def answer_changes(self) -> dict[str, Change]:
        """The answers that changed from the previous submission to the latest, by field name.

        Empty at first. Answers and documents are apart (`document_changes`): in an older
        version a field and a document may share a name, and each change is shown.
        """
        old, new = self.previous, self.latest
        if old is None or new is None:
            return {}
        return {
            item: Change(item, False, old.data.get(item), new.data.get(item))
            for item in {*old.data, *new.data}
            if old.data.get(item) != new.data.get(item)
        }

    def document_changes(self) -> dict[str, Change]:
        """The documents that changed (another file, added, removed), by requirement code."""
        old, new = self.previous, self.latest
        if old is None or new is None:
            return {}
        changed = {}
        for item in {*old.documents, *new.documents}:
            before, after = old.documents.get(item), new.documents.get(item)
            if (before or {}).get("sha256") != (after or {}).get("sha256"):
                changed[item] = Change(item, True, before, after)
        return changed


def review_state(application: Application) -> ReviewState:
    """Read the case's submissions and verdicts with their authors (two statements)."""
    submissions = db.session.scalars(
        sa.select(Submission)
        .where(Submission.application_id == application.id)
        .order_by(Submission.id)
    ).all()
    verdicts = db.session.scalars(
        sa.select(ReviewVerdict)
        .where(ReviewVerdict.application_id == application.id)
        .options(joinedload(ReviewVerdict.actor))
        .order_by(ReviewVerdict.id)
    ).all()
    if submissions:
        since = submissions[-1].submitted_at
    else:
        from portal.review.services import round_started_at

        since = round_started_at(application)
    return ReviewState(list(submissions), list(verdicts), since)


def latest_submission_id(application: Application) -> int | None:
    """The id of the applicant's latest submission (one statement), None before any."""
    return db.session.scalar(
        sa.select(sa.func.max(Submission.id)).where(Submission.application_id == application.id)
    )
