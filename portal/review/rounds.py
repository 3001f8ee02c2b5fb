"""Review rounds: what the applicant submitted each time, and which verdicts still hold.

Each time the applicant files or answers a correction (a transition of kind `submit` or
`correct`), `snapshot` keeps what was sent: the applicable answers and each current
document's digest (`Submission`). A verdict judges the submission that was the latest when it
was given; it still counts after a later submission when its item is unchanged (same answer,
same file digest), so after a correction only what changed needs a new verdict. Verdicts given
before submissions were kept count only in the round they were given in (the old rule).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


@dataclass(frozen=True)
class Seen:
    """What a case page showed of the review, so that a save from a stale page is told.

    Attributes:
        submission: Id of the applicant's latest submission then (None before any; 0 for a
            token that could not be read, which matches no page).
        verdicts: Item -> id of the latest verdict on it then (items without one left out).
    """

    submission: int | None
    verdicts: Mapping[str, int]

    def encode(self) -> str:
        """The hidden field's text: `<submission>|<item>=<id>,...` (`-` for no submission)."""
        head = "-" if self.submission is None else str(self.submission)
        return head + "|" + ",".join(f"{item}={vid}" for item, vid in sorted(self.verdicts.items()))

    @classmethod
    def decode(cls, text: str) -> Seen:
        """Read `encode`'s text; a forged or damaged text gives a token that matches no page."""
        found = _SEEN.fullmatch(text or "")
        if found is None:
            return cls(0, {})
        head, body = found.group(1), found.group(2)
        pairs = [pair.split("=") for pair in body.split(",") if pair]
        return cls(None if head == "-" else int(head), {item: int(vid) for item, vid in pairs})


_PAIR = r"[a-z0-9_]{1,80}=[0-9]{1,18}"
_SEEN = re.compile(rf"(-|[0-9]{{1,18}})\|((?:{_PAIR})(?:,{_PAIR})*|)")


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

    def seen(self) -> Seen:
        """What a page showing this state shows: the latest submission and verdict per item."""
        latest = self.latest
        verdicts = {verdict.item: verdict.id for verdict in self.verdicts}  # oldest first
        return Seen(latest.id if latest is not None else None, verdicts)

    def resubmitted_since(self, seen: Seen) -> bool:
        """The applicant submitted since the page showed `seen` (or `seen` matches no page)."""
        latest = self.latest
        return seen.submission != (latest.id if latest is not None else None)

    def changed_since(self, seen: Seen, items, actor_id: int) -> list[str]:
        """The `items` someone else judged since the page showed `seen`, or all when the
        applicant submitted since (`resubmitted_since`); in the order of `items`.

        The actor's own later verdicts (a double submission, a second tab) are not a change.
        """
        if self.resubmitted_since(seen):
            return list(items)
        others = {
            verdict.item
            for verdict in self.verdicts
            if verdict.actor_id != actor_id and verdict.id > seen.verdicts.get(verdict.item, 0)
        }
        return [item for item in items if item in others]

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
