"""The notification centre keeps every message sent to the person, newest first."""

from __future__ import annotations

from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    mails,
    make_applicant,
    make_staff,
    reload_application,
)
from tests.portal.test_review import _decide


def _case_with_messages(client, run_jobs) -> int:
    make_applicant()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    application_id = file_new_application(client)
    logout(client)
    login(client, "clerk@example.sv")
    _decide(client, application_id, "prevenir", comment="Falta la firma del profesional.")
    run_jobs()
    logout(client)
    return application_id


def test_every_message_sent_is_listed_newest_first_with_its_case(client, app_ctx, run_jobs):
    application_id = _case_with_messages(client, run_jobs)
    sent = mails(app_ctx)
    assert sent, "the portal sent e-mails for the filing and the prevención"
    login(client, "ana@example.sv")
    home = client.get("/solicitudes/").get_data(as_text=True)
    assert f'<span class="app-unread-count">{len(sent)}</span>' in home
    page = client.get("/avisos/").get_data(as_text=True)
    subjects = [str(message["Subject"]) for message in sent]
    positions = [page.index(subject) for subject in reversed(subjects)]
    assert positions == sorted(positions)  # newest first
    assert "Falta la firma del profesional." in page
    assert f"/solicitudes/{application_id}" in page
    # Seen once, the count is gone.
    assert "app-unread-count" not in client.get("/solicitudes/").get_data(as_text=True)
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert subjects[-1] in status


def test_someone_else_sees_none_of_the_messages(client, app_ctx, run_jobs):
    _case_with_messages(client, run_jobs)
    make_applicant("otro@example.sv", "Otra Persona")
    login(client, "otro@example.sv")
    page = client.get("/avisos/").get_data(as_text=True)
    assert "Todavía no le hemos enviado ningún mensaje." in page
    assert reload_application(1) is not None


def test_the_centre_is_paginated(client, app_ctx):
    from email.message import EmailMessage

    from portal.extensions import db
    from portal.notifications.services import NOTICES_PAGE_SIZE, keep_notice

    user = make_applicant()
    for i in range(NOTICES_PAGE_SIZE + 3):
        message = EmailMessage()
        message["Subject"] = f"Aviso número {i:03d}"
        message.set_content("texto")
        keep_notice(f"test-{i}", message, user_id=user.id, application_id=None)
    db.session.commit()
    login(client, "ana@example.sv")
    first = client.get("/avisos/").get_data(as_text=True)
    assert f"Aviso número {NOTICES_PAGE_SIZE + 2:03d}" in first and "Aviso número 000" not in first
    second = client.get("/avisos/?pagina=2").get_data(as_text=True)
    assert "Aviso número 000" in second and "Página 2 de 2" in second
