"""Portal code never names a definition's vocabulary (STYLE.md; issue 7, item 6).

The portal reads meanings from a definition (a state's kind, a transition's kind, which staff
task feeds a guard, the field of type `district`), never the names one definition happens to
use: a new definition with other names must work the same. So every name a definition under
workflows/definitions defines (field, state, action, document, fee and output names, and
notice templates) is looked for as a string literal in portal/ and forms/ Python code and in
templates/; engine vocabulary (roles, state kinds, field types, guard, effect and task names,
breach kinds) is not a definition's and may appear. Translated text (`_("...")`) and
docstrings are prose, not names.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import jinja2

import workflows
from workflows.effects import EFFECTS
from workflows.guards import GUARDS
from workflows.model import BREACH_KINDS, CLOCKS, FIELD_TYPES, ROLES, STATE_KINDS
from workflows.tasks import STAFF_TASKS

ROOT = Path(__file__).resolve().parent.parent
#: The one certificate layout every definition names (`certificate.template`), and the kind of
#: document the portal issues from it: the portal's own word.
ENGINE_TEMPLATES = frozenset({"certificate"})
ENGINE_VOCABULARY = (
    frozenset(ROLES)
    | frozenset(STATE_KINDS)
    | frozenset(FIELD_TYPES)
    | frozenset(GUARDS)
    | frozenset(EFFECTS)
    | frozenset(STAFF_TASKS)
    | frozenset(BREACH_KINDS)
    | frozenset(CLOCKS)
    | ENGINE_TEMPLATES
)
#: Literals that are a definition's name but mean something else where they appear, or are
#: being replaced; each with its file and why. Nothing else may be added without a reason.
ALLOWED = {
    # The kind of an authority (portal/authorities/data/authorities.yaml), not the field that
    # several definitions call `distrito`; portal/authorities owns that vocabulary.
    ("portal/authorities/models.py", "distrito"),
    # The queue's filter by the district where a case happens (`Application.district_id`, an
    # authority), named in the query string; not the definitions' field of that name.
    ("portal/review/queues.py", "distrito"),
    ("templates/review/queue.html", "distrito"),
}
TRANSLATE = frozenset({"_", "_l", "gettext", "lazy_gettext", "ngettext", "pgettext"})
#: A quoted attribute value in a template's HTML, whole (`name="f_giro"`).
QUOTED = re.compile(r"""=\s*(["'])([^"'{}<>\s]+)\1""")


@functools.cache
def definition_names() -> dict[str, set[str]]:
    """Every name a seeded definition defines -> where ("field of 0511/permiso-rotulo")."""
    names: dict[str, set[str]] = {}
    for path in sorted((ROOT / "workflows" / "definitions").rglob("*.yaml")):
        definition = workflows.load_file(path)
        where = f"{path.parent.name}/{path.stem}"

        def add(kind: str, name: str, where: str = where) -> None:
            names.setdefault(name, set()).add(f"{kind} of {where}")

        for item in definition.fields:
            add("field", item.name)
        for state in definition.states:
            add("state", state.code)
        for transition in definition.transitions:
            add("action", transition.action)
            for output in transition.outputs:
                add("output", output.name)
            for effect in transition.effects:
                if "template" in effect.params:
                    add("template", effect.params["template"])
        for document in definition.documents:
            add("document", document.code)
        for fee in definition.fees:
            add("fee", fee.code)
        if definition.certificate is not None:
            add("template", definition.certificate.template)
    assert names, "no definitions under workflows/definitions"
    return {name: where for name, where in names.items() if name not in ENGINE_VOCABULARY}


def python_literals(source: str) -> Iterator[tuple[int, str]]:
    """Yield (line, text) of the string literals of Python code, but docstrings and `_()`."""
    tree = ast.parse(source)
    prose: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                prose.add(id(body[0].value))
        elif isinstance(node, ast.Call) and _called(node) in TRANSLATE:
            prose.update(id(arg) for arg in node.args)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            yield node.lineno, node.value


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def template_literals(source: str) -> Iterator[tuple[int, str]]:
    """Yield (line, text) of a template's Jinja strings (but `_()`) and quoted HTML values."""
    tokens = list(jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"]).lex(source))
    significant = [t for t in tokens if t[1] != "whitespace"]
    for index, (line, kind, value) in enumerate(significant):
        if kind == "string":
            before = significant[max(0, index - 2) : index]
            translated = (
                len(before) == 2
                and before[0][1] == "name"
                and before[0][2] in TRANSLATE
                and before[1][1] == "operator"
                and before[1][2] == "("
            )
            if not translated:
                yield line, value[1:-1]
        elif kind == "data":
            for match in QUOTED.finditer(value):
                yield line + value[: match.start()].count("\n"), match.group(2)


def offences(names: dict[str, set[str]]) -> list[str]:
    found = []
    for path in sorted([*(ROOT / "portal").rglob("*.py"), *(ROOT / "forms").rglob("*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        for line, text in python_literals(path.read_text(encoding="utf-8")):
            if text in names and (relative, text) not in ALLOWED:
                found.append(f"{relative}:{line}: {text!r} ({', '.join(sorted(names[text]))})")
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        relative = path.relative_to(ROOT).as_posix()
        for line, text in template_literals(path.read_text(encoding="utf-8")):
            if text in names and (relative, text) not in ALLOWED:
                found.append(f"{relative}:{line}: {text!r} ({', '.join(sorted(names[text]))})")
    return found


def test_portal_code_names_no_definition_vocabulary():
    names = definition_names()
    found = offences(names)
    assert not found, "portal code names a definition's vocabulary:\n" + "\n".join(found)


def test_every_allowed_literal_is_still_needed():
    names = definition_names()
    for relative, text in ALLOWED:
        path = ROOT / relative
        literals = (
            python_literals(path.read_text(encoding="utf-8"))
            if path.suffix == ".py"
            else template_literals(path.read_text(encoding="utf-8"))
        )
        assert text in names, f"{text!r} is no longer a definition's name: drop it from ALLOWED"
        assert any(found == text for _, found in literals), f"{relative} no longer uses {text!r}"


def test_the_scan_sees_names_and_skips_prose():
    python = '''
"""Module prose names nombre_comercial."""
from flask_babel import lazy_gettext as _l


def f(data):
    """Function prose: nombre_comercial."""
    label = _l("nombre_comercial")
    return data["nombre_comercial"], f"{data['aprobar']}"
'''
    assert sorted(text for _, text in python_literals(python)) == ["aprobar", "nombre_comercial"]
    template = (
        '{{ _("recibido") }}\n<input name="f_giro" class="govuk-input">\n'
        '{% if state == "presentado" %}<p id="x-{{ code }}">{{ gettext("prevenido") }}</p>'
        "{% endif %}"
    )
    assert list(template_literals(template)) == [
        (2, "f_giro"),
        (2, "govuk-input"),
        (3, "presentado"),
    ]
    names = definition_names()
    assert "nombre_comercial" in names and "presentado" in names
    assert not {"applicant", "withdrawn", "district", "fee_paid", "notify", "certificate"} & set(
        names
    )
