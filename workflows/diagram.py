"""Render a definition's state machine as an accessible SVG, with a simple layered layout."""

from __future__ import annotations

from collections import deque
from xml.sax.saxutils import escape, quoteattr

from workflows.model import APPROVED_KINDS, Definition
from workflows.text import Text

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 200, 48, 48, 96, 24
BREACH_LABELS = {
    "deem_approved": Text("silencio positivo", "deemed approved"),
    "deem_abandoned": Text("caducidad", "deemed abandoned"),
}
_FILL = {"approved": "#e6f4ea", "denied": "#fce8e6", "waiting_applicant": "#fff4e5"}


def layers(definition: Definition) -> dict[str, int]:
    """Return each state's layer: its distance from the initial state (unreached go last)."""
    exits: dict[str, list[str]] = {state.code: [] for state in definition.states}
    for transition in definition.transitions:
        for source in transition.sources:
            exits.get(source, []).append(transition.target)
    for state in definition.states:
        exits[state.code] += [action.target for action in state.breach if action.target]
    depth = {definition.initial_state: 0}
    queue = deque([definition.initial_state])
    while queue:
        code = queue.popleft()
        for target in exits.get(code, ()):
            if target in exits and target not in depth:
                depth[target] = depth[code] + 1
                queue.append(target)
    last = max(depth.values(), default=-1) + 1
    return {state.code: depth.get(state.code, last) for state in definition.states}


def _lines(label: str) -> list[str]:
    if len(label) <= 26 or " " not in label:
        return [label]
    middle = len(label) // 2
    cut = min((i for i, c in enumerate(label) if c == " "), key=lambda i: abs(i - middle))
    return [label[:cut], label[cut + 1 :]]


def render_svg(definition: Definition, locale: str = "es") -> str:
    """Draw the workflow: states as boxes in layers, transitions as labelled arrows.

    Final states have a thick border; approved ones are green, denied red. Breach actions
    (deadline passed) are dashed. A `<title>` and a `<desc>` listing every transition in
    words make the picture readable by screen readers.

    Args:
        definition: The definition to draw.
        locale: Language of the labels ("es" or "en").

    Returns:
        A standalone SVG document as a string.
    """
    layer_of = layers(definition)
    rows: dict[int, list[str]] = {}
    for state in definition.states:
        rows.setdefault(layer_of[state.code], []).append(state.code)
    widest = max(len(row) for row in rows.values())
    width = MARGIN * 2 + widest * NODE_W + (widest - 1) * GAP_X
    height = MARGIN * 2 + GAP_Y // 2 + len(rows) * NODE_H + (len(rows) - 1) * GAP_Y
    place: dict[str, tuple[int, int]] = {}
    for layer, codes in rows.items():
        offset = (widest - len(codes)) * (NODE_W + GAP_X) // 2
        for index, code in enumerate(codes):
            place[code] = (
                MARGIN + offset + index * (NODE_W + GAP_X),
                MARGIN + GAP_Y // 2 + layer * (NODE_H + GAP_Y),
            )
    labels = {state.code: state.label.get(locale) for state in definition.states}
    edges: dict[tuple[str, str, bool], list[str]] = {}
    for transition in definition.transitions:
        for source in transition.sources:
            key = (source, transition.target, False)
            edges.setdefault(key, []).append(transition.label.get(locale))
    for state in definition.states:
        for action in state.breach:
            if action.target in place:
                name = BREACH_LABELS[action.kind]
                edges.setdefault((state.code, action.target, True), []).append(name.get(locale))
    slug = definition.slug
    title = f"{definition.title.get(locale)} (v{definition.version})"
    described = "; ".join(
        f"{' / '.join(names)}: {labels[source]} → {labels[target]}"
        for (source, target, _), names in edges.items()
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{slug}-title {slug}-desc" '
        'font-family="sans-serif" font-size="13">',
        f'<title id="{slug}-title">{escape(title)}</title>',
        f'<desc id="{slug}-desc">{escape(described)}</desc>',
        f'<defs><marker id="{slug}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
    ]
    for state in definition.states:
        x, y = place[state.code]
        kind = "approved" if state.kind in APPROVED_KINDS else state.kind
        stroke = 3 if state.is_final else 1
        parts.append(
            f'<g data-state={quoteattr(state.code)}><rect x="{x}" y="{y}" width="{NODE_W}" '
            f'height="{NODE_H}" rx="8" fill="{_FILL.get(kind, "#ffffff")}" stroke="#1d1d1b" '
            f'stroke-width="{stroke}"/>'
        )
        lines = _lines(labels[state.code])
        for index, line in enumerate(lines):
            dy = y + NODE_H // 2 + 5 + (index * 2 - len(lines) + 1) * 8
            parts.append(
                f'<text x="{x + NODE_W // 2}" y="{dy}" text-anchor="middle">{escape(line)}</text>'
            )
        parts.append("</g>")
    for (source, target, breach), names in edges.items():
        parts.append(_edge(place[source], place[target], " / ".join(names), breach, slug))
    parts.append("</svg>")
    return "\n".join(parts)


def _edge(start: tuple[int, int], end: tuple[int, int], label: str, breach: bool, slug: str) -> str:
    (sx, sy), (ex, ey) = start, end
    dash = ' stroke-dasharray="6 4"' if breach else ""
    if ey > sy:
        # Forward: bottom centre to top centre; the label sits near the target, where the
        # arrows fanning out of one state are already apart.
        x1, y1, x2, y2 = sx + NODE_W // 2, sy + NODE_H, ex + NODE_W // 2, ey
        path = f"M{x1},{y1} L{x2},{y2}"
        lx, ly = x1 + (x2 - x1) * 7 // 10, y1 + (y2 - y1) * 7 // 10
    elif ey < sy:
        # Backward: top of the source to the bottom of the target, off-centre so it does
        # not lie on the forward arrow between the same two states.
        x1, y1, x2, y2 = sx + NODE_W * 3 // 4, sy, ex + NODE_W // 4, ey + NODE_H
        path = f"M{x1},{y1} C{x1},{y1 - GAP_Y // 2} {x2},{y2 + GAP_Y // 2} {x2},{y2}"
        lx, ly = (x1 + x2) // 2, (y1 + y2) // 2
    elif abs(ex - sx) == NODE_W + GAP_X:
        # Neighbours in one layer: straight across the gap between them.
        x1 = sx + NODE_W if ex > sx else sx
        x2 = ex if ex > sx else ex + NODE_W
        y1 = sy + NODE_H // 2
        path = f"M{x1},{y1} L{x2},{y1}"
        lx, ly = (x1 + x2) // 2, sy - 6
    else:
        # Same layer, further apart: an arc above the row.
        x1, x2, y1 = sx + NODE_W // 2, ex + NODE_W // 2, sy
        path = f"M{x1},{y1} C{x1},{y1 - GAP_Y // 2} {x2},{y1 - GAP_Y // 2} {x2},{y1}"
        lx, ly = (x1 + x2) // 2, y1 - GAP_Y // 3
    return (
        f'<g class="edge"><path d="{path}" fill="none" stroke="#505a5f"{dash} '
        f'marker-end="url(#{slug}-arrow)"/><text x="{lx}" y="{ly}" font-size="11" '
        f'text-anchor="middle" fill="#1d1d1b" stroke="#ffffff" stroke-width="3" '
        f'paint-order="stroke">{escape(label)}</text></g>'
    )
