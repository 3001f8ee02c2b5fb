"""The layer rules of STYLE.md, enforced on the source tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _python_files(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"no Python files under {folder}/"
    return files


def test_workflows_imports_neither_flask_nor_sqlalchemy_nor_the_portal():
    allowed_third_party = {"yaml", "jsonschema", "holidays", "re2", "snowballstemmer"}
    for path in _python_files("workflows"):
        imported = _imports(path)
        forbidden = imported & {
            "flask",
            "flask_sqlalchemy",
            "sqlalchemy",
            "portal",
            "forms",
            "flask_babel",
            "wtforms",
        }
        assert not forbidden, f"{path.relative_to(ROOT)} imports {forbidden}"
        import sys

        third_party = {
            n
            for n in imported
            if n not in sys.stdlib_module_names and n not in {"workflows", "__future__"}
        }
        assert third_party <= allowed_third_party, f"{path.relative_to(ROOT)}: {third_party}"


def test_forms_never_touch_the_portal_or_the_database():
    for path in _python_files("forms"):
        forbidden = _imports(path) & {"portal", "sqlalchemy", "flask_sqlalchemy"}
        assert not forbidden, f"{path.relative_to(ROOT)} imports {forbidden}"


def test_commit_is_called_only_in_services():
    pattern = re.compile(r"\bcommit\(")
    for path in _python_files("portal"):
        if path.name == "services.py" or path.name.endswith("_services.py"):
            continue  # a service module: `services.py`, or one of a package split by concern
        source = path.read_text(encoding="utf-8")
        assert not pattern.search(source), f"{path.relative_to(ROOT)} calls commit("


def test_views_do_not_add_to_the_session_or_populate_models():
    for path in _python_files("portal"):
        if path.name != "views.py":
            continue
        source = path.read_text(encoding="utf-8")
        for banned in ("session.add(", "populate_obj(", "db.session.delete("):
            assert banned not in source, f"{path.relative_to(ROOT)} uses {banned}"


def test_no_eval_or_exec_anywhere():
    for folder in ("portal", "forms", "workflows"):
        for path in _python_files(folder):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = {
                node.func.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            }
            assert not calls & {"eval", "exec"}, f"{path.relative_to(ROOT)} calls eval/exec"


def test_the_date_and_time_come_from_the_one_clock():
    """Today and now are El Salvador's, read through `portal.applications.effects.local_now`
    or `portal.extensions.utcnow`. The machine's own date (UTC on servers) is already the next
    day from 18:00 in San Salvador: a calendar, a deadline or a report read with it is off by
    one. `time.time()`, an instant with no date, is fine."""
    naive = re.compile(r"\b(?:date\.today\b|datetime\.(?:today|utcnow|now)\(\)|time\.localtime\b)")
    clocks = {ROOT / "portal" / "extensions.py"}
    for folder in ("portal", "forms", "workflows"):
        for path in _python_files(folder):
            if path in clocks:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                assert not naive.search(code), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
