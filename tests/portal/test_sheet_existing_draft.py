"""The sheet says when the person already has a draft of the procedure, and where to resume it.

Starting twice is still allowed (a person may file two), but never without being told.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import format_date

from portal.applications.models import Application
from portal.extensions import db, utcnow
from tests.portal.helpers import login, make_applicant, make_staff, procedure_id, start
from tests.portal.test_business_plan import _text

SHEET = "/tramites/OPAMSS/calificacion-lugar"
OTHER_SHEET = "/tramites/OPAMSS/linea-construccion"
NOTICE = "Ya tiene un borrador de este trámite, empezado el"


def _started_on(application_id: int) -> str:
    from portal.applications.clocks import local_date

    return format_date(local_date(db.session.get(Application, application_id).created_at), "long")


def test_a_second_start_is_announced_with_the_draft_to_continue(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    first = _text(client.get(SHEET))
    assert NOTICE not in first
    assert "Comenzar solicitud" in first and "Comenzar otra solicitud" not in first

    draft = start(client)
    response = client.get(SHEET)
    page = _text(response)
    assert f"{NOTICE} {_started_on(draft)}: Continuar" in page
    assert "Comenzar otra solicitud" in page and "Comenzar solicitud" not in page
    assert page.index(NOTICE) < page.index("Comenzar otra solicitud")
    resume = re.search(r'app-existing-draft.*?href="([^"]+)"', response.text, re.S).group(1)
    assert resume.startswith(f"/borradores/{draft}/")
    assert client.get(resume).status_code == 200
    # Another procedure's sheet says nothing.
    assert NOTICE not in _text(client.get(OTHER_SHEET))

    # Still allowed: a second draft is started.
    again = client.post(
        f"/solicitudes/nueva/{procedure_id()}", data={"token": "token-de-prueba-0002"}
    )
    assert again.status_code == 302
    second = int(re.search(r"/borradores/(\d+)/", again.headers["Location"]).group(1))
    assert second != draft


def test_a_deleted_or_expired_draft_is_not_announced(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    draft = start(client)
    deleted = client.post(f"/borradores/{draft}/eliminar", data={})
    assert deleted.status_code == 302
    assert NOTICE not in _text(client.get(SHEET))

    kept = start(client, token="token-de-prueba-0003")
    assert NOTICE in _text(client.get(SHEET))
    application = db.session.get(Application, kept)
    application.draft_saved_at = utcnow() - timedelta(days=31)  # kept 30 days
    db.session.commit()
    page = _text(client.get(SHEET))
    assert NOTICE not in page and "Comenzar solicitud" in page


def test_another_persons_draft_is_not_announced(client, app_ctx):
    make_applicant()
    make_applicant("beto@example.sv", "Beto Ramos")
    login(client, "ana@example.sv")
    start(client)
    client.post("/cuenta/salir")
    login(client, "beto@example.sv")
    page = _text(client.get(SHEET))
    assert NOTICE not in page and "Comenzar solicitud" in page


def test_in_english_the_notice_and_button_are_translated(client, app):
    with app.app_context():  # not kept pushed: each request then reads its own language
        make_applicant()
        login(client, "ana@example.sv")
        start(client)
    client.post("/idioma/en", data={"next": "/"})
    page = _text(client.get(SHEET))
    assert "You already have a draft of this procedure, started on" in page
    assert "Start another application" in page


def test_staff_see_no_start_button_nor_notice(client, app_ctx):
    make_staff()
    login(client, "clerk.opamss@example.sv")
    page = _text(client.get(SHEET))
    assert NOTICE not in page and "Comenzar solicitud" not in page
