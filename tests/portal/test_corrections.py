"""A correction round: the applicant sees what the office marked, and may change only that."""

from __future__ import annotations

import re

from portal.applications.facts import facts_for
from portal.applications.services import act_on_application
from portal.procedures.services import definition_of
from portal.review import services as review
from tests.portal.helpers import (
    documents,
    login,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
    submit,
)
from tests.portal.test_back_office import REGISTRATION, _filed
from workflows.guards import review_items

NAME_REASON = "El nombre comercial no coincide con el de la matrícula."
BILL_REASON = "El recibo de energía tiene más de tres meses."
FIELDS = {f"f_{name}": value for name, value in REGISTRATION.items()}


def _asked_to_correct(client, *, marked: bool) -> int:
    """A filed registration the clerk sent back: two items marked NO, or only a comment."""
    application = _filed(make_applicant())
    clerk = make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    act_on_application(actor=clerk, application=application, action="tomar")
    application = reload_application(application.id)
    if marked:
        items = review_items(
            definition_of(application.procedure_version), facts_for(application, "clerk")
        )
        verdicts = dict.fromkeys(items, (True, ""))
        verdicts["nombre_comercial"] = (False, NAME_REASON)
        verdicts["recibo_energia"] = (False, BILL_REASON)
        review.record_verdicts(actor=clerk, application=application, verdicts=verdicts, items=items)
    act_on_application(
        actor=clerk,
        application=reload_application(application.id),
        action="prevenir",
        comment="Revise lo marcado.",
    )
    login(client, "ana@example.sv")
    return application.id


def test_the_form_shows_each_marked_item_with_its_reason_and_locks_the_rest(client, app_ctx):
    application_id = _asked_to_correct(client, marked=True)
    page = client.get(f"/solicitudes/{application_id}/editar").get_data(as_text=True)
    summary = page[page.index("Corrección solicitada") :]
    assert "Revise lo marcado." in summary
    assert 'href="#f_nombre_comercial"' in summary and 'href="#d_recibo_energia"' in summary
    assert NAME_REASON in summary and BILL_REASON in summary
    # Each reason sits just before its field (no other field between), which stays editable.
    for name, reason in (("f_nombre_comercial", NAME_REASON), ("d_recibo_energia", BILL_REASON)):
        between = page[
            page.index(reason, page.index("app-correction-note")) : page.index(f'id="{name}"')
        ]
        assert {i.split("-")[0] for i in re.findall(r'id="([fd]_[a-z_]+)', between)} <= {name}
        before = page[: page.index(f'id="{name}"')]
        assert before.rfind("app-locked-item") < before.rfind("</fieldset>")
    # An unmarked field and an unmarked document are inside a disabled fieldset.
    for unmarked in ('id="f_horario"', 'id="d_dui_nit"'):
        before = page[: page.index(unmarked)]
        assert before.rfind('app-locked-item" disabled') > before.rfind("</fieldset>")


def test_changes_to_unmarked_items_are_refused_and_the_correction_is_sent(client, app_ctx):
    application_id = _asked_to_correct(client, marked=True)
    fields = dict(FIELDS)
    fields["f_nombre_comercial"] = "Pupusería La Ceiba de Santa Tecla"
    fields["f_horario"] = "08:00 a 22:00"  # not marked: a forged change
    files = documents(recibo_energia=pdf_bytes(2), dui_nit=pdf_bytes(3))
    response = submit(client, application_id, fields=fields, files=files)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Corrección enviada" in page
    assert "No se guardaron sus cambios en:" in page and "DUI" in page
    application = reload_application(application_id)
    assert application.state == "en_revision"
    assert application.data["nombre_comercial"] == fields["f_nombre_comercial"]
    assert application.data["horario"] == REGISTRATION["horario"]
    replaced = {d.requirement_code for d in application.documents if d.replaced_at}
    assert replaced == {"recibo_energia"}


def test_a_general_prevencion_leaves_everything_editable(client, app_ctx):
    application_id = _asked_to_correct(client, marked=False)
    page = client.get(f"/solicitudes/{application_id}/editar").get_data(as_text=True)
    assert "Revise lo marcado." in page and "app-locked-item" not in page
    fields = dict(FIELDS, f_horario="08:00 a 22:00")
    response = submit(client, application_id, fields=fields, files={})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Corrección enviada" in page and "No se guardaron" not in page
    assert reload_application(application_id).data["horario"] == "08:00 a 22:00"


def test_the_status_page_shows_the_clock_suspended_and_resumed(client, app_ctx):
    application_id = _asked_to_correct(client, marked=False)
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "plazo suspendido" in status and "Revise lo marcado." in status
    assert "Corregir y reenviar" in client.get("/solicitudes/").get_data(as_text=True)
    submit(client, application_id, fields=FIELDS, files={})
    status = client.get(f"/solicitudes/{application_id}").get_data(as_text=True)
    assert "plazo suspendido" in status and "plazo reanudado" in status


def test_the_correction_page_sends_a_correction_not_a_new_application(client, app_ctx):
    application_id = _asked_to_correct(client, marked=False)  # marked items: tests/e2e
    page = client.get(f"/solicitudes/{application_id}/editar").get_data(as_text=True)
    assert "Enviar corrección" in page and "Presentar solicitud" not in page


def test_the_prevencion_is_shown_once_with_its_line_breaks_and_the_clock_names_it(client, app_ctx):
    from portal.applications.effects import local_now

    application = _filed(make_applicant())
    clerk = make_staff("clerk", "0511", email="registro@santatecla.example.sv")
    act_on_application(actor=clerk, application=application, action="tomar")
    reason = "Falta la firma del profesional.\nEl plano no tiene escala.\n\nTraiga ambos."
    act_on_application(
        actor=clerk,
        application=reload_application(application.id),
        action="prevenir",
        comment=reason,
    )
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    # The reason, as written (its line breaks kept by `app-pre-line`), under the request.
    assert re.search(
        r'class="[^"]*app-pre-line[^"]*">\s*Falta la firma del profesional\.\n', status
    )
    today = local_now().date().strftime("%d/%m/%Y")
    clock = status[status.index("Cambios del plazo legal") :]
    clock = clock[: clock.index("</ul>")]
    assert f"plazo suspendido por la prevención del {today}" in clock
    assert "Falta la firma" not in clock
    # The legal period is a date; the unit is how it is counted, not after the date.
    assert "(días hábiles)." not in status
