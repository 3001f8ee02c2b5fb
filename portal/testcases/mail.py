"""Capture the e-mails of test cases: composed as any other, kept, never delivered."""

from __future__ import annotations

from email.message import EmailMessage

import sqlalchemy as sa

from portal.applications.models import Application
from portal.extensions import db, utcnow
from portal.idempotent import insert_if_absent
from portal.testcases.models import TestMail


def is_test_case(application_id: int | None) -> bool:
    """Tell whether an e-mail about this case (None: about no case) belongs to test mode."""
    if application_id is None:
        return False
    return bool(
        db.session.scalar(sa.select(Application.is_test).where(Application.id == application_id))
    )


def capture(key: str, message: EmailMessage, *, application_id: int) -> bool:
    """Keep a test case's e-mail instead of sending it (flush only); False when kept before."""
    body = message.get_body(("plain",))
    return insert_if_absent(
        TestMail,
        application_id=application_id,
        key=key,
        recipient=str(message["To"])[:254],
        subject=str(message["Subject"])[:250],
        body=body.get_content() if body is not None else "",
        captured_at=utcnow(),
    )
