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
    """
    if not params_schema:
        return jsonschema.Draft202012Validator(schema())
    return jsonschema.Draft202012Validator(
        {"$defs": schema()["$defs"], **json.loads(params_schema)}
    )


def params_problems(params_schema: Mapping[str, Any], params: Any, path: str) -> list[Problem]:
    """Check a guard's or effect's parameters against their JSON Schema.

    Args:
        params_schema: The schema from the guard or effect registry.
        params: The parameters given.
        path: Where the parameters are, for the problems.

    Returns:
        One problem per violation, with code `invalid_params`.
    """
    validator = _validator(json.dumps(_thaw_for_schema(params_schema), sort_keys=True))
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
    return [Problem(path, code, error.message)]


def schema_problems(data: Any) -> list[Problem]:
    """Return the problems of `data` against the procedure schema (empty when it fits)."""
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(p for p in _schema_problems(error) if p not in problems)
    return problems
