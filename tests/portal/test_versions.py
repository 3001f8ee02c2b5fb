"""A new version affects only new cases; a case stays on the version it started under."""

from __future__ import annotations

from tests.portal.helpers import login, make_applicant, make_staff, start, submit


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
    act_on_application(actor=clerk, application=cases[old_case], action="aprobar")
    db.session.expire_all()
    assert db.session.get(Application, old_case).state == "favorable"
    page = client.get(f"/solicitudes/{old_case}").get_data(as_text=True)
    assert "En evaluación técnica" not in page


def load_file_from(data):
    from workflows import load

    return load(data)
