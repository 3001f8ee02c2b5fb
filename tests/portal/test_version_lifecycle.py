"""Versions have a lifecycle: draft, published with a valid-from day, retired."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from tests.portal.helpers import login, make_applicant, make_staff, reload_application, submit

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "workflows/definitions/opamss/calificacion-lugar.yaml"
SLUG = "calificacion-prueba"  # a procedure of its own, removed after each test
NAME = f"OPAMSS/{SLUG}"


def definition_file(tmp_path: Path, version: int = 1, old: str = "", new: str = "") -> Path:
    # The seeded file's own version (and the comment above it) give way to the test's.
    text = re.sub(
        r"slug: calificacion-lugar\n(?:#.*\n)*version: \d+\n",
        f"slug: {SLUG}\nversion: {version}\n",
        GOOD.read_text(encoding="utf-8"),
        count=1,
    )
    assert f"slug: {SLUG}" in text
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / f"{SLUG}-{version}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(app, *args: object):
    result = app.test_cli_runner().invoke(args=["procedures", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def procedure():
    from portal.procedures.services import get_procedure

    return get_procedure("OPAMSS", SLUG)


def in_force(today: date | None = None):
    from portal.procedures.services import latest_version

    version = latest_version(procedure(), today)
    return None if version is None else version.version


def test_an_imported_draft_takes_no_case_until_it_is_published(app, app_ctx, tmp_path):
    from portal.procedures.services import find_version

    result = cli(app, "import", definition_file(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"draft {NAME}@1 stored, 0 problem(s)" in result.output
    assert find_version(NAME).status == "draft" and in_force() is None
    result = cli(app, "publish", f"{NAME}@1", "--valid-from", "2026-01-05")
    assert result.exit_code == 0, result.output
    assert f"published {NAME}@1, valid from 2026-01-05" in result.output
    version = find_version(f"{NAME}@1")
    assert version.status == "published" and version.valid_from == date(2026, 1, 5)
    assert in_force(date(2026, 1, 4)) is None and in_force(date(2026, 1, 5)) == 1


def test_publishing_runs_the_validator_and_refuses_a_draft_with_problems(app, app_ctx, tmp_path):
    from portal.procedures.services import find_version

    broken = definition_file(tmp_path, old="{{ tracking_number }}", new='{% include "x" %}')
    result = cli(app, "import", broken)
    assert result.exit_code == 1
    assert f"draft {NAME}@1 stored, 1 problem(s)" in result.output
    assert "invalid_notice: include is not allowed in a notice" in result.output
    result = cli(app, "publish", NAME)  # the newest draft
    assert result.exit_code == 1
    assert f"{NAME}: not published, 1 problem(s)" in result.output
    assert find_version(NAME).status == "draft" and in_force() is None
    # Fixed and imported again, the same draft is replaced and then publishes.
    assert cli(app, "import", definition_file(tmp_path)).exit_code == 0
    assert cli(app, "publish", NAME).exit_code == 0
    assert in_force() == 1


def test_a_file_with_problems_is_not_published_directly(app, app_ctx, tmp_path):
    broken = definition_file(tmp_path, old="roles: [clerk, supervisor]", new="roles: [jefe]")
    result = cli(app, "publish", broken)
    assert result.exit_code == 1 and "unknown_role" in result.output
    assert procedure() is None


def test_a_file_that_names_no_procedure_is_not_stored(app, app_ctx, tmp_path):
    binary = tmp_path / "binario.yaml"
    binary.write_bytes(b"\x00\x01\x02")
    result = cli(app, "import", binary)
    assert result.exit_code == 1 and "not stored" in result.output and "not_text" in result.output
    nowhere = definition_file(tmp_path, old="authority: OPAMSS", new="authority: NOEXISTE")
    result = cli(app, "import", nowhere)
    assert result.exit_code == 1 and "not stored" in result.output
    assert "unknown_authority" in result.output


def test_a_published_version_is_never_replaced_by_a_draft(app, app_ctx, tmp_path):
    assert cli(app, "publish", definition_file(tmp_path)).exit_code == 0
    result = cli(app, "import", definition_file(tmp_path))
    assert result.exit_code == 1 and "version_published" in result.output
    result = cli(app, "publish", f"{NAME}@1")
    assert result.exit_code == 1 and "not_a_draft" in result.output
    assert cli(app, "publish", f"{NAME}@9").exit_code == 1  # no such version


def test_new_cases_take_the_newest_published_version_in_force(app, app_ctx, tmp_path):
    assert cli(app, "publish", definition_file(tmp_path, 1)).exit_code == 0
    result = cli(app, "publish", definition_file(tmp_path, 2), "--valid-from", "2099-01-01")
    assert result.exit_code == 0, result.output
    assert cli(app, "import", definition_file(tmp_path, 3)).exit_code == 0  # a draft: never
    assert in_force() == 1
    assert in_force(date(2099, 1, 1)) == 2
    assert cli(app, "retire", NAME, "--version", 2).exit_code == 0
    assert in_force(date(2099, 1, 1)) == 1


def test_a_retired_procedure_takes_no_new_filing_but_its_cases_go_on(
    client, app, app_ctx, tmp_path
):
    from portal.applications.services import act_on_application

    assert cli(app, "publish", definition_file(tmp_path)).exit_code == 0
    procedure_id = procedure().id
    make_applicant()
    login(client, "ana@example.sv")
    filed, draft = (
        int(
            re.search(
                r"/(?:solicitudes|borradores)/(\d+)/",
                client.post(f"/solicitudes/nueva/{procedure_id}", data={"token": token}).headers[
                    "Location"
                ],
            ).group(1)
        )
        for token in ("token-de-prueba-0001", "token-de-prueba-0002")
    )
    assert submit(client, filed).status_code == 302
    assert reload_application(filed).tracking_number is not None

    result = cli(app, "retire", NAME)
    assert result.exit_code == 0 and f"retired {NAME} version(s) 1" in result.output
    assert cli(app, "retire", NAME).exit_code == 1  # nothing left to retire

    page = client.get(f"/tramites/{NAME}")
    assert page.status_code == 410 and "ya no recibe solicitudes" in page.data.decode()
    assert f"/tramites/{NAME}" not in client.get("/tramites/").data.decode()
    started = client.post(
        f"/solicitudes/nueva/{procedure_id}", data={"token": "token-de-prueba-0003"}
    )
    assert started.status_code == 410
    # The draft says so when opened, before anyone fills it in; the filed case does not.
    for path in (f"/borradores/{draft}/paso/1", f"/solicitudes/{draft}/editar"):
        opened = client.get(path).data.decode()
        assert "app-procedure-retired" in opened and "ya no recibe solicitudes nuevas" in opened
    refused = submit(client, draft)
    assert "ya no recibe solicitudes nuevas" in refused.data.decode()
    assert reload_application(draft).tracking_number is None

    clerk = make_staff("clerk", "OPAMSS", email="clerk.lifecycle@example.sv")
    act_on_application(
        actor=clerk,
        application=reload_application(filed),
        action="prevenir",
        comment="Falta el plano firmado.",
    )
    assert reload_application(filed).state == "prevenido"
    assert client.get(f"/solicitudes/{filed}").status_code == 200


def test_a_procedure_not_yet_in_force_is_not_offered(client, app, app_ctx, tmp_path):
    result = cli(app, "publish", definition_file(tmp_path), "--valid-from", "2099-01-01")
    assert result.exit_code == 0 and "valid from 2099-01-01" in result.output
    assert client.get(f"/tramites/{NAME}").status_code == 404
    assert f"/tramites/{NAME}" not in client.get("/tramites/").data.decode()
    make_applicant()
    login(client, "ana@example.sv")
    started = client.post(
        f"/solicitudes/nueva/{procedure().id}", data={"token": "token-de-prueba-0001"}
    )
    assert started.status_code == 404


def test_publishing_refuses_a_prerequisite_cycle_through_the_catalogue(app, app_ctx, tmp_path):
    import yaml

    # The catalogue has construction permit <- calificación; reception <- construction permit.
    data = yaml.safe_load(GOOD.read_text(encoding="utf-8"))
    data["version"] += 1
    data["prerequisites"] = [
        {"procedure": "OPAMSS/recepcion-obra", "title": {"es": "Recepción", "en": "Reception"}}
    ]
    data["workflow"]["transitions"][1].setdefault("guards", []).append("prerequisites_valid")
    path = tmp_path / "calificacion-2.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert cli(app, "validate", path).exit_code == 0  # alone it is sound
    result = cli(app, "publish", path)
    assert result.exit_code == 1
    assert "prerequisites[0].procedure: prerequisite_cycle" in result.output
    assert "OPAMSS/calificacion-lugar" in result.output and "OPAMSS/recepcion-obra" in result.output
    imported = cli(app, "import", path)  # a draft may be imported, told its problem...
    assert imported.exit_code == 1 and "prerequisite_cycle" in imported.output
    assert "stored" in imported.output
    result = cli(app, "publish", f"OPAMSS/calificacion-lugar@{data['version']}")  # ...not published
    assert result.exit_code == 1 and "prerequisite_cycle" in result.output


def test_a_prerequisite_the_catalogue_does_not_publish_is_refused_at_import_and_publish(
    app, app_ctx, tmp_path
):
    import yaml

    for missing in ("0511/ciclo-b", "OPAMSS/no-existe", "ZZZZ/calificacion-lugar"):
        data = yaml.safe_load(definition_file(tmp_path).read_text(encoding="utf-8"))
        data["prerequisites"] = [{"procedure": missing, "title": {"es": "Ciclo", "en": "Cycle"}}]
        data["workflow"]["transitions"][1].setdefault("guards", []).append("prerequisites_valid")
        path = tmp_path / "con-requisito.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        assert cli(app, "validate", path).exit_code == 0  # alone, the file cannot know
        imported = cli(app, "import", path)
        assert imported.exit_code == 1, imported.output
        assert "prerequisites[0].procedure: unknown_prerequisite" in imported.output
        assert missing in imported.output
        published = cli(app, "publish", path)
        assert published.exit_code == 1 and "unknown_prerequisite" in published.output
    assert in_force() is None  # nothing reached the catalogue


def test_a_version_numbered_below_the_published_one_is_refused(app, app_ctx, tmp_path):
    assert cli(app, "publish", definition_file(tmp_path, version=3)).exit_code == 0
    for lower in (1, 2):
        changed = definition_file(tmp_path, version=lower, old="Calificación de Lugar", new="CL")
        result = cli(app, "publish", changed)
        assert result.exit_code == 1, result.output
        assert "version: version_not_newer" in result.output and "3" in result.output
    assert in_force() == 3
    assert cli(app, "publish", definition_file(tmp_path, version=4)).exit_code == 0
    assert in_force() == 4
