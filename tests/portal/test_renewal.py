"""Renewal of an expiring licence, prefilled from the previous case; reminders before expiry."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import sqlalchemy as sa

from portal.applications.effects import local_now
from portal.applications.models import Application
from portal.extensions import db
from portal.notifications.models import Notice
from portal.renewals.services import send_expiry_reminders
from tests.portal.helpers import (
    decided_case,
    login,
    mails,
    make_applicant,
    pdf_bytes,
    reload_application,
)
from tests.portal.test_silence import DOCUMENTS, LICENCE


def _licence(applicant, year: int):
    """An APLAN licence granted on 15 January of `year` (valid until 31 December)."""
    return decided_case(
        applicant,
        "licencia-funcionamiento",
        LICENCE,
        authority="APLAN",
        decided_at=datetime(year, 1, 15, 16, 0, tzinfo=UTC),
    )


def test_an_expired_licence_is_renewed_from_a_draft_prefilled_with_its_answers(client, app_ctx):
    applicant = make_applicant()
    previous = _licence(applicant, local_now().year - 1)  # expired last 31 December
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{previous.id}").get_data(as_text=True)
    assert "Vigente hasta el 31/12/" in status and ">Renovar</button>" in status
    dashboard = client.get("/solicitudes/").get_data(as_text=True)
    assert "Renovar" in dashboard
    response = client.post(f"/solicitudes/{previous.id}/renovar")
    assert response.status_code == 302
    draft_id = int(re.search(r"/borradores/(\d+)/", response.headers["Location"]).group(1))
    draft = reload_application(draft_id)
    assert draft.tracking_number is None and draft.procedure_id == previous.procedure_id
    for name in ("nombre_comercial", "direccion", "categoria", "horario", "nit"):
        assert draft.data[name] == LICENCE[name], name
    assert draft.data["correo"] == "ana@example.sv"  # from the account
    page = client.get(f"/solicitudes/{draft_id}/editar").get_data(as_text=True)
    assert LICENCE["nombre_comercial"] in page
    # A second click opens the same draft.
    again = client.post(f"/solicitudes/{previous.id}/renovar")
    assert again.headers["Location"] == response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 2


def test_a_permit_without_validity_is_not_renewed(client, app_ctx):
    applicant = make_applicant()
    land = decided_case(applicant, "calificacion-lugar", {"direccion": "Calle Arce 1234"})
    login(client, "ana@example.sv")
    assert "Renovar" not in client.get(f"/solicitudes/{land.id}").get_data(as_text=True)
    response = client.post(f"/solicitudes/{land.id}/renovar")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/solicitudes/{land.id}"
    )
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1


def test_someone_else_cannot_renew_a_licence(client, app_ctx):
    previous = _licence(make_applicant(), local_now().year - 1)
    make_applicant("otro@example.sv", "Otra Persona")
    login(client, "otro@example.sv")
    assert client.post(f"/solicitudes/{previous.id}/renovar").status_code == 404


def test_reminders_go_out_30_and_7_days_before_expiry_once_each(app_ctx):
    applicant = make_applicant()
    year = local_now().year
    licence = _licence(applicant, year)
    _licence(applicant, year - 1)  # already expired: no reminder
    assert send_expiry_reminders(date(year, 11, 20))["sent"] == 0  # 41 days left
    assert send_expiry_reminders(date(year, 12, 1))["sent"] == 1  # 30 days left
    assert send_expiry_reminders(date(year, 12, 5))["sent"] == 0  # that one was sent
    assert send_expiry_reminders(date(year, 12, 24))["sent"] == 1  # 7 days left
    assert send_expiry_reminders(date(year, 12, 30))["sent"] == 0
    sent = mails(app_ctx)
    assert len(sent) == 2 and all(m["To"] == "ana@example.sv" for m in sent)
    assert f"31/12/{year}" in str(sent[0]["Subject"])
    assert f"/solicitudes/{licence.id}" in sent[0].get_content()
    kept = db.session.scalars(sa.select(Notice).order_by(Notice.id)).all()
    assert [n.application_id for n in kept] == [licence.id, licence.id]


def test_a_licence_already_renewed_gets_no_reminder(app_ctx):
    from portal.applications.services import Upload, save_application, start_application
    from portal.renewals.services import renewal_token

    applicant = make_applicant()
    year = local_now().year
    licence = _licence(applicant, year)
    renewal = start_application(
        actor=applicant, procedure=licence.procedure, token=renewal_token(licence), renewing=licence
    )
    result = save_application(
        actor=applicant,
        application=renewal,
        data=LICENCE,
        submit=True,
        uploads={c: Upload(f"{c}.pdf", pdf_bytes()) for c in DOCUMENTS},
    )
    assert result.ok, (result.errors, result.reasons)
    assert send_expiry_reminders(date(year, 12, 1))["sent"] == 0


def test_a_version_with_a_fixed_last_day_reminds_every_holder_before_it(app_ctx):
    """`validity.until`: one last day for every case of the version, whatever its decision day."""
    from datetime import timedelta
    from pathlib import Path

    import workflows
    from portal.procedures.services import publish_definition

    root = Path(__file__).resolve().parents[2]
    data = workflows.load_file(
        root / "workflows/definitions/aplan/licencia-funcionamiento.yaml"
    ).to_dict()
    today = local_now().date()
    data["validity"] = {"until": (today + timedelta(days=7)).isoformat()}
    data["version"] += 1
    publish_definition(workflows.load(data))
    db.session.commit()
    applicant = make_applicant()
    licence = _licence(applicant, today.year - 3)  # decided long ago: the day still decides
    assert send_expiry_reminders(today)["sent"] == 1
    [sent] = mails(app_ctx)
    assert (today + timedelta(days=7)).strftime("%d/%m/%Y") in str(sent["Subject"])
    assert f"/solicitudes/{licence.id}" in sent.get_content()


def test_a_revoked_licence_gets_no_reminder(app_ctx):
    from portal.certificates import services as certificates
    from portal.procedures.services import definition_of
    from tests.portal.helpers import make_staff

    applicant = make_applicant()
    licence = _licence(applicant, local_now().year)
    from tests.portal.test_verification import _approve

    _approve(licence, definition_of(licence.procedure_version))
    document = certificates.get_issued(licence.id, "certificate")
    certificates.revoke_document(
        actor=make_staff("supervisor", "APLAN"),
        application=licence,
        document_id=document.id,
        reason="Funciona sin el permiso de Protección Civil.",
    )
    assert send_expiry_reminders(date(local_now().year, 12, 1))["sent"] == 0
