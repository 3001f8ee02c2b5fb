"""Inspections: scheduled by the office, listed for their inspector, recorded with a checklist
and photos, shown on the case, and read by the engine's `inspection_recorded` guard."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from portal.extensions import db
from tests.portal.helpers import (
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_bytes,
    reload_application,
)

#: The smallest PNG and JPEG headers: the portal decides the type by content, as a browser would.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
LICENCIA = ("APLAN", "licencia-funcionamiento")


def case_in_state(applicant, authority: str, slug: str, state: str):
    """A filed case of `slug` in `state`, as filing and the office's acts would leave it:
    a tracking number, its legal clock started today, its deadlines derived."""
    from portal.applications import clocks, effects
    from portal.applications.models import Application
    from portal.extensions import utcnow
    from portal.procedures.services import definition_of, get_procedure, latest_version

    procedure = get_procedure(authority, slug)
    version = latest_version(procedure)
    definition = definition_of(version)
    application = Application(
        procedure_id=procedure.id,
        procedure_version_id=version.id,
        applicant_id=applicant.id,
        authority_id=procedure.authority_id,
        start_token=uuid.uuid4().hex,
        state=state,
        data={},
    )
    db.session.add(application)
    db.session.flush()
    effects.assign_tracking_number(application)
    application.filed_at = utcnow() - timedelta(days=3)
    application.state_entered_at = utcnow() - timedelta(days=1)
    calendar = clocks.calendar_of(application)
    today = effects.local_now().date()
    clocks.start_clock(application, definition, calendar, today - timedelta(days=3))
    clocks.derive_deadlines(application, definition, calendar)
    db.session.commit()
    return reload_application(application.id)


def boxes(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def today():
    from portal.applications.effects import local_now

    return local_now().date()


def workday(application, after=None):
    """The first working day of the case's office on or after `after` (today by default):
    visits are scheduled on one (`workflows.calendar`)."""
    from portal.applications import clocks

    return clocks.calendar_of(application).next_business_day(after or today())


def _staff():
    return {
        "clerk": make_staff("clerk", "APLAN", email="clerk@aplan.example.sv"),
        "supervisor": make_staff("supervisor", "APLAN", email="jefa@aplan.example.sv"),
        "inspector": make_staff("inspector", "APLAN", email="ines@aplan.example.sv"),
        "other_inspector": make_staff("inspector", "APLAN", email="otro@aplan.example.sv"),
        "far_inspector": make_staff("inspector", "0511", email="lejos@ste.example.sv"),
        "far_clerk": make_staff("clerk", "0511", email="clerk@ste.example.sv"),
    }


def _inspections(application_id):
    """The case's visits, first scheduled first."""
    from portal.inspections.models import InspectionVisit

    db.session.expire_all()
    return db.session.scalars(
        sa.select(InspectionVisit)
        .where(InspectionVisit.application_id == application_id)
        .order_by(InspectionVisit.id)
    ).all()


def _records(application_id):
    from portal.review.models import Inspection

    return db.session.scalars(
        sa.select(Inspection)
        .where(Inspection.application_id == application_id)
        .order_by(Inspection.id)
    ).all()


def _schedule(client, application, inspector, day=None, **extra):
    return client.post(
        f"/bandeja/{application.id}/inspecciones/programar",
        data={
            "scheduled_for": boxes(day or workday(application)),
            "inspector": str(inspector.id),
            **extra,
        },
    )


def _answers(**overrides) -> dict:

    application_definition = definition_of_licencia()
    data = {f"c_{item.code}": "cumple" for item in application_definition.inspection.checklist}
    return data | overrides


def definition_of_licencia():
    from portal.procedures.services import definition_of, get_procedure, latest_version

    return definition_of(latest_version(get_procedure(*LICENCIA)))


def _record(client, application, inspection, photos=(), **overrides):
    data = {
        "visited_on": boxes(today()),
        "result": "con_observaciones",
        "notes": "Local en orden; falta señalizar una salida.",
        **_answers(),
        **overrides,
    }
    data["photos"] = list(photos)
    return client.post(
        f"/bandeja/{application.id}/visitas/{inspection.id}/registro",
        data=data,
        content_type="multipart/form-data",
    )


def _scheduled(client, staff):
    """A licence case in `presentado`, its visit scheduled by the clerk for the inspector."""
    from portal.applications.services import act_on_application

    application = case_in_state(make_applicant(), *LICENCIA, "presentado")
    login(client, "clerk@aplan.example.sv")
    assert (
        _schedule(client, application, staff["inspector"], notes="Llamar antes.").status_code == 302
    )
    act_on_application(
        actor=staff["clerk"],
        application=reload_application(application.id),
        action="programar_visita",
    )
    logout(client)
    return reload_application(application.id), _inspections(application.id)[-1]


def test_a_visit_is_scheduled_listed_recorded_with_checklist_and_photos_and_shown(client, app_ctx):
    from portal.applications.services import act_on_application
    from portal.inspections.models import InspectionAnswer, InspectionPhoto

    staff = _staff()
    application, visit = _scheduled(client, staff)
    assert visit.status == "scheduled" and visit.scheduled_for == workday(application)
    assert visit.inspector_id == staff["inspector"].id and visit.notes == "Llamar antes."

    # The inspector's own queue lists it; another inspector's does not.
    login(client, "otro@aplan.example.sv")
    assert application.tracking_number not in client.get("/bandeja/inspecciones").get_data(True)
    logout(client)
    login(client, "ines@aplan.example.sv")
    queue = client.get("/bandeja/inspecciones").get_data(as_text=True)
    assert application.tracking_number in queue
    form = client.get(f"/bandeja/{application.id}/visitas/{visit.id}/registro")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "Extintores" in page or "extintores" in page
    assert 'name="c_uso_suelo"' in page and 'value="no_aplica"' in page

    # Not yet recorded: the engine refuses to go on.
    from portal.errors import DomainError

    try:
        act_on_application(
            actor=staff["inspector"], application=application, action="registrar_visita"
        )
    except DomainError as refused:
        assert "inspection_not_recorded" in {r.code for r in refused.params["reasons"]}
    else:
        raise AssertionError("the visit was not recorded yet")

    recorded = _record(
        client,
        application,
        visit,
        photos=[
            (io.BytesIO(PNG), "salida.png"),
            (io.BytesIO(JPEG), "extintor.jpg"),
        ],
        c_salidas_emergencia="no_cumple",
        o_salidas_emergencia="La salida trasera no está señalizada.",
        c_rotulos="no_aplica",
    )
    assert recorded.status_code == 302
    assert _inspections(application.id)[-1].status == "recorded"
    (record,) = _records(application.id)
    assert record.result == "con_observaciones" and record.visit_id == visit.id
    answers = {
        a.item: (a.answer, a.observation) for a in db.session.scalars(sa.select(InspectionAnswer))
    }
    assert answers["salidas_emergencia"] == ("no_cumple", "La salida trasera no está señalizada.")
    assert answers["rotulos"][0] == "no_aplica" and len(answers) == 6
    photos = db.session.scalars(sa.select(InspectionPhoto).order_by(InspectionPhoto.id)).all()
    assert [p.content_type for p in photos] == ["image/png", "image/jpeg"]

    # The engine goes on, and the case page shows the visit, its checklist and its photos.
    act_on_application(
        actor=staff["inspector"],
        application=reload_application(application.id),
        action="registrar_visita",
    )
    logout(client)
    login(client, "jefa@aplan.example.sv")
    case = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Visita del " + today().strftime("%d/%m/%Y") in case
    assert "La salida trasera no está señalizada." in case and "No cumple" in case
    assert "Con observaciones" in case
    sources = re.findall(r'<img class="app-thumbnail" src="([^"]+)"', case)
    assert len(sources) == 2
    image = client.get(sources[0])
    assert image.status_code == 200 and image.data == PNG
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.headers["Cache-Control"] == "private, no-store"


def test_the_inspector_is_one_of_the_case_scope_and_the_day_not_past(client, app_ctx):
    staff = _staff()
    application = case_in_state(make_applicant(), *LICENCIA, "presentado")
    login(client, "clerk@aplan.example.sv")
    page = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Programar inspección" in page
    options = re.findall(r'<option value="(\d+)"', page)
    assert str(staff["inspector"].id) in options
    assert str(staff["far_inspector"].id) not in options  # another district's inspector
    far = _schedule(client, application, staff["far_inspector"], notes="Indicaciones escritas")
    assert far.status_code == 200
    text = far.get_data(as_text=True)
    assert "Elija una de las opciones." in text and "Indicaciones escritas" in text
    past = _schedule(client, application, staff["inspector"], day=today() - timedelta(days=1))
    assert "no puede ser anterior a hoy" in past.get_data(as_text=True)
    missing = client.post(
        f"/bandeja/{application.id}/inspecciones/programar",
        data={"scheduled_for": ["", "", ""], "inspector": ""},
    ).get_data(as_text=True)
    assert "Escriba la fecha" in missing and "Elija quién hará la visita." in missing
    assert _inspections(application.id) == []


def test_scheduling_twice_keeps_one_visit_and_another_is_refused_at_the_date(client, app_ctx):
    staff = _staff()
    application = case_in_state(make_applicant(), *LICENCIA, "presentado")
    login(client, "clerk@aplan.example.sv")
    assert _schedule(client, application, staff["inspector"]).status_code == 302
    assert _schedule(client, application, staff["inspector"]).status_code == 302
    assert len(_inspections(application.id)) == 1
    later = workday(application, workday(application) + timedelta(days=1))
    other = _schedule(client, application, staff["other_inspector"], day=later)
    assert other.status_code == 200 and "Ya hay una visita programada" in other.get_data(True)
    assert len(_inspections(application.id)) == 1


def test_only_the_inspector_given_the_visit_records_it_refusals_audited(client, app_ctx):
    from portal.accounts.models import AuditEvent

    staff = _staff()
    application, visit = _scheduled(client, staff)
    path = f"/bandeja/{application.id}/visitas/{visit.id}/registro"
    cases = {
        "otro@aplan.example.sv": 403,  # the wrong inspector
        "clerk@aplan.example.sv": 403,  # a role that does not record visits
        "lejos@ste.example.sv": 404,  # another district's inspector
        "clerk@ste.example.sv": 404,
    }
    for email, status in cases.items():
        login(client, email)
        assert client.get(path).status_code == status, email
        assert _record(client, application, visit).status_code == status, email
        logout(client)
    applicant = make_applicant("otra@example.sv", "Otra Persona")
    login(client, "otra@example.sv")
    assert _record(client, application, visit).status_code in (403, 404)
    logout(client)
    login(client, "ana@example.sv")  # the case's own applicant: a back-office route
    assert client.get(path).status_code == 403
    assert applicant.id
    denials = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "access.denied", AuditEvent.subject == path
        )
    )
    assert denials >= 10
    assert _inspections(application.id)[-1].status == "scheduled"


def test_scheduling_is_refused_to_other_roles_districts_and_applicants(client, app_ctx):
    staff = _staff()
    application = case_in_state(make_applicant(), *LICENCIA, "presentado")
    path = f"/bandeja/{application.id}/inspecciones/programar"
    for email, status in (
        ("ines@aplan.example.sv", 403),
        ("clerk@ste.example.sv", 404),
        ("ana@example.sv", 403),
    ):
        login(client, email)
        response = client.post(
            path, data={"scheduled_for": boxes(today()), "inspector": str(staff["inspector"].id)}
        )
        assert response.status_code == status, email
        logout(client)
    assert _inspections(application.id) == []


def test_a_checklist_item_left_out_or_not_complying_without_why_is_refused_at_it(client, app_ctx):
    staff = _staff()
    application, visit = _scheduled(client, staff)
    login(client, "ines@aplan.example.sv")
    answers = _answers()
    answers.pop("c_aforo")
    data = {"visited_on": boxes(today()), "result": "conforme", "notes": "Acta escrita", **answers}
    left_out = client.post(
        f"/bandeja/{application.id}/visitas/{visit.id}/registro", data=data
    ).get_data(as_text=True)
    assert "Elija cumple, no cumple o no aplica." in left_out and "Acta escrita" in left_out
    unexplained = _record(client, application, visit, c_extintores="no_cumple")
    assert "Escriba la observación" in unexplained.get_data(as_text=True)
    not_an_image = _record(
        client, application, visit, photos=[(io.BytesIO(pdf_bytes()), "acta.pdf")]
    )
    assert "JPG o PNG" in not_an_image.get_data(as_text=True)
    assert _inspections(application.id)[-1].status == "scheduled"


def test_recording_twice_changes_nothing_the_second_time(client, app_ctx):
    from portal.applications.models import HistoryEntry

    staff = _staff()
    application, visit = _scheduled(client, staff)
    login(client, "ines@aplan.example.sv")
    assert _record(client, application, visit).status_code == 302
    again = _record(client, application, visit, result="no_conforme")
    assert again.status_code == 302
    (record,) = _records(application.id)
    assert record.result == "con_observaciones"
    acts = db.session.scalars(
        sa.select(HistoryEntry.action).where(
            HistoryEntry.application_id == application.id,
            HistoryEntry.action == "record_inspection",
        )
    ).all()
    assert len(acts) == 1


def test_a_visit_is_rescheduled_or_cancelled_with_a_reason_the_applicant_never_reads(
    client, app_ctx
):
    staff = _staff()
    application, visit = _scheduled(client, staff)
    login(client, "clerk@aplan.example.sv")
    base = f"/bandeja/{application.id}/visitas/{visit.id}"
    later = workday(application, today() + timedelta(days=3))
    no_reason = client.post(
        f"{base}/reprogramar",
        data={"scheduled_for": boxes(later), "inspector": str(staff["other_inspector"].id)},
    )
    assert no_reason.status_code == 200 and "Escriba el motivo." in no_reason.get_data(True)
    moved = client.post(
        f"{base}/reprogramar",
        data={
            "scheduled_for": boxes(later),
            "inspector": str(staff["other_inspector"].id),
            "reason": "La inspectora está de vacaciones.",
        },
    )
    assert moved.status_code == 302
    visit = _inspections(application.id)[-1]
    assert visit.scheduled_for == later and visit.inspector_id == staff["other_inspector"].id
    assert client.post(f"{base}/cancelar", data={"reason": ""}).status_code == 200
    assert client.post(f"{base}/cancelar", data={"reason": "Motivo interno X"}).status_code == 302
    assert client.post(f"{base}/cancelar", data={"reason": "Motivo interno X"}).status_code == 302
    visit = _inspections(application.id)[-1]
    assert visit.status == "cancelled" and visit.cancel_reason == "Motivo interno X"
    case = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert "Visita cancelada" in case and "Motivo interno X" in case
    assert "Programar inspección" in case  # a new one may be scheduled
    logout(client)
    login(client, "ana@example.sv")
    status = client.get(f"/solicitudes/{application.id}").get_data(as_text=True)
    assert "Inspección cancelada" in status
    assert "Motivo interno X" not in status and "vacaciones" not in status


def test_the_queue_puts_overdue_visits_first(client, app_ctx):
    from portal.inspections.models import InspectionVisit

    staff = _staff()
    first = case_in_state(make_applicant(), *LICENCIA, "visita_tecnica")
    second = case_in_state(make_applicant("b@example.sv", "Beatriz"), *LICENCIA, "visita_tecnica")
    third = case_in_state(make_applicant("c@example.sv", "Carla"), *LICENCIA, "visita_tecnica")
    for application, day in (
        (first, today() + timedelta(days=2)),
        (second, today() - timedelta(days=2)),
        (third, today()),
    ):
        db.session.add(
            InspectionVisit(
                application_id=application.id,
                inspector_id=staff["inspector"].id,
                status="scheduled",
                scheduled_for=day,
                scheduled_by_id=staff["clerk"].id,
            )
        )
    db.session.commit()
    login(client, "ines@aplan.example.sv")
    page = client.get("/bandeja/inspecciones").get_data(as_text=True)
    assert page.index(second.tracking_number) < page.index(first.tracking_number)
    assert "Vencida" in page and "Hoy" in page


def test_moving_cancelling_and_photos_are_refused_out_of_scope(client, app_ctx):
    staff = _staff()
    application, visit = _scheduled(client, staff)
    login(client, "ines@aplan.example.sv")
    assert (
        _record(client, application, visit, photos=[(io.BytesIO(PNG), "f.png")]).status_code == 302
    )
    logout(client)
    (record,) = _records(application.id)
    from portal.inspections.models import InspectionPhoto

    photo = db.session.scalar(sa.select(InspectionPhoto))
    photo_path = f"/bandeja/{application.id}/inspecciones/{record.id}/fotos/{photo.id}"
    base = f"/bandeja/{application.id}/visitas/{visit.id}"
    data = {"scheduled_for": boxes(today()), "inspector": str(staff["inspector"].id), "reason": "x"}
    for email, status in (
        ("clerk@ste.example.sv", 404),
        ("lejos@ste.example.sv", 404),
        ("ana@example.sv", 403),
    ):
        login(client, email)
        assert client.get(photo_path).status_code == status, email
        for action in ("reprogramar", "cancelar"):
            assert client.post(f"{base}/{action}", data=data).status_code == status, email
        logout(client)
    login(client, "ines@aplan.example.sv")  # the inspector may not move visits
    for action in ("reprogramar", "cancelar"):
        assert client.post(f"{base}/{action}", data=data).status_code == 403
    assert client.get(photo_path).status_code == 200  # staff of the office see the photos
    # A photo named under another case's inspection is no photo at all.
    other = case_in_state(make_applicant("b@example.sv", "Beatriz"), *LICENCIA, "presentado")
    assert (
        client.get(f"/bandeja/{other.id}/inspecciones/{record.id}/fotos/{photo.id}").status_code
        == 404
    )


# ---------------------------------------------------------------- what a newcomer ran into


def _scheduled_ahead(client, staff):
    """A licence case still in `presentado` whose visit the clerk scheduled ahead of the
    inspection state (the workflow lets whoever sends the case there schedule it first)."""
    application = case_in_state(make_applicant(), *LICENCIA, "presentado")
    login(client, "clerk@aplan.example.sv")
    assert _schedule(client, application, staff["inspector"]).status_code == 302
    logout(client)
    return application, _inspections(application.id)[-1]


def test_a_visit_scheduled_ahead_is_listed_as_not_yet_recordable_and_explained(client, app_ctx):
    from portal.applications.services import act_on_application

    staff = _staff()
    application, visit = _scheduled_ahead(client, staff)
    waiting = definition_of_licencia().state("visita_tecnica").label.es
    path = f"/bandeja/{application.id}/visitas/{visit.id}/registro"
    login(client, "ines@aplan.example.sv")
    queue = client.get("/bandeja/inspecciones").get_data(as_text=True)
    assert application.tracking_number in queue
    assert f"Se podrá registrar cuando el expediente llegue a «{waiting}»." in queue
    assert f'href="{path}"' not in queue  # no link that leads to a refusal
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Esta visita todavía no se puede registrar" in text and waiting in text
    assert 'name="c_extintores"' not in text
    case = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert f"llegue a «{waiting}»" in case and "Registrar esta visita" not in case
    sent = _record(client, application, visit)
    assert sent.status_code == 409 and waiting in sent.get_data(as_text=True)
    assert _records(application.id) == [] and _inspections(application.id)[-1].status == "scheduled"
    logout(client)

    # Once the case gets there, the queue links to the record page and it records.
    act_on_application(
        actor=staff["clerk"],
        application=reload_application(application.id),
        action="programar_visita",
    )
    login(client, "ines@aplan.example.sv")
    queue = client.get("/bandeja/inspecciones").get_data(as_text=True)
    assert f'href="{path}"' in queue and "Se podrá registrar" not in queue
    assert _record(client, application, visit).status_code == 302
    assert len(_records(application.id)) == 1


def test_the_plain_inspection_form_never_records_a_second_contradictory_inspection(client, app_ctx):
    staff = _staff()
    application, visit = _scheduled(client, staff)
    login(client, "ines@aplan.example.sv")
    case = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    plain = f'action="/bandeja/{application.id}/inspeccion"'
    assert plain not in case  # a checklist procedure: the visit is recorded item by item
    assert _record(client, application, visit).status_code == 302
    case = client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    assert plain not in case
    refused = client.post(
        f"/bandeja/{application.id}/inspeccion",
        data={"visited_on": boxes(today()), "result": "conforme", "notes": "Otra acta"},
    )
    assert refused.status_code == 200
    assert "programe la visita y regístrela" in refused.get_data(as_text=True)
    (record,) = _records(application.id)
    assert record.visit_id == visit.id and record.result == "con_observaciones"


def test_a_procedure_without_checklist_records_one_plain_inspection_per_state(client, app_ctx):
    from tests.portal.test_back_office import _filed, _in_inspection

    application = _in_inspection(_filed(make_applicant()))
    make_staff("inspector", "0511", email="inspector@santatecla.example.sv")
    login(client, "inspector@santatecla.example.sv")
    plain = f'action="/bandeja/{application.id}/inspeccion"'
    assert plain in client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    path = f"/bandeja/{application.id}/inspeccion"
    first = {"visited_on": boxes(today()), "result": "conforme", "notes": "Local en orden."}
    assert client.post(path, data=first).status_code == 302
    assert client.post(path, data=first).status_code == 302  # sent twice: nothing new
    assert plain not in client.get(f"/bandeja/{application.id}").get_data(as_text=True)
    second = client.post(path, data=first | {"result": "no_conforme", "notes": "Otra"})
    assert second.status_code == 200
    assert "Ya se registró una inspección en esta etapa" in second.get_data(as_text=True)
    (record,) = _records(application.id)
    assert record.result == "conforme"


def _days_off(application):
    """A Sunday and a holiday ahead of today on the case's office calendar."""
    from portal.applications import clocks

    calendar = clocks.calendar_of(application)
    sunday = today() + timedelta(days=(6 - today().weekday()) or 7)
    holiday = next(
        off.day
        for year in (today().year, today().year + 1)
        for off in calendar.days_off(year)
        if off.day > today() and off.day.weekday() < 5
    )
    return calendar, sunday, holiday


def test_a_visit_on_a_sunday_or_a_holiday_is_refused_at_the_date_naming_the_day(client, app_ctx):
    from flask_babel import format_date

    staff = _staff()
    application = case_in_state(make_applicant(), *LICENCIA, "presentado")
    calendar, sunday, holiday = _days_off(application)
    login(client, "clerk@aplan.example.sv")
    for day in (sunday, holiday):
        refused = _schedule(client, application, staff["inspector"], day=day, notes="Llamar")
        text = refused.get_data(as_text=True)
        assert refused.status_code == 200, day
        assert f"El {format_date(day, 'full')} no es día hábil de la oficina" in text, day
        assert calendar.reason(day).name["es"] in text
        assert format_date(calendar.next_business_day(day), "full") in text
        assert "Llamar" in text  # nothing typed is lost
    assert "domingo" in _schedule(client, application, staff["inspector"], day=sunday).get_data(
        as_text=True
    )
    assert _inspections(application.id) == []
    # Moving a visit to a day off is refused the same way.
    assert _schedule(client, application, staff["inspector"]).status_code == 302
    visit = _inspections(application.id)[-1]
    moved = client.post(
        f"/bandeja/{application.id}/visitas/{visit.id}/reprogramar",
        data={
            "scheduled_for": boxes(sunday),
            "inspector": str(staff["inspector"].id),
            "reason": "Lluvia",
        },
    )
    assert "no es día hábil de la oficina" in moved.get_data(as_text=True)
    assert _inspections(application.id)[-1].scheduled_for == workday(application)


def test_conforme_with_an_item_that_fails_is_refused_at_the_result(client, app_ctx):
    staff = _staff()
    application, visit = _scheduled(client, staff)
    login(client, "ines@aplan.example.sv")
    contradicting = _record(
        client,
        application,
        visit,
        result="conforme",
        c_extintores="no_cumple",
        o_extintores="Vencidos desde marzo.",
    )
    text = contradicting.get_data(as_text=True)
    assert contradicting.status_code == 200
    assert "no puede ser «Conforme» si algún punto de la lista no cumple" in text
    assert "Vencidos desde marzo." in text
    assert _records(application.id) == []
    for result in ("con_observaciones", "no_conforme"):
        assert "no puede ser «Conforme»" not in _record(
            client, application, visit, result=result, c_extintores="no_cumple", o_extintores="x"
        ).get_data(as_text=True)
    assert _records(application.id)[0].result == "con_observaciones"


#: The start of an iPhone photo: an ISO-BMFF `ftyp` box with a HEIF brand.
def _heif(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 40


def test_photos_keep_their_name_matching_their_content_and_heic_says_how_to_fix(client, app_ctx):
    from urllib.parse import quote

    from portal.inspections.models import InspectionPhoto

    staff = _staff()
    application, visit = _scheduled(client, staff)
    login(client, "ines@aplan.example.sv")
    for brand in (b"heic", b"heif", b"mif1"):
        heic = _record(client, application, visit, photos=[(io.BytesIO(_heif(brand)), "a.HEIC")])
        text = heic.get_data(as_text=True)
        assert "Las fotos HEIC del iPhone no se aceptan" in text, brand
        assert "Más compatible" in text
    empty = _record(client, application, visit, photos=[(io.BytesIO(b""), "vacia.jpg")])
    assert "El archivo está vacío." in empty.get_data(as_text=True)
    assert _records(application.id) == []
    original = "rotada IMG_0001 (1) «ñ».jpg"
    sent = [
        (io.BytesIO(JPEG), original),
        (io.BytesIO(JPEG), "foto lies.pdf"),
        (io.BytesIO(PNG), "plano.JPEG"),
        (io.BytesIO(JPEG), "sin extension"),
        (io.BytesIO(JPEG), "IMG_2.JPEG"),
    ]
    assert _record(client, application, visit, photos=sent).status_code == 302
    photos = db.session.scalars(sa.select(InspectionPhoto).order_by(InspectionPhoto.id)).all()
    assert [p.filename for p in photos] == [
        original,
        "foto lies.jpg",
        "plano.png",
        "sin extension.jpg",
        "IMG_2.JPEG",
    ]
    (record,) = _records(application.id)
    shown = client.get(f"/bandeja/{application.id}/inspecciones/{record.id}/fotos/{photos[0].id}")
    disposition = shown.headers["Content-Disposition"]
    assert disposition.startswith("inline")
    assert f"filename*=UTF-8''{quote(original)}" in disposition
    assert shown.headers["Content-Type"] == "image/jpeg"
