"""Read a definition file's bytes into plain data, refusing hostile input with named problems.

A definition comes from an administrator's upload or a folder; nothing in it is trusted. Before
any object is built the text is bounded: its size (`MAX_BYTES`), that it is UTF-8 text, how deep
flow collections nest (`MAX_DEPTH`, checked on the raw text because the YAML composer recurses),
how many values it expands to once aliases are followed (`MAX_VALUES`: a "billion laughs" file
is a few lines), and that no mapping repeats a key (YAML's loaders silently keep the last one).
Every check is linear in the input, so a hostile file answers in well under a second.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from workflows.problems import Problem

#: Largest definition file accepted, in bytes: 30 times the largest seeded definition (about
#: 30 KB), about 4,000 transitions; larger files are refused before any parsing, so that a
#: hostile file answers within seconds (`bench/validator.py` measures the time per size).
MAX_BYTES = 1024 * 1024
#: Deepest nesting of mappings and lists (a condition tree is a few levels deep).
MAX_DEPTH = 48
#: Most values (mappings, lists and scalars) the file may expand to, aliases followed.
MAX_VALUES = 1_000_000

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BRACKETS = re.compile(r"[\[\]{}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Loader(_LOADER):  # type: ignore[misc, valid-type]
    """Safe YAML without implicit dates or octals: a date stays an ISO string, a code a code.

    YAML 1.1 reads `0614` as the octal number 396 and `01111` as 585; in a definition digits
    with a leading zero are a code (`authority: 0511`, `value: 0614`), so they stay text.
    """


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_implicit_resolvers["0"] = [
    ("tag:yaml.org,2002:str", re.compile(r"^0[0-9_]+$")),
    *_Loader.yaml_implicit_resolvers["0"],
]


def read_source(source: str | bytes, *, max_bytes: int = MAX_BYTES) -> tuple[Any, list[Problem]]:
    """Turn a definition file's content into plain data (dicts, lists, scalars).

    Args:
        source: The file's bytes (must be UTF-8) or its text.
        max_bytes: The size limit (the benchmark lifts it to time larger definitions).

    Returns:
        `(data, [])` when the content is a YAML (or JSON) mapping within the bounds, else
        `(None, problems)` with codes `too_large`, `not_text`, `empty` (nothing but spaces or
        byte order marks), `too_deep`, `not_yaml`, `too_many_values` (an alias bomb),
        `duplicate_key`, `unsupported_tag`, `complex_key`, `not_a_mapping` or `not_finite`
        (`.inf`, `-.inf`, `.nan` or a figure too large for a float, such as `1.0e+400`, at the
        path given). Never raises for any content.
    """
    if len(source) > max_bytes:
        return None, [Problem("", "too_large", f"the file is larger than {max_bytes} bytes")]
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as error:
            return None, [Problem("", "not_text", f"not UTF-8 text at byte {error.start}")]
    source = source.removeprefix("\ufeff")
    if not source.replace("\ufeff", "").strip():
        return None, [Problem("", "empty", "the file is empty")]
    control = _CONTROL.search(source)
    if control is not None:
        return None, [
            Problem("", "not_text", f"control character {control.group()!r} at {control.start()}")
        ]
    depth = 0
    for bracket in _BRACKETS.finditer(source):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return None, [Problem("", "too_deep", f"nested more than {MAX_DEPTH} levels")]
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        return None, [Problem("", "not_yaml", str(error))]
    except RecursionError:  # pragma: no cover - only without libyaml, on block nesting
        return None, [Problem("", "too_deep", f"nested more than {MAX_DEPTH} levels")]
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem("", "not_a_mapping", "the file must hold a mapping")]
    problems = _measure(node)
    if problems:
        return None, problems
    try:
        data = loader.construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError) as error:  # pragma: no cover - measured
        return None, [Problem("", "not_yaml", str(error))]
    problems = non_finite_problems(data)
    return (None, problems) if problems else (data, [])


def non_finite_problems(data: Any) -> list[Problem]:
    """Every infinite or NaN number in the data, with its path.

    No amount, term or size can be infinite, and `.nan` compares false with everything, so a
    definition holding one is refused at reading, before any check or computation meets it.
    The walk follows aliases, so it is bounded by `MAX_VALUES` like the data.
    """
    problems = []
    pending: list[tuple[Any, Any]] = [(data, None)]
    while pending:
        value, trail = pending.pop()
        if isinstance(value, dict):
            pending.extend(reversed([(item, (trail, key)) for key, item in value.items()]))
        elif isinstance(value, list):
            pending.extend(reversed([(item, (trail, at)) for at, item in enumerate(value)]))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(Problem(_path(trail), "not_finite", f"{value} is not a finite number"))
    return problems


_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)


def _measure(root: yaml.Node) -> list[Problem]:
    """Check the composed tree before building it: keys, tags, depth and expanded size.

    Composed trees share a node wherever an alias points, so the pass visits each node once
    (post-order, without recursion) and adds up how many values it expands to. Paths are
    spelled out only for the nodes that have a problem.
    """
    problems: list[Problem] = []
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    # Entries: (node, trail, done); a trail is (parent trail, key or index), None at the root.
    # Only collections are stacked; a scalar counts one value wherever it appears.
    stack: list[tuple[yaml.Node, Any, bool]] = [(root, None, False)]
    while stack:
        node, trail, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            children = _children(node)
            size[key] = 1 + sum([size.get(id(child), 1) for child in children])
            depth[key] = 1 + max([depth.get(id(child), 0) for child in children], default=0)
            if size[key] > MAX_VALUES:
                return [Problem(_path(trail), "too_many_values", f"over {MAX_VALUES} values")]
            if depth[key] > MAX_DEPTH:
                return [Problem(_path(trail), "too_deep", f"over {MAX_DEPTH} levels")]
            continue
        if key in size:
            continue
        if key in open_nodes:
            return [Problem(_path(trail), "recursive_alias", "an alias refers to its parent")]
        open_nodes.add(key)
        stack.append((node, trail, True))
        if isinstance(node, yaml.MappingNode):
            problems += _mapping_problems(node, trail)
            labelled = [(label.value, child) for label, child in node.value]
        else:
            if node.tag != _SEQ:
                problems.append(Problem(_path(trail), "unsupported_tag", f"{node.tag!r}"))
            labelled = list(enumerate(node.value))
        for label, child in labelled:
            if isinstance(child, yaml.ScalarNode):
                if child.tag not in _SCALAR_TAGS:
                    problems.append(
                        Problem(_path((trail, label)), "unsupported_tag", f"{child.tag!r}")
                    )
            else:
                stack.append((child, (trail, label), False))
    return problems


def _children(node: yaml.Node) -> list[yaml.Node]:
    """The child nodes of a collection node (scalars are never stacked)."""
    if isinstance(node, yaml.MappingNode):
        return [child for _label, child in node.value]
    return node.value


def _path(trail: Any) -> str:
    parts = []
    while trail is not None:
        trail, key = trail
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).removeprefix(".")


def _mapping_problems(node: yaml.MappingNode, trail: Any) -> list[Problem]:
    problems = []
    if node.tag != _MAP:
        problems.append(Problem(_path(trail), "unsupported_tag", f"{node.tag!r}"))
    seen: set[tuple[str, str]] = set()
    for label, _child in node.value:
        if not isinstance(label, yaml.ScalarNode) or label.tag not in _SCALAR_TAGS:
            problems.append(Problem(_path(trail), "complex_key", "a key must be a plain scalar"))
            continue
        if (label.tag, label.value) in seen:
            line = label.start_mark.line + 1
            problems.append(
                Problem(
                    _path((trail, label.value)),
                    "duplicate_key",
                    f"{label.value!r} given again at line {line}",
                )
            )
        seen.add((label.tag, label.value))
    return problems
