"""A new version affects only new cases; a case stays on the version it started under."""

from __future__ import annotations

from tests.portal.helpers import (
    login,
    make_applicant,
    make_staff,
    ready_to_decide,
    start,
    submit,
)


def test_a_case_keeps_its_version_when_a_new_one_is_published(client, app_ctx):
    from portal.applications.models import Application
    from portal.applications.services import act_on_application
    from portal.extensions import db
    from portal.procedures.services import publish_definition
    from workflows import load_file

    make_applicant()
    clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "ana@example.sv")
    old_case = start(client, token="caso-en-version-uno")
    assert submit(client, old_case).status_code == 302

    current = load_file(
        __import__("pathlib").Path(__file__).resolve().parents[2]
        / "workflows/definitions/opamss/calificacion-lugar.yaml"
    )
    data = current.to_dict()
    data["version"] = current.version + 1
    for state in data["workflow"]["states"]:
        if state["code"] == "presentado":
            state["label"] = {"es": "En evaluación técnica", "en": "Under technical review"}
    published = publish_definition(load_file_from(data))
    db.session.commit()

    new_case = start(client, token="caso-en-version-dos")
    cases = {a.id: a for a in db.session.query(Application).all()}
    assert cases[old_case].procedure_version.version == current.version
    assert cases[new_case].procedure_version_id == published.id
    # The old case still runs on its own definition and labels.
    ready_to_decide(old_case, clerk)
    db.session.expire_all()
    act_on_application(
        actor=clerk, application=db.session.get(Application, old_case), action="aprobar"
    )
    db.session.expire_all()
    assert db.session.get(Application, old_case).state == "favorable"
    page = client.get(f"/solicitudes/{old_case}").get_data(as_text=True)
    assert "En evaluación técnica" not in page


def load_file_from(data):
    from workflows import load

    return load(data)


def test_admins_see_what_changed_between_versions_within_their_scope(client, app_ctx):
    from pathlib import Path

    from portal.extensions import db
    from portal.procedures.services import publish_definition
    from workflows import load_file

    current = load_file(
        Path(__file__).resolve().parents[2] / "workflows/definitions/opamss/calificacion-lugar.yaml"
    )
    data = current.to_dict()
    data["version"] = current.version + 1
    for state in data["workflow"]["states"]:
        if state["code"] == "presentado":
            state["business_days"] = 20
    row = publish_definition(load_file_from(data))
    db.session.commit()
    url = f"/admin/tramites/{row.procedure_id}/versiones/{row.version}"

    make_staff("admin", "OPAMSS", email="admin@example.sv")
    login(client, "admin@example.sv")
    assert "Calificación de Lugar" in client.get("/admin/tramites/").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "cambió de 25 a 20 días hábiles" in page
    drawing = client.get(f"{url}/diagrama.es.svg")  # shown as an <img>, never inlined
    assert f'src="{url}/diagrama.es.svg"' in page and b"<svg" in drawing.data
    client.post("/cuenta/salir")

    make_staff("admin", "0511", email="admin.ste@example.sv")
    login(client, "admin.ste@example.sv")
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/diagrama.es.svg").status_code == 404
    assert "Calificación de Lugar" not in client.get("/admin/tramites/").get_data(as_text=True)
    client.post("/cuenta/salir")

    make_staff("clerk", "OPAMSS", email="clerk@example.sv")
    login(client, "clerk@example.sv")
    assert client.get(url).status_code == 403


def test_a_version_not_yet_in_force_is_not_used_for_new_cases(client, app_ctx):
    from datetime import date
    from pathlib import Path

    from portal.extensions import db
    from portal.procedures.services import latest_version, publish_definition
    from workflows import load_file

    current = load_file(
        Path(__file__).resolve().parents[2] / "workflows/definitions/opamss/calificacion-lugar.yaml"
    )
    data = current.to_dict()
    data["version"] = current.version + 1
    data["valid_from"] = "2099-01-01"
    future = publish_definition(load_file_from(data))
    db.session.commit()
    procedure = future.procedure
    assert latest_version(procedure).version == current.version
    assert latest_version(procedure, today=date(2099, 1, 1)).id == future.id
