"""Write a form's edit into a draft's YAML text, keeping everything the form did not change.

A form editor produces the whole definition mapping; writing it out anew would lose the text's
comments (legal sources, evidence notes), its key order and its layout. `merged_source` loads the
stored text with ruamel.yaml's round-trip loader, applies only what differs between the mapping
the form started from and the one it produced, and dumps it: unchanged parts keep their comments
and bytes, and a save that changes nothing gives back the very same text.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from portal.admin.editor_rows import Money
from workflows.source import read_source

#: Indentations tried for a text's mappings (the one that writes the text back unchanged wins).
_MAPPING_INDENTS = (2, 4)


def merged_source(source: str, before: Any, after: Any) -> str | None:
    """Apply the change from `before` to `after` onto `source`; None when that cannot be done.

    Maps: changed keys are updated in place, new keys go at the end, removed keys are deleted.
    Lists of rows: items are matched by identity (a field's `name`, a row's `code`, a
    transition's `action`; a renamed row by its place and other values, `_matches`), so
    removing a field in the middle leaves the comments of those after it with them; other
    lists by position. A value equal in `before` and `after` is never rewritten, so what the
    form did not change keeps its text, comments and order even where `before` (the loaded
    definition) spells it differently from the text (defaults filled in).

    Args:
        source: The draft's stored YAML text.
        before: The mapping the form was drawn from.
        after: The mapping the form produced.

    Returns:
        The new text, whose data (as `read_source` reads it) is the text's data with the change
        applied; `source` itself when nothing changed; None when the text cannot be read or
        written back faithfully (the caller then writes the mapping anew).
    """
    plain, unreadable = read_source(source)
    if unreadable or not isinstance(before, dict) or not isinstance(after, dict):
        return None
    expected = _apply(copy.deepcopy(plain), before, after, _plain)
    if expected == plain:
        return source
    writer = _writer(source)
    if writer is None:
        return None
    tree = writer.load(source)
    _apply(tree, before, after, _node)
    out = io.StringIO()
    writer.dump(tree, out)
    text = out.getvalue()
    data, unreadable = read_source(text)
    if unreadable or data != expected:
        return None
    return text


def _writer(source: str) -> YAML | None:
    """A round-trip YAML writer with the text's own indentation (None: none writes it back)."""
    try:
        _data, sequence, offset = load_yaml_guess_indent(source)
    except (RuamelError, ValueError, TypeError):
        return None
    for mapping in _MAPPING_INDENTS:
        writer = YAML()
        writer.preserve_quotes = True
        writer.width = 4096
        writer.indent(mapping=mapping, sequence=sequence or 2, offset=offset or 0)
        out = io.StringIO()
        writer.dump(writer.load(source), out)
        if out.getvalue() == source:
            return writer
    return None


def _apply(target: Any, before: Any, after: Any, convert: Any) -> Any:
    """`target` with the change from `before` to `after` applied (changed in place if it can)."""
    if _same(before, after):
        return target
    if isinstance(after, dict) and isinstance(target, dict):
        base = before if isinstance(before, dict) else _as_plain(target)
        for key in [key for key in target if key in base and key not in after]:
            _drop(target, key)
        for key, value in after.items():
            old = base.get(key, _MISSING)
            if old is not _MISSING and _same(old, value):
                continue
            if key in target:
                prior = old if old is not _MISSING else _as_plain(target[key])
                target[key] = _apply(target[key], prior, value, convert)
            else:
                target[key] = convert(value, None)
        return target
    if isinstance(after, list) and isinstance(target, list):
        base = before if isinstance(before, list) and len(before) == len(target) else None
        base = base if base is not None else _as_plain(target)
        if _by_identity(base, after):
            return _apply_by_identity(target, base, after, convert)
        for index, value in enumerate(after[: len(target)]):
            target[index] = _apply(target[index], base[index], value, convert)
        while len(target) > len(after):
            _drop(target, len(target) - 1)
        target.extend(convert(value, None) for value in after[len(target) :])
        return target
    return convert(after, target)


_MISSING = object()


def _money(representer: RoundTripRepresenter, value: Money) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:float", value.text)


RoundTripRepresenter.add_representer(Money, _money)
#: The keys that name a list's item (a field's `name`, a fee's `code`, a transition's
#: `action`): the first an item has is its identity.
_IDENTITY_KEYS = ("name", "code", "action")


def _identity(item: Any) -> Any:
    if not isinstance(item, dict):
        return None
    for key in _IDENTITY_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value:
            return key, value
    return None


def _by_identity(base: list, after: list) -> bool:
    """Whether a list's items are rows that name themselves (then matched by identity)."""
    items = [*base, *after]
    return all(isinstance(item, dict) for item in items) and any(map(_identity, items))


def _matches(base: list, after: list) -> list[int | None]:
    """For each item of `after`, the index of the `base` item it continues (None: new).

    First by identity, in order; then an item whose identity changed (a field renamed) is
    the unmatched item of `base` between the same matched neighbours that shares the most
    values with it.
    """
    found: list[int | None] = []
    used: set[int] = set()
    for item in after:
        key = _identity(item)
        index = next(
            (i for i, old in enumerate(base) if i not in used and key and _identity(old) == key),
            None,
        )
        found.append(index)
        if index is not None:
            used.add(index)
    for position, item in enumerate(after):
        if found[position] is not None:
            continue
        low = max((i for i in found[:position] if i is not None), default=-1)
        high = min((i for i in found[position + 1 :] if i is not None), default=len(base))
        scores = [
            (sum(old.get(k) == v for k, v in item.items() if k in old), -i, i)
            for i, old in enumerate(base)
            if low < i < high and i not in used
        ]
        best = max(scores, default=None)
        if best is not None and best[0] > 0:
            found[position] = best[2]
            used.add(best[2])
    return found


def _apply_by_identity(target: Any, base: list, after: list, convert: Any) -> Any:
    """A list's change applied item by item matched by identity (`_matches`), so an item
    keeps its own comments when one before it is removed, added or moved."""
    found = _matches(base, after)
    kept = [index for index in range(len(base)) if index in found]
    for index in reversed(range(len(base))):
        if index not in found:
            _drop(target, index, with_heading=True)
    order = [kept.index(index) for index in found if index is not None]
    if order != sorted(order):
        _reorder(target, order)
    for position, (index, value) in enumerate(zip(found, after, strict=True)):
        if index is not None:
            target[position] = _apply(target[position], base[index], value, convert)
            continue
        heading = _following(target, position - 1) if position > 0 else ""
        target.insert(position, convert(value, None))
        if heading:  # the lines above the next item (or after the list) stay above it
            _set_following(target, position - 1, "")
            _set_following(target, position, heading)
    return target


def _reorder(target: Any, order: list[int]) -> None:
    """Put a list's items in `order` (old positions), each with the comment lines above it
    (hung on the item before) and on it; those after the last item stay after the list."""
    count = len(order)
    headings = ["", *(_following(target, index) for index in range(count - 1))]
    tail = _following(target, count - 1)
    for index in range(count):
        _set_following(target, index, "")
    comments = getattr(target, "ca", None)
    entries = [comments.items.get(index) for index in order] if comments else []
    items = [target[index] for index in order]
    for index, item in enumerate(items):
        list.__setitem__(target, index, item)  # the nodes as they are, not re-styled
    if comments:
        comments.items.clear()
        comments.items.update(
            {index: entry for index, entry in enumerate(entries) if entry is not None}
        )
    # The list's first heading hangs outside it: the item moved first leaves its own to the
    # item that was first, so no comment is lost.
    moved = [headings[index] for index in order]
    if order and order[0] != 0:
        moved[order.index(0)] = headings[order[0]]
    for position in range(1, count):
        _set_following(target, position - 1, moved[position])
    _set_following(target, count - 1, tail)


def _same(old: Any, new: Any) -> bool:
    """Equal and of the same kinds throughout (`True` is not `1`, `1` is not `1.0`); an
    amount an editor read (`Money`) is the stored number it equals, however that is written."""
    if isinstance(new, Money) and isinstance(old, int | float) and not isinstance(old, bool):
        return old == new
    if type(old) is not type(new):
        return False
    if isinstance(old, dict):
        return list(old) == list(new) and all(_same(old[key], new[key]) for key in old)
    if isinstance(old, list):
        return len(old) == len(new) and all(map(_same, old, new))
    return old == new


def _drop(target: Any, key: Any, *, with_heading: bool = False) -> None:
    """Remove an entry; the comment lines after it (about what follows) go to the entry before.

    The round-trip loader hangs a comment on the end of the value before it, so removing
    the last field would also remove the comment heading the next section. With
    `with_heading` (an item matched by identity), the comment lines just above the entry are
    its own and go with it.
    """
    position = list(target).index(key) if isinstance(target, dict) else key
    following = _following(target, key)
    comments = getattr(target, "ca", None)
    leading = ((comments.items.get(key) if comments else None) or [None] * 4)[1] or []
    leading = [] if with_heading else leading  # hung on the entry itself: it goes with it
    del target[key]
    if leading and isinstance(target, dict) and position < len(target):
        entry = target.ca.items.setdefault(list(target)[position], [None] * 4)
        entry[1] = [*leading, *(entry[1] or [])]
    else:
        lines = (" " * (token.column or 0) + token.value for token in leading)
        following = "".join(lines) + following
    if position > 0 and with_heading:
        _set_following(target, position - 1, following)
    elif following and position > 0:
        previous = list(target)[position - 1] if isinstance(target, dict) else position - 1
        _append(target, previous, following)


def _slot(container: Any, key: Any) -> tuple[Any, Any, int]:
    """Where the comment after `container[key]` hangs: the entry of its last value written
    on one line (a scalar or a flow collection)."""
    while True:
        value = container[key]
        block = isinstance(value, (CommentedMap, CommentedSeq)) and not value.fa.flow_style()
        if not block or not value:
            return container, key, 2 if isinstance(container, CommentedMap) else 0
        container, key = value, (list(value)[-1] if isinstance(value, dict) else len(value) - 1)


def _following(container: Any, key: Any) -> str:
    if not isinstance(container, (CommentedMap, CommentedSeq)):
        return ""
    owner, at, index = _slot(container, key)
    token = (owner.ca.items.get(at) or [None] * 4)[index]
    text = getattr(token, "value", "") or ""
    return text.split("\n", 1)[1] if "\n" in text else ""


def _set_following(container: Any, key: Any, following: str) -> None:
    """Make `following` the comment lines after `container[key]` (its own line's comment
    stays)."""
    if not isinstance(container, (CommentedMap, CommentedSeq)):
        return
    owner, at, index = _slot(container, key)
    entry = owner.ca.items.setdefault(at, [None] * 4)
    token = entry[index]
    head = (getattr(token, "value", "") or "").split("\n", 1)[0]
    if not head and not following:
        entry[index] = None
    elif token is None:
        entry[index] = CommentToken("\n" + following, CommentMark(0), None)
    else:
        token.value = head + "\n" + following


def _append(container: Any, key: Any, following: str) -> None:
    owner, at, index = _slot(container, key)
    entry = owner.ca.items.setdefault(at, [None] * 4)
    if entry[index] is None:
        entry[index] = CommentToken("\n" + following, CommentMark(0), None)
    else:
        entry[index].value += following


def _as_plain(value: Any) -> Any:
    """A loaded node as plain data (what `before` would be where the form had nothing)."""
    if isinstance(value, dict):
        return {key: _as_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_plain(item) for item in value]
    return value


def _plain(value: Any, _old: Any) -> Any:
    return copy.deepcopy(value)


def _node(value: Any, old: Any) -> Any:
    """A new value as a round-trip node: block layout, texts kept texts for every reader."""
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _node(item, None)
        return node
    if isinstance(value, list):
        return CommentedSeq(_node(item, None) for item in value)
    if isinstance(value, str):
        if isinstance(old, LiteralScalarString) or "\n" in value.rstrip("\n"):
            return LiteralScalarString(value)
        if _read_plain(value) != value:
            return SingleQuotedScalarString(value)
    return value


def _read_plain(text: str) -> Any:
    """What a YAML 1.1 reader makes of `text` written bare (a number, a date, a flag).

    PyYAML's safe reader takes more texts for other things than the project's (`read_source`
    keeps dates and codes like `0511` texts), so a text either would not keep is quoted.
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None
