"""The SVG diagram: well-formed, accessible, every state and transition drawn."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from typing import Any

from workflows import Definition, Text, load
from workflows.diagram import layers, render_svg
from workflows.model import State

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_diagram_is_accessible_svg(calificacion: Definition) -> None:
    root = parse(render_svg(calificacion))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "calificacion-lugar-title calificacion-lugar-desc"
    assert root.findtext(f"{SVG}title") == f"Calificación de Lugar (v{calificacion.version})"
    desc = root.findtext(f"{SVG}desc") or ""
    assert "Presentar solicitud: Borrador → Presentado (en revisión)" in desc
    assert "caducidad: Prevenido (corrección solicitada) → Archivado" in desc


def test_every_state_is_a_box_and_finals_are_thick(calificacion: Definition) -> None:
    root = parse(render_svg(calificacion, locale="en"))
    boxes = {g.get("data-state"): g for g in root.iter(f"{SVG}g") if g.get("data-state")}
    assert set(boxes) == {state.code for state in calificacion.states}
    assert boxes["favorable"].find(f"{SVG}rect").get("stroke-width") == "3"  # type: ignore[union-attr]
    assert boxes["presentado"].find(f"{SVG}rect").get("stroke-width") == "1"  # type: ignore[union-attr]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Submit application" in texts
    assert "deemed abandoned" in texts


def test_breach_edges_are_dashed(calificacion: Definition) -> None:
    root = parse(render_svg(calificacion))
    dashed = [p for p in root.iter(f"{SVG}path") if p.get("stroke-dasharray")]
    assert len(dashed) == 1


def test_layers_follow_distance_from_the_initial_state(calificacion: Definition) -> None:
    layer = layers(calificacion)
    assert layer["borrador"] == 0
    assert layer["presentado"] == layer["desistido"] == 1
    assert layer["prevenido"] == layer["favorable"] == 2
    assert layer["abandonado"] == 3


def test_unreached_states_go_to_a_last_layer(demo: Definition) -> None:
    lost = State("perdido", "active", Text("Perdido", "Lost"))
    definition = dataclasses.replace(demo, states=(*demo.states, lost))
    assert layers(definition)["perdido"] == max(layers(demo).values()) + 1
    assert 'data-state="perdido"' in render_svg(definition)


def test_edges_inside_a_layer_and_backwards(demo_data: dict[str, Any]) -> None:
    label = {"es": "x", "en": "x"}
    demo_data["workflow"]["states"].append({"code": "consulta", "kind": "active", "label": label})
    demo_data["workflow"]["transitions"] += [
        {"action": "rechazar", "from": "revision", "to": "denegado", "roles": ["clerk"],
         "label": label},
        {"action": "consultar", "from": "revision", "to": "consulta", "roles": ["clerk"],
         "label": label},
        {"action": "volver", "from": "consulta", "to": "revision", "roles": ["clerk"],
         "label": label},
        {"action": "consultar", "from": "inspeccion", "to": "consulta", "roles": ["inspector"],
         "label": label},
        {"action": "cerrar", "from": "consulta", "to": "denegado", "roles": ["clerk"],
         "label": {"es": "Cerrar <sin> opinión & archivar", "en": "Close"}},
    ]  # fmt: skip
    definition = load(demo_data)
    svg = render_svg(definition)
    paths = [p.get("d") or "" for p in parse(svg).iter(f"{SVG}path") if p.get("marker-end")]
    # Two back edges (consulta -> revision, pago -> denegado) and one arc over a neighbour.
    assert sum(" C" in d for d in paths) == 3
    assert "Cerrar &lt;sin&gt; opinión &amp; archivar" in svg
