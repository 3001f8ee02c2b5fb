"""Compose and send the e-mail for one history entry; each e-mail is sent once.

Every e-mail has a key (`history-<entry id>`, `alert-<entry id>-<user id>`) from which its
Message-ID is derived, so a copy that does leave twice (a crash between the SMTP hand-over and
the commit) carries the same Message-ID and mail systems drop it. The sending is recorded in
`mail_deliveries` before the e-mail leaves, in the transaction of the job that sends it; a
recorded key is never sent again.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, gettext

from portal.accounts.models import User
from portal.applications.models import HistoryEntry
from portal.extensions import db, utcnow
from portal.idempotent import insert_if_absent
from portal.jobs.services import PartialWork
from portal.links import case_url, status_url
from portal.notifications.models import MailDelivery, Notice
from portal.notifications.texts import render_notice
from portal.procedures.services import definition_of
from portal.walkin.contact import mail_to
from workflows.effects import NOTIFY

log = logging.getLogger(__name__)
#: The history actions of an issued document's revocation and replacement
#: (`portal.certificates.services.REVOKE`, `REPLACE`).
LIFECYCLE_ACTS = ("document:revoke", "document:replace")


def _notice_of(entry: HistoryEntry, definition, application, locale: str) -> str:
    """The definition's own text for this transition's notice, if it has one."""
    sources = [
        ref.params["message"]["en" if locale == "en" else "es"]
        for t in definition.transitions
        if t.action == entry.action
        for ref in t.effects
        if ref.name == NOTIFY and "message" in ref.params
    ]
    if not sources:
        return ""
    due = application.due_on.strftime("%d/%m/%Y") if application.due_on else ""
    return render_notice(
        sources[0],
        {
            "tracking_number": application.tracking_number,
            "procedure": definition.title.get(locale),
            "state": definition.state(entry.to_state).label.get(locale),
            "comment": entry.comment,
            "status_url": status_url(application.id),
            "due_date": due,
        },
    )


def locale_of(user: User) -> str:
    """The language a person's e-mail is written in: the one they last chose, else Spanish."""
    return "en" if user.locale == "en" else "es"


def message_id_for(key: str) -> str:
    """The Message-ID of the e-mail with this key: the same every time it is built."""
    return f"<{key}@ventanilla.amss>"


def send_notification(history_id: int) -> bool:
    """Send the applicant's e-mail for a history entry unless it was sent; True when sent now.

    Runs in the caller's transaction, which must commit to record the sending.
    """
    entry = db.session.get(HistoryEntry, history_id)
    if entry is None:
        return False
    application = entry.application
    definition = definition_of(application.procedure_version)
    locale = locale_of(application.applicant)
    if entry.action in LIFECYCLE_ACTS:
        return _send_lifecycle(entry, application, locale)
    context = {
        "application": application,
        "entry": entry,
        "procedure_title": definition.title.get(locale),
        "state_label": definition.state(entry.to_state).label.get(locale),
        "status_url": status_url(application.id),
        "notice": _notice_of(entry, definition, application, locale),
    }
    sent = send_once(
        f"history-{entry.id}",
        to=mail_to(application),
        locale=locale,
        subject=lambda: gettext(
            "Expediente %(number)s: %(state)s",
            number=application.tracking_number,
            state=context["state_label"],
        ),
        template="email/state_changed.txt",
        context=context,
        user_id=application.applicant_id,
        application_id=application.id,
    )
    if sent:
        log.info("mail sent to applicant of %s", application.tracking_number)
    return sent


def _send_lifecycle(entry: HistoryEntry, application, locale: str) -> bool:
    """The applicant's e-mail about a revoked or replaced document: which, what happened and
    the public reason, with the link to the case; no PDF attached."""
    from portal.certificates.services import document_of_act

    document, replacement = document_of_act(entry)
    if document is None:
        return False
    title = document.title.get(locale) or document.title["es"]
    return send_once(
        f"history-{entry.id}",
        to=mail_to(application),
        locale=locale,
        subject=lambda: (
            gettext(
                "Expediente %(number)s: documento reemplazado", number=application.tracking_number
            )
            if replacement is not None
            else gettext(
                "Expediente %(number)s: documento revocado", number=application.tracking_number
            )
        ),
        template="email/document_lifecycle.txt",
        context={
            "application": application,
            "entry": entry,
            "document": document,
            "document_title": title,
            "replacement": replacement,
            "status_url": status_url(application.id),
        },
        user_id=application.applicant_id,
        application_id=application.id,
    )


def send_once(
    key: str,
    *,
    to: str | None,
    locale: str,
    subject,
    template: str,
    context: dict,
    user_id: int | None = None,
    application_id: int | None = None,
) -> bool:
    """Compose, record and send one e-mail unless its key was sent: the one way mail leaves.

    Args:
        key: Names this e-mail (`expiry-<case>-<days>`); its Message-ID derives from it.
        to: The address; None when the person has none (a case filed at the counter without
            an e-mail, `portal.walkin.contact.mail_to`): nothing is sent (False).
        locale: "es" or "en": the subject and body are rendered in it.
        subject: A lazy text (`lazy_gettext`) or a callable returning the subject, evaluated
            in `locale`.
        template: The plain-text body's template (`templates/email/`), rendered with `context`.
        user_id: The account the e-mail is for, when it is an account's: a copy is kept in
            its notification centre (`keep_notice`), in the same transaction.
        application_id: The case it is about, for the notification centre's link.

    Returns:
        True when sent now; False when this key was sent before (or another run won it).
        Runs in the caller's transaction, which must commit to record the sending.

    An e-mail about a test case (`portal.testcases`) is composed the same way and captured
    instead (`capture`): it never leaves and no notification centre keeps it.
    """
    from portal.testcases import mail as test_mail

    testing = test_mail.is_test_case(application_id)
    if to is None or (not testing and was_sent(key)):
        return False
    message = EmailMessage()
    with force_locale(locale):
        message["Subject"] = subject() if callable(subject) else str(subject)
        body = render_template(template, **context)
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Message-ID"] = message_id_for(key)
    message.set_content(body)
    if testing:
        return test_mail.capture(key, message, application_id=application_id)
    if not record_delivery(key, message):
        return False
    if user_id is not None:
        keep_notice(key, message, user_id=user_id, application_id=application_id)
    deliver(message, key)
    return True


def was_sent(key: str) -> bool:
    return db.session.scalar(sa.select(MailDelivery.id).where(MailDelivery.key == key)) is not None


def record_delivery(key: str, message: EmailMessage) -> bool:
    """Insert the delivery row; False when another run recorded this key first.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and does
    nothing once it commits, so of two simultaneous runs only one goes on to send.
    """
    return insert_if_absent(
        MailDelivery,
        key=key,
        message_id=message["Message-ID"],
        recipient=message["To"],
        sent_at=utcnow(),
    )


def _forget(key: str) -> None:
    """Undo `record_delivery` for an e-mail that did not leave (the rest of the job stays)."""
    db.session.execute(sa.delete(MailDelivery).where(MailDelivery.key == key))


def deliver(message: EmailMessage, name: str) -> None:
    """Send through SMTP when configured, else write instance/mail/<name>.eml."""
    if current_app.config.get("MAIL_SERVER"):
        with smtplib.SMTP(
            current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"], timeout=30
        ) as smtp:
            if current_app.config["MAIL_USE_TLS"]:
                smtp.starttls()
            if current_app.config.get("MAIL_USERNAME"):
                smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        folder = Path(current_app.config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.eml").write_bytes(bytes(message))


def send_staff_alert(history_id: int, role: str) -> int:
    """E-mail the staff of that role who can see the case; return how many were written to.

    About a test case (`portal.testcases`), each e-mail is composed the same way and captured
    (`portal.testcases.mail.capture`): it is shown on the case's page and never leaves.
    """
    from portal.testcases import mail as test_mail

    entry = db.session.get(HistoryEntry, history_id)
    if entry is None:
        return 0
    application = entry.application
    chain, authority = [], application.authority
    while authority is not None:  # staff of the office or of any authority above it
        chain.append(authority.id)
        authority = authority.parent
    staff = db.session.scalars(
        sa.select(User).where(
            User.holding(role), User.authority_id.in_(chain), User.active.is_(True)
        )
    ).all()
    sent, failures = 0, []
    testing = application.is_test
    for user in staff:
        key = f"alert-{entry.id}-{user.id}"
        if not testing and was_sent(key):
            continue
        message = EmailMessage()
        message["Subject"] = f"Plazo vencido: expediente {application.tracking_number}"
        message["From"] = current_app.config["MAIL_SENDER"]
        message["To"] = user.email
        message["Message-ID"] = message_id_for(key)
        message.set_content(f"{entry.comment}\n\nExpediente: {case_url(application.id)}\n")
        if testing:  # a test case's alert is kept on its page, sent to no one
            sent += test_mail.capture(key, message, application_id=application.id)
            continue
        if not record_delivery(key, message):
            continue
        try:
            deliver(message, key)
        except Exception as exc:  # this recipient is retried; the others stay sent
            _forget(key)
            failures.append(f"{user.email}: {type(exc).__name__}: {exc}")
            continue
        sent += 1
    if failures:
        raise PartialWork("; ".join(failures))
    return sent


# ---------------------------------------------------------------- the notification centre

NOTICES_PAGE_SIZE = 20


def keep_notice(key: str, message: EmailMessage, *, user_id: int, application_id: int | None):
    """Keep a copy of a message sent to a person for their notification centre (flush only).

    Called with the delivery's `key` right after `record_delivery` won it, so each message is
    kept once, in the same transaction that records its sending.
    """
    body = message.get_body(("plain",))
    db.session.add(
        Notice(
            user_id=user_id,
            application_id=application_id,
            key=key,
            subject=str(message["Subject"])[:250],
            body=body.get_content() if body is not None else "",
            sent_at=utcnow(),
        )
    )
    db.session.flush()


def unread_count(user: User) -> int:
    """How many messages the person has not seen in the notification centre."""
    return db.session.scalar(
        sa.select(sa.func.count(Notice.id)).where(
            Notice.user_id == user.id, Notice.read_at.is_(None)
        )
    )


def list_notices_for(user: User, page: int = 1) -> tuple[list[Notice], int]:
    """One page of the person's messages, newest first, and how many pages there are."""
    where = Notice.user_id == user.id
    total = db.session.scalar(sa.select(sa.func.count(Notice.id)).where(where))
    pages = max(1, -(-total // NOTICES_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        sa.select(Notice)
        .where(where)
        .order_by(Notice.id.desc())
        .limit(NOTICES_PAGE_SIZE)
        .offset((page - 1) * NOTICES_PAGE_SIZE)
    ).all()
    return list(rows), pages


def list_notices_about(application_id: int, user: User) -> list[Notice]:
    """The messages sent to the person about one case, newest first."""
    return list(
        db.session.scalars(
            sa.select(Notice)
            .where(Notice.user_id == user.id, Notice.application_id == application_id)
            .order_by(Notice.id.desc())
        )
    )


def mark_read(*, actor: User, notice_ids: list[int]) -> int:
    """Mark the actor's listed messages as read (others' ids are ignored); return how many."""
    if not notice_ids:
        return 0
    result = db.session.execute(
        sa.update(Notice)
        .where(Notice.user_id == actor.id, Notice.id.in_(notice_ids), Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount
