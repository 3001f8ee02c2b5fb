"""The JSON Schema of procedure definitions, and its errors turned into problems with paths."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from workflows.problems import Problem

SCHEMA_PATH = Path(__file__).with_name("schema") / "procedure.schema.json"
_SCHEMA_CODES = {
    "type": "wrong_type",
    "enum": "not_allowed",
    "pattern": "bad_format",
    "minimum": "out_of_range",
    "exclusiveMinimum": "out_of_range",
    "maximum": "out_of_range",
    "exclusiveMaximum": "out_of_range",
    "maxItems": "too_many_items",
    "maxLength": "too_long",
    "minItems": "empty",
    "minLength": "empty",
    "minProperties": "empty",
    "maxProperties": "mixed_shapes",
    "uniqueItems": "duplicate_item",
    "oneOf": "invalid_shape",
    "anyOf": "invalid_shape",
    "not": "not_allowed",
}


@cache
def schema() -> Mapping[str, Any]:
    """Return the JSON Schema (Draft 2020-12) of procedure definitions."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator(params_schema: str = "") -> jsonschema.Draft202012Validator:
    """Return a validator for the whole schema, or for a parameter schema given as JSON.

    A parameter schema may `$ref` the procedure schema's `$defs` (as `#/$defs/condition`).
    The schema is prepared by `_prepared`: same verdicts, about three times faster.
    """
    if not params_schema:
        return jsonschema.Draft202012Validator(_prepared(schema()))
    return jsonschema.Draft202012Validator(
        _prepared({"$defs": schema()["$defs"], **json.loads(params_schema)})
    )


#: Levels of a recursive definition (a condition's `all`/`any`/`not`) inlined before `$ref`.
_UNROLL = 1


def _prepared(whole: Mapping[str, Any]) -> dict[str, Any]:
    """Return the schema with its non-recursive `$ref`s inlined and its patterns anchored.

    Resolving a `$ref` costs more than checking what it points to, and a definition checks
    thousands of them. A `{"$ref": "#/$defs/x"}` is replaced by its target (merged with the
    keywords beside it when none is in both); a target that refers back to itself (a
    condition) is unrolled `_UNROLL` levels and keeps its `$ref` below, so verdicts do not
    change. A pattern's final `$` becomes `\\Z`: JSON Schema patterns are ECMA-262, where `$`
    is the end of the text, but Python's `$` also matches before a final newline, which let a
    code such as `"aprobado\\n"` through.
    """
    defs = whole.get("$defs", {})

    def targets(node: Any) -> set[str]:
        found: set[str] = set()
        pending = [node]
        while pending:
            item = pending.pop()
            if isinstance(item, Mapping):
                ref = item.get("$ref", "")
                if ref.startswith("#/$defs/"):
                    found.add(ref.removeprefix("#/$defs/"))
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
        return found

    direct = {name: targets(body) for name, body in defs.items()}
    recursive = set()
    for name in defs:
        seen, pending = set(), list(direct[name])
        while pending:
            other = pending.pop()
            if other not in seen:
                seen.add(other)
                pending.extend(direct.get(other, ()))
        if name in seen:
            recursive.add(name)

    def rewrite(node: Any, unroll: int) -> Any:
        if isinstance(node, Mapping):
            ref = node.get("$ref", "")
            name = ref.removeprefix("#/$defs/")
            rest = {key: value for key, value in node.items() if key != "$ref"}
            # Beside other keywords a `$ref` applies too, so it merges when none collides.
            if ref.startswith("#/$defs/") and not set(rest) & set(defs[name]):
                if name not in recursive:
                    return rewrite({**defs[name], **rest}, unroll)
                if unroll:
                    return rewrite({**defs[name], **rest}, unroll - 1)
            return {
                key: _anchored(value) if key == "pattern" else rewrite(value, unroll)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rewrite(item, unroll) for item in node]
        return node

    return rewrite(whole, _UNROLL)


def _anchored(pattern: Any) -> Any:
    if isinstance(pattern, str) and pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + "\\Z"
    return pattern


_PARAMS_VALIDATORS: dict[int, tuple[Any, jsonschema.Draft202012Validator]] = {}


def params_problems(params_schema: Mapping[str, Any], params: Any, path: str) -> list[Problem]:
    """Check a guard's or effect's parameters against their JSON Schema.

    Args:
        params_schema: The schema from the guard or effect registry.
        params: The parameters given.
        path: Where the parameters are, for the problems.

    Returns:
        One problem per violation, with code `invalid_params`.
    """
    known = _PARAMS_VALIDATORS.get(id(params_schema))
    if known is None or known[0] is not params_schema:
        # Registry schemas live as long as the process: one validator each, found by identity
        # rather than by serialising the schema on every guard and effect of a definition.
        known = (
            params_schema,
            _validator(json.dumps(_thaw_for_schema(params_schema), sort_keys=True)),
        )
        _PARAMS_VALIDATORS[id(params_schema)] = known
    validator = known[1]
    return [
        Problem(path, "invalid_params", error.message)
        for error in validator.iter_errors(_thaw_for_schema(params))
    ]


def _thaw_for_schema(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw_for_schema(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw_for_schema(item) for item in value]
    return value


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _schema_problems(error: ValidationError) -> list[Problem]:
    path = ""
    for key in error.absolute_path:
        path = _join(path, key)
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Explain through the one alternative whose type matched, when there is one.
        relevant = [e for e in error.context if e.validator != "type" or e.path]
        if len({e.relative_schema_path[0] for e in relevant}) == 1:
            return [problem for e in relevant for problem in _schema_problems(e)]
    instance = error.instance
    if "propertyNames" in error.relative_schema_path:
        return [Problem(_join(path, instance), "unknown_key", f"{instance!r} is not allowed here")]
    if error.validator == "required":
        return [
            Problem(_join(path, key), "missing_key", f"{key!r} is required")
            for key in error.validator_value
            if key not in instance
        ]
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        return [
            Problem(_join(path, key), "unknown_key", f"{key!r} is not a known key")
            for key in instance
            if key not in known
        ]
    code = _SCHEMA_CODES.get(str(error.validator), f"schema_{error.validator}")
    if code == "out_of_range":
        return [Problem(path, code, error.message, _range_params(error.schema))]
    if error.validator == "type":
        return [_type_problem(path, error.validator_value, instance)]
    if code == "too_long":  # maxLength checks texts only
        params = (("variant", "chars"), ("max", error.validator_value), ("length", len(instance)))
        return [Problem(path, code, error.message, params)]
    return [Problem(path, code, error.message)]


#: How a value of each JSON type is named in a type problem's English detail.
_TYPE_NAMES = {
    "string": "a text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}


def _type_problem(path: str, expected: Any, instance: Any) -> Problem:
    """A `wrong_type` problem naming the type wanted (`variant`) and the value given (`value`,
    shortened), so the portal says it in Spanish rather than in jsonschema's words."""
    wanted = expected if isinstance(expected, str) else "mixed"
    given = next(
        (name for kind, name in _GIVEN if isinstance(instance, kind)), "nothing"
    )  # bool before int: True is an int to Python
    shown = "" if isinstance(instance, dict | list) else str(instance)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return Problem(
        path,
        "wrong_type",
        f"{_TYPE_NAMES.get(wanted, 'another type')} is expected here, not {given}",
        (("variant", wanted), ("value", shown)),
    )


_GIVEN: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (str, "a text"),
    (bool, "true or false"),
    ((int, float), "a number"),
    (dict, "a mapping"),
    (list, "a list"),
)


def _range_params(node: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The limits of a number's schema as a problem's parameters: `min` and `max` as the
    schema writes them, and the `variant` of message they make (`between`, or `above_below`
    when the least is excluded). Every bounded number of the schema has both limits."""
    excluded = "exclusiveMinimum" in node
    return (
        ("variant", "above_below" if excluded else "between"),
        ("min", node["exclusiveMinimum" if excluded else "minimum"]),
        ("max", node["maximum"]),
    )


def schema_problems(data: Any) -> list[Problem]:
    """Return the problems of `data` against the procedure schema (empty when it fits)."""
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(p for p in _schema_problems(error) if p not in problems)
    return problems
