"""`flask procedures validate` names every problem of hostile files, fast, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "workflows/definitions/opamss/calificacion-lugar.yaml"
NOTICE = "{{ tracking_number }} y le pide"


def validate(app, *files: Path) -> tuple[int, str]:
    """Run the command; every hostile file must answer within 5 s, without a traceback."""
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["procedures", "validate", *map(str, files)])
    count = sum(len(list(f.glob("**/*.yaml"))) if f.is_dir() else 1 for f in files)
    assert time.perf_counter() - started < 5 * count
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def written(tmp_path: Path, content: str | bytes, name: str = "hostil.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def good_text(old: str = "", new: str = "") -> str:
    text = GOOD.read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    return text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not_text"),
        ("título: café\n".encode("latin-1"), "not_text"),
        ("a: " + "[" * 100_000, "too_deep"),
        (
            "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
            ),
            "too_many_values",
        ),
        ("a: &a [1, *a]\n", "recursive_alias"),
        ("a: !!python/object/apply:os.system [ls]\n", "unsupported_tag"),
        ("x" * (2 * 1024 * 1024), "too_large"),
    ],
    ids=["binary", "latin1", "deep", "alias_bomb", "recursive_alias", "python_tag", "huge"],
)
def test_a_file_that_is_not_a_bounded_definition_is_named(app, tmp_path, content, expected):
    code, output = validate(app, written(tmp_path, content))
    assert code == 1
    assert f": {expected}: " in output


def test_duplicate_keys_are_named_with_their_line(app, tmp_path):
    text = good_text("slug: calificacion-lugar\n", "slug: calificacion-lugar\nslug: otra\n")
    code, output = validate(app, written(tmp_path, text))
    assert code == 1
    assert "slug: duplicate_key: 'slug' given again at line 9" in output


def test_a_state_code_with_a_trailing_newline_is_named(app, tmp_path):
    data = yaml.safe_load(good_text())
    data["workflow"]["states"][1]["code"] += "\n"
    code, output = validate(app, written(tmp_path, yaml.safe_dump(data, allow_unicode=True)))
    assert code == 1
    assert "workflow.states[1].code: bad_format" in output


@pytest.mark.parametrize(
    ("notice", "refused"),
    [
        ('{% include "/etc/passwd" %}', "include is not allowed"),
        ('{% import "macros.html" as m %}', "import is not allowed"),
        ('{% extends "base.html" %}', "extends is not allowed"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}", "for"),
        ('{{ "x" * 999999999 }}', "mul is not allowed"),
        ("{{ tracking_number|center(999999999) }}", "filter 'center'"),
        ("{{ tracking_number.__class__ }}", "getattr is not allowed"),
        ("{{ expediente }}", "'expediente' is not a notice variable"),
        ("{% if %}", "TemplateSyntaxError"),
    ],
    ids=[
        "include",
        "import",
        "extends",
        "loops",
        "multiply",
        "filter",
        "attribute",
        "unknown",
        "syntax",
    ],
)
def test_a_notice_the_sandbox_refuses_is_named_at_validation(app, tmp_path, notice, refused):
    code, output = validate(app, written(tmp_path, good_text(NOTICE, f"{notice} y le pide")))
    assert code == 1
    assert ".params.message.es: invalid_notice: " in output and refused in output


def test_the_sound_notices_of_every_seed_definition_pass(app):
    files = sorted((ROOT / "workflows/definitions").glob("**/*.yaml"))
    code, output = validate(app, ROOT / "workflows/definitions")  # a folder: all its files
    assert code == 0, output
    assert output.count(": ok (") == len(files) == 12


def test_a_document_named_as_a_field_is_refused_at_validation(app, tmp_path):
    # APLAN's licence up to version 3: the copy of the land-use resolution had the name of
    # the field that asks its number, so the reviewer's items clashed.
    aplan = ROOT / "workflows/definitions/aplan/licencia-funcionamiento.yaml"
    text = aplan.read_text(encoding="utf-8")
    text = text.replace("- code: copia_resolucion_uso_suelo\n", "- code: resolucion_uso_suelo\n")
    code, output = validate(app, written(tmp_path, text, "licencia-funcionamiento.yaml"))
    assert code == 1
    assert (
        "documents[0].code: review_item_clash: the field and the document share the name "
        "'resolucion_uso_suelo'"
    ) in output


def test_an_unknown_certificate_layout_or_authority_is_named(app, tmp_path):
    text = good_text("template: certificate", "template: diploma")
    text = text.replace("authority: OPAMSS\n", "authority: NOEXISTE\n", 1)
    code, output = validate(app, written(tmp_path, text))
    assert code == 1
    assert "certificate.template: unknown_certificate_template" in output
    assert "authority: unknown_authority: no authority 'NOEXISTE'" in output


def test_routing_to_unknown_authorities_is_named(app, tmp_path):
    data = yaml.safe_load(good_text())
    data["routing"] = {
        "rules": [
            {"when": {"field": data["fields"][0]["name"], "op": "present"}, "authority": "X1"}
        ],
        "default_authority": "X2",
    }
    code, output = validate(app, written(tmp_path, yaml.safe_dump(data, allow_unicode=True)))
    assert code == 1
    assert "routing.rules[0].authority: unknown_authority" in output
    assert "routing.default_authority: unknown_authority" in output


def test_an_effect_this_portal_cannot_perform_is_named(app, tmp_path, monkeypatch):
    from portal.applications.effects import HANDLERS

    monkeypatch.delitem(HANDLERS, "issue_certificate")  # as a portal without certificates
    code, output = validate(app, GOOD)
    assert code == 1
    assert "unsupported_effect: this portal cannot perform 'issue_certificate'" in output


def test_prerequisites_that_require_each_other_across_files_are_named(app, tmp_path):
    first = yaml.safe_load(good_text())
    second = yaml.safe_load(good_text())
    second["slug"] = "calificacion-espejo"
    for data, other in ((first, "calificacion-espejo"), (second, "calificacion-lugar")):
        data["prerequisites"] = [
            {"procedure": f"OPAMSS/{other}", "title": {"es": "Otra", "en": "Other"}}
        ]
        data["workflow"]["transitions"][1].setdefault("guards", []).append("prerequisites_valid")
    files = [
        written(tmp_path, yaml.safe_dump(first, allow_unicode=True), "uno.yaml"),
        written(tmp_path, yaml.safe_dump(second, allow_unicode=True), "dos.yaml"),
    ]
    code, output = validate(app, *files)
    assert code == 1
    assert output.count("prerequisites[0].procedure: prerequisite_cycle") == 2
    code, output = validate(app, files[0])  # alone, the cycle is not visible
    assert code == 0, output


def test_the_whole_folder_is_refused_at_seeding_with_every_problem(app, app_ctx, tmp_path):
    from portal.extensions import db
    from portal.procedures.services import seed_definitions
    from workflows import InvalidDefinition

    written(tmp_path, b"\x00\x01binary", "a.yaml")
    written(tmp_path, good_text(NOTICE, '{% include "x" %}'), "b.yaml")
    with pytest.raises(InvalidDefinition) as refused:
        seed_definitions(tmp_path)
    db.session.rollback()
    assert [(p.path.split(": ")[0].rsplit("/", 1)[-1], p.code) for p in refused.value.problems] == [
        ("a.yaml", "not_text"),
        ("b.yaml", "invalid_notice"),
    ]


def test_the_seed_command_prints_the_problems_and_exits_non_zero(app, app_ctx, tmp_path):
    written(tmp_path, good_text(NOTICE, '{% include "x" %}'), "b.yaml")
    app.config["DEFINITIONS_DIR"], before = str(tmp_path), app.config["DEFINITIONS_DIR"]
    try:
        result = app.test_cli_runner().invoke(args=["seed"])
    finally:
        app.config["DEFINITIONS_DIR"] = before
    from portal.extensions import db

    db.session.rollback()
    assert result.exit_code == 1
    assert "invalid_notice: include is not allowed in a notice" in result.output
    assert "Traceback" not in result.output


def test_the_real_command_answers_hostile_files_without_a_traceback(tmp_path):
    """The operator's own `flask procedures validate`, in a process of its own, before seeding."""
    import os
    import subprocess
    import sys

    files = [
        written(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00", "imagen.yaml"),
        written(
            tmp_path,
            "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
            ),
            "bomba.yaml",
        ),
        written(tmp_path, good_text(NOTICE, '{% include "/etc/passwd" %}'), "incluye.yaml"),
        written(tmp_path, "x" * (2 * 1024 * 1024), "enorme.yaml"),
        GOOD,
    ]
    instance = tmp_path / "instance"  # an empty database: the command must not need one
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL",)}
    env |= {"INSTANCE_PATH": str(instance), "SECRET_KEY": "x" * 32, "REDIS_URL": ""}
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "procedures",
            "validate",
            *map(str, files),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert time.perf_counter() - started < 60
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    for name, code in (
        ("imagen.yaml", "not_text"),
        ("bomba.yaml", "too_many_values"),
        ("incluye.yaml", "invalid_notice"),
        ("enorme.yaml", "too_large"),
    ):
        assert f"{tmp_path / name}: 1 problem(s)" in done.stdout
        assert f": {code}: " in done.stdout
    assert f"{GOOD}: ok (OPAMSS/calificacion-lugar v5)" in done.stdout


def test_a_breach_action_s_notice_is_checked_like_a_transition_s(app, tmp_path):
    text = good_text(
        "        - {kind: deem_abandoned, target: abandonado}\n",
        "        - kind: deem_abandoned\n"
        "          target: abandonado\n"
        "          effects:\n"
        "            - name: notify\n"
        "              params: {message: {es: '{% include \"x\" %}', en: 'Closed.'}}\n",
    )
    code, output = validate(app, written(tmp_path, text))
    assert code == 1
    assert ".breach[0].effects[0].params.message.es: invalid_notice: include" in output
