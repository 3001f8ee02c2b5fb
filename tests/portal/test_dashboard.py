"""Mis solicitudes: pages of cases with who holds each, days left and what to do next."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from portal.applications.models import Application
from portal.extensions import db
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    start,
)
from tests.portal.test_review import _decide


def _copies(application_id: int, count: int) -> list[int]:
    """`count` more filed cases like this one (the same office, state and clock)."""
    model = db.session.get(Application, application_id)
    columns = [c.key for c in sa.inspect(Application).column_attrs if c.key not in ("id",)]
    ids = []
    for _ in range(count):
        values = {key: getattr(model, key) for key in columns}
        token = uuid.uuid4().hex
        values.update(start_token=token, tracking_number=f"TEST-{token[:20]}", lock_version=1)
        copy = Application(**values)
        db.session.add(copy)
        db.session.flush()
        ids.append(copy.id)
    db.session.commit()
    return ids


def _case_ids(page: str) -> list[int]:
    return [
        int(i)
        for i in re.findall(
            r'<h3 class="govuk-summary-card__title"><a [^>]*/solicitudes/(\d+)"', page
        )
    ]


def _queries(client, path: str) -> tuple[int, str]:
    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get(path).get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), page


def test_each_case_says_office_state_holder_days_left_and_next_step(client, app_ctx):
    make_applicant()
    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    waiting = file_new_application(client, token="token-de-prueba-0001")
    working = file_new_application(client, token="token-de-prueba-0002")
    draft = start(client, token="token-de-prueba-0003")
    logout(client)
    login(client, "clerk@example.sv")
    _decide(client, waiting, "prevenir", comment="Falta la firma.")
    logout(client)
    login(client, "ana@example.sv")
    page = client.get("/solicitudes/").get_data(as_text=True)
    drafts, filed = page.split('id="presentadas"')
    assert "Borradores" in drafts and f"/borradores/{draft}/" in drafts
    assert _case_ids(filed) == [working, waiting]  # newest first, drafts apart
    cards = filed.split('<li class="govuk-summary-card app-case">')[1:]
    working_card, waiting_card = cards
    assert (
        "OPAMSS – personal técnico" in working_card and "Presentado (en revisión)" in working_card
    )
    assert re.search(r"Quedan \d+ días hábiles", working_card)
    # The fee was assessed on filing (mandamiento de pago): paying is the applicant's step.
    assert "Pagar" in working_card and "Nada por ahora" not in working_card
    assert "Usted" in waiting_card and "Corregir y reenviar" in waiting_card
    assert "suspendido" in waiting_card
    mine = client.get("/solicitudes/?grupo=su-accion").get_data(as_text=True)
    # Both wait on the applicant: one to be corrected, the other to be paid.
    assert _case_ids(mine) == [working, waiting] and "Borradores" not in mine
    assert _case_ids(client.get("/solicitudes/?grupo=en-tramite").get_data(as_text=True)) == [
        working
    ]
    assert _case_ids(client.get("/solicitudes/?grupo=terminados").get_data(as_text=True)) == []


def test_many_cases_come_in_pages_of_25_with_a_constant_number_of_queries(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    first = file_new_application(client)
    ids = sorted([first, *_copies(first, 59)], reverse=True)  # 60 cases
    client.get("/solicitudes/")  # definitions and calendars are read once per process
    count_first, page_one = _queries(client, "/solicitudes/")
    assert _case_ids(page_one) == ids[:25]
    older = re.search(r'href="/solicitudes/\?despues=(\d+)"', page_one).group(1)
    count_second, page_two = _queries(client, f"/solicitudes/?despues={older}")
    assert _case_ids(page_two) == ids[25:50]
    older = re.search(r'href="/solicitudes/\?despues=(\d+)"', page_two).group(1)
    count_last, page_three = _queries(client, f"/solicitudes/?despues={older}")
    assert _case_ids(page_three) == ids[50:]  # 10 cases, and no "Más antiguas"
    assert "Más antiguas" not in page_three
    newer = re.search(r'href="/solicitudes/\?antes=(\d+)"', page_three).group(1)
    assert (
        _case_ids(client.get(f"/solicitudes/?antes={newer}").get_data(as_text=True)) == ids[25:50]
    )
    # Pages of 25 and of 10 cases: the same statements (no query per case); and the first
    # page (which also lists drafts) costs the same with 60 more cases behind it.
    assert count_second == count_last
    _copies(first, 60)
    client.get("/solicitudes/")  # the account, expired by the copies' commit, is read again
    assert _queries(client, "/solicitudes/")[0] == count_first


def test_a_page_cursor_that_is_not_an_id_is_a_400_page(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    file_new_application(client)
    for bad in ("abc", "-4", "0", "99999999999999999999"):
        response = client.get(f"/solicitudes/?despues={bad}")
        assert response.status_code == 400 and "govuk-template" in response.get_data(as_text=True)


def test_someone_elses_cases_never_appear(client, app_ctx):
    make_applicant()
    login(client, "ana@example.sv")
    file_new_application(client)
    logout(client)
    make_applicant("otro@example.sv", "Otra Persona")
    login(client, "otro@example.sv")
    page = client.get("/solicitudes/").get_data(as_text=True)
    assert _case_ids(page) == [] and "Todavía no ha presentado solicitudes." in page


def test_a_browser_set_to_english_gets_spanish_until_english_is_chosen(client):
    english = {"Accept-Language": "en-US,en;q=0.9"}
    page = client.get("/", headers=english).get_data(as_text=True)
    assert '<html lang="es"' in page and "Trámites" in page
    client.post("/idioma/en", headers=english, data={"next": "/"})
    assert '<html lang="en"' in client.get("/", headers=english).get_data(as_text=True)


def test_an_account_that_chose_english_gets_english_in_a_new_session(client, app):
    with app.app_context():
        user = make_applicant()
        user.locale = "en"
        db.session.commit()
    login(client, "ana@example.sv")
    assert '<html lang="en"' in client.get("/solicitudes/").get_data(as_text=True)


def test_withdrawal_is_offered_only_while_undecided_and_asks_first(client, app_ctx):
    from tests.portal.helpers import decided_case, reload_application

    applicant = make_applicant()
    login(client, "ana@example.sv")
    open_case = file_new_application(client)
    status = client.get(f"/solicitudes/{open_case}").get_data(as_text=True)
    assert f'href="/solicitudes/{open_case}/desistir"' in status
    confirm = client.get(f"/solicitudes/{open_case}/desistir").get_data(as_text=True)
    assert "¿Desistir de la solicitud?" in confirm and "Sí, desistir" in confirm
    assert reload_application(open_case).state == "presentado"  # asking changes nothing
    assert client.post(f"/solicitudes/{open_case}/desistir").status_code == 302
    assert reload_application(open_case).state == "desistido"
    # Sent again (double submission, back then send): the status page, no error, one act.
    client.get(f"/solicitudes/{open_case}")  # the success message is read
    again = client.post(f"/solicitudes/{open_case}/desistir")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/{open_case}")
    shown = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Hay un problema" not in shown and "no está permitida" not in shown
    withdrawn = reload_application(open_case)
    assert withdrawn.state == "desistido"
    assert sum(1 for e in withdrawn.history if e.to_state == "desistido") == 1
    decided = decided_case(applicant, "calificacion-lugar", {"direccion": "Calle Arce 1234"})
    for case in (open_case, decided.id):
        assert "/desistir" not in client.get(f"/solicitudes/{case}").get_data(as_text=True)
        again = client.get(f"/solicitudes/{case}/desistir")
        assert again.status_code == 302 and again.headers["Location"].endswith(f"/{case}")
