"""A newcomer types dates in the day/month/year boxes of a step page and of the one-page
form: each wrong date says at its field what is wrong, and the error summary at the top names
the question of each line (Revisión Vial y Zonificación asks four dates of external opinions,
each already issued: `max: today`, `min: -100y`)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from babel.dates import format_date

from portal.applications.services import today_local
from tests.portal.helpers import login, make_applicant, procedure_id

DATES = {
    "marn_fecha": "Fecha de la resolución del MARN",
    "anda_fecha": "Fecha de la factibilidad de ANDA",
    "electrica_fecha": "Fecha de la factibilidad eléctrica",
    "cbes_fecha": "Fecha del visto bueno del CBES",
}


def _start(client) -> int:
    make_applicant()
    login(client, "ana@example.sv")
    pid = procedure_id("revision-vial-zonificacion")
    started = client.post(f"/solicitudes/nueva/{pid}", data={"token": "token-de-fechas-0001"})
    return int(re.search(r"/(?:borradores|solicitudes)/(\d+)/", started.headers["Location"])[1])


def _step_with_dates(client, application_id: int) -> int:
    for number in range(1, 10):
        page = client.get(f"/borradores/{application_id}/paso/{number}").get_data(as_text=True)
        if 'name="f_marn_fecha-day"' in page:
            return number
    raise AssertionError("no step asks the MARN date")


def _boxes(typed: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    return {
        f"f_{name}-{part}": value
        for name, parts in typed.items()
        for part, value in zip(("day", "month", "year"), parts, strict=True)
    }


def _at_field(page: str, name: str) -> str:
    found = re.search(
        rf'<p id="f_{name}(?:-fecha)?-error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">[^<]*</span>\s*([^<]*?)\s*</p>',
        page,
    )
    assert found, f"no message at {name}"
    return html.unescape(found[1])


def _summary(page: str) -> dict[str, str]:
    box = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert box, "no error summary"
    return {
        href: html.unescape(text.strip())
        for href, text in re.findall(r'<a href="#f_([a-z_]+)">([^<]*)</a>', box[0])
    }


def _check(page: str, expected: dict[str, str]) -> None:
    summary = _summary(page)
    for name, message in expected.items():
        assert _at_field(page, name) == message  # the field's own message names nothing
        assert summary[name] == f"{DATES[name]}: {message}"


def test_wrong_dates_on_a_step_say_what_is_wrong_and_the_summary_names_each(client, app_ctx):
    application_id = _start(client)
    number = _step_with_dates(client, application_id)
    typed = {
        "marn_fecha": ("31", "02", "2026"),
        "anda_fecha": ("0", "13", "2026"),
        "electrica_fecha": ("15", "3", "26"),
        "cbes_fecha": ("15/03/2026", "", ""),
    }
    response = client.post(f"/borradores/{application_id}/paso/{number}", data=_boxes(typed))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    _check(
        page,
        {
            "marn_fecha": "Ese día no existe en febrero de 2026.",
            "anda_fecha": "Escriba el día con cifras, de 1 a 31.",
            "electrica_fecha": "Escriba el año con cuatro cifras, por ejemplo 2026.",
            "cbes_fecha": "Escriba solo el día en esta casilla.",
        },
    )
    for value in ('value="31"', 'value="13"', 'value="26"', 'value="15/03/2026"'):
        assert value in page  # nothing typed is lost


def test_more_wrong_dates_on_a_step(client, app_ctx):
    application_id = _start(client)
    number = _step_with_dates(client, application_id)
    typed = {
        "marn_fecha": ("29", "2", "2027"),
        "anda_fecha": ("30", "4", ""),
        "electrica_fecha": ("00", "5", "20266"),
        "cbes_fecha": ("marzo", "5", "2026"),
    }
    page = client.post(f"/borradores/{application_id}/paso/{number}", data=_boxes(typed)).get_data(
        as_text=True
    )
    _check(
        page,
        {
            "marn_fecha": "Ese día no existe en febrero de 2027.",
            "anda_fecha": "Escriba el día, el mes y el año.",
            "electrica_fecha": "Escriba el día con cifras, de 1 a 31.",
            "cbes_fecha": "Escriba el día con cifras, de 1 a 31.",
        },
    )
    typed = {
        "marn_fecha": ("1º", "5", "2026"),
        "anda_fecha": ("7", "13", "2026"),
        "electrica_fecha": (" 5 ", "marzo", "2026"),  # a good date: no error
    }
    page = client.post(f"/borradores/{application_id}/paso/{number}", data=_boxes(typed)).get_data(
        as_text=True
    )
    _check(
        page,
        {
            "marn_fecha": "Escriba el día con cifras, de 1 a 31.",
            "anda_fecha": "El mes va de 1 a 12.",
        },
    )
    assert "f_electrica_fecha-fecha-error" not in page


def test_dates_outside_their_limits_name_the_limit_on_the_one_page_form(client, app_ctx):
    application_id = _start(client)
    today = today_local()
    tomorrow = today + timedelta(days=1)
    typed = {
        "marn_fecha": (str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)),
        "anda_fecha": ("7", "3", "1800"),
        "electrica_fecha": ("31", "2", "2026"),
        "cbes_fecha": (str(today.day), str(today.month), str(today.year)),  # today: fine
    }
    response = client.post(f"/solicitudes/{application_id}/editar", data=_boxes(typed))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    earliest = today.replace(year=today.year - 100)
    _check(
        page,
        {
            "marn_fecha": f"La fecha debe ser el {format_date(today, 'long', locale='es')}"
            " o anterior.",
            "anda_fecha": f"La fecha debe ser el {format_date(earliest, 'long', locale='es')}"
            " o posterior.",
            "electrica_fecha": "Ese día no existe en febrero de 2026.",
        },
    )
    assert "f_cbes_fecha-fecha-error" not in page
