"""Compose and send the e-mail for one history entry; safe to run twice."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, gettext

from portal.accounts.models import User
from portal.applications.models import HistoryEntry
from portal.extensions import db
from portal.links import case_url, status_url
from portal.notifications.texts import render_notice
from portal.procedures.services import definition_of

log = logging.getLogger(__name__)


def _notice_of(entry: HistoryEntry, definition, application, locale: str) -> str:
    """The definition's own text for this transition's notice, if it has one."""
    sources = [
        ref.params["message"]["en" if locale == "en" else "es"]
        for t in definition.transitions
        if t.action == entry.action
        for ref in t.effects
        if ref.name == "notify" and "message" in ref.params
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


def _message_for(entry: HistoryEntry) -> EmailMessage:
    """The applicant's e-mail, in the language they last chose in the portal."""
    application = entry.application
    definition = definition_of(application.procedure_version)
    locale = application.applicant.locale if application.applicant.locale == "en" else "es"
    context = {
        "application": application,
        "entry": entry,
        "procedure_title": definition.title.get(locale),
        "state_label": definition.state(entry.to_state).label.get(locale),
        "status_url": status_url(application.id),
        "notice": _notice_of(entry, definition, application, locale),
    }
    message = EmailMessage()
    with force_locale(locale):
        message["Subject"] = gettext(
            "Expediente %(number)s: %(state)s",
            number=application.tracking_number,
            state=context["state_label"],
        )
        body = render_template("email/state_changed.txt", **context)
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = application.applicant.email
    # A stable id lets a mail system drop the duplicate if the job runs twice.
    message["Message-ID"] = make_msgid(idstring=f"history-{entry.id}", domain="ventanilla.amss")
    message.set_content(body)
    return message


def send_notification(history_id: int) -> bool:
    """Send the e-mail for a history entry once (a marker file or SMTP)."""
    entry = db.session.get(HistoryEntry, history_id)
    if entry is None:
        return False
    message = _message_for(entry)
    _deliver(message, f"history-{entry.id}")
    log.info(
        "mail sent to applicant of %s: %s", entry.application.tracking_number, message["Subject"]
    )
    db.session.rollback()
    return True


def _deliver(message: EmailMessage, name: str) -> None:
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
    """E-mail the staff of that role who can see the case; return how many were written to."""
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
            User.role == role, User.authority_id.in_(chain), User.active.is_(True)
        )
    ).all()
    for user in staff:
        message = EmailMessage()
        message["Subject"] = f"Plazo vencido: expediente {application.tracking_number}"
        message["From"] = current_app.config["MAIL_SENDER"]
        message["To"] = user.email
        message["Message-ID"] = make_msgid(
            idstring=f"alert-{entry.id}-{user.id}", domain="ventanilla.amss"
        )
        message.set_content(f"{entry.comment}\n\nExpediente: {case_url(application.id)}\n")
        _deliver(message, f"alert-{entry.id}-{user.id}")
    db.session.rollback()
    return len(staff)
