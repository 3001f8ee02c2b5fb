"""The deciding officer gives what the procedure sheet promises (issue 6, item 11)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.applications.models import Application, HistoryEntry
from portal.certificates.models import IssuedDocument
from portal.certificates.services import read_pdf
from portal.extensions import db
from portal.payments.models import PaymentOrder
from portal.procedures.services import get_procedure, latest_version
from tests.portal import pdf_probe
from tests.portal.helpers import login, make_applicant, make_staff

FILED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TAX_CLASS = "Comercio, categoría B (activo $12,000 a $34,000)"


def case_waiting_for_classification(authority: str) -> int:
    procedure = get_procedure(authority, "inscripcion-establecimiento")
    application = Application(
        procedure=procedure,
        procedure_version=latest_version(procedure),
        applicant=make_applicant(),
        authority_id=procedure.authority_id,
        district_id=procedure.authority_id,
        start_token="t-outputs",
        tracking_number=f"{procedure.authority.tracking_prefix}-2026-000007",
        state="calificacion",
        data={"nombre_titular": "Panadería La Espiga, S.A. de C.V.", "tipo_persona": "juridica"},
        filed_at=FILED,
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        PaymentOrder(
            application_id=application.id,
            number=f"MP-{authority}-7",
            serial=f"{procedure.authority.tracking_prefix}-MAND-2026-000007",
            amount=Decimal("15.00"),
            lines=[],
            status="paid",
            paid_at=FILED,
        )
    )
    db.session.commit()
    return application.id


def revealed_under(page: str, action: str) -> tuple[bool, str]:
    """Whether the inputs under an action's radio start hidden, and their HTML."""
    target = page.split(f'value="{action}"')[1].split('data-aria-controls="')[1].split('"')[0]
    opening, rest = page.split(f'id="{target}">')[0], page.split(f'id="{target}">')[1]
    return (
        "govuk-radios__conditional--hidden" in opening.rsplit("<div", 1)[1],
        rest.split('class="govuk-radios__item"')[0],
    )


@pytest.mark.parametrize(
    ("authority", "place"), [("0511", "Santa Tecla"), ("0614", "San Salvador")]
)
def test_registration_asks_the_officer_for_the_account_and_prints_it_dated_at_the_seat(
    client, app_ctx, run_jobs, tmp_path: Path, authority: str, place: str
) -> None:
    application_id = case_waiting_for_classification(authority)
    make_staff("supervisor", authority, f"jefa.{authority}@example.sv")
    login(client, f"jefa.{authority}@example.sv")

    page = client.get(f"/bandeja/{application_id}").get_data(as_text=True)
    # The inputs are revealed under the "Calificar e inscribir" choice (GOV.UK conditional).
    hidden, conditional = revealed_under(page, "inscribir")
    assert hidden  # until that choice is made
    assert 'name="o_inscribir__cuenta_contribuyente"' in conditional
    assert 'name="o_inscribir__calificacion_tributaria"' in conditional
    assert "Número de cuenta del contribuyente" in page
    assert "Calificación tributaria del establecimiento" in page

    # Nothing given, then an account with spaces: refused at the field, the typed text kept.
    for account, message in [
        ("", "Este dato es obligatorio."),
        ("cuenta 12", "El formato no es válido."),
        ("9" * 31, "Escriba como máximo 30 caracteres."),
    ]:
        response = client.post(
            f"/bandeja/{application_id}",
            data={
                "action": "inscribir",
                "lock_version": "1",
                "o_inscribir__cuenta_contribuyente": account,
                "o_inscribir__calificacion_tributaria": "Comercio, categoría B",
            },
        )
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in body
        assert not revealed_under(body, "inscribir")[0]  # shown open with the error
        assert "Comercio, categoría B" in body
        assert db.session.get(Application, application_id).state == "calificacion"

    response = client.post(
        f"/bandeja/{application_id}",
        data={
            "action": "inscribir",
            "lock_version": "1",
            "o_inscribir__cuenta_contribuyente": " 0511-2026-000123 ",
            "o_inscribir__calificacion_tributaria": TAX_CLASS,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.action == "inscribir")
    ).one()
    assert entry.outputs == {
        "cuenta_contribuyente": "0511-2026-000123",
        "calificacion_tributaria": TAX_CLASS,
    }

    run_jobs()
    document = db.session.scalars(
        sa.select(IssuedDocument).where(IssuedDocument.application_id == application_id)
    ).one()
    found = pdf_probe.pages(read_pdf(document), tmp_path)
    assert pdf_probe.page_of(found, "Número de cuenta del contribuyente 0511-2026-000123") == [1]
    assert pdf_probe.page_of(found, "Calificación tributaria del establecimiento Comercio") == [1]
    assert 1 in pdf_probe.page_of(found, f"{place}, ")
    assert pdf_probe.page_of(found, "San Salvador, ") == ([1] if place == "San Salvador" else [])


def test_other_actions_do_not_ask_for_the_outputs(client, app_ctx) -> None:
    application_id = case_waiting_for_classification("0511")
    make_staff("supervisor", "0511", "jefa@example.sv")
    login(client, "jefa@example.sv")

    response = client.post(
        f"/bandeja/{application_id}",
        data={"action": "denegar", "lock_version": "1", "comment": "El local no es apto."},
    )

    assert response.status_code == 302
    entry = db.session.scalars(
        sa.select(HistoryEntry).where(HistoryEntry.action == "denegar")
    ).one()
    assert entry.outputs is None
