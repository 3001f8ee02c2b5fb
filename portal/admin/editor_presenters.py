"""What the draft editors show: the sections, the pickers' options and problems by input."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from forms.messages import TYPE_NAMES, problem_message
from portal.admin import editors, editors_fees, editors_flow
from portal.applications.dashboard import ROLE_TITLES
from workflows.conditions import COMPARISON_OPS
from workflows.dictionary import ELEMENTS
from workflows.effects import EFFECTS, FEED_EVENT_TYPES
from workflows.guards import GUARDS
from workflows.life_events import LIFE_EVENTS
from workflows.model import (
    BREACH_KINDS,
    CATALOGUE_TEXTS,
    CLOCKS,
    FIELD_TYPES,
    MIME_TYPES,
    ROLES,
    STATE_KINDS,
    TRANSITION_KINDS,
)
from workflows.problems import Problem
from workflows.reasons import REASON_ITEMS, REASON_USES

#: The editor's sections in order: URL word, title, and the problem paths each one owns.
SECTIONS = {
    "catalogo": (_l("Datos del catálogo"), ("title", "summary", "catalogue")),
    "campos": (_l("Campos del formulario"), ("fields",)),
    "documentos": (_l("Documentos"), ("documents",)),
    "tasas": (_l("Tasas"), ("fees",)),
    "flujo": (_l("Flujo: estados y transiciones"), ("workflow", "initial")),
    "avisos": (_l("Avisos y textos razonados"), ()),
    "motivos": (_l("Motivos de corrección y denegación"), ("reasons",)),
    "verificacion": (_l("Lista de verificación de la inspección"), ("inspection",)),
    "consultas": (_l("Instituciones a consultar"), ("opinions",)),
    "constancia": (_l("Constancia"), ("certificate",)),
    "otros": (
        _l("Enrutamiento, vigencia, conservación y SIMDET"),
        ("routing", "validity", "draft_retention_days", "simdet"),
    ),
}
#: The sections redrawn as one types, and the endpoint each posts its form to.
LIVE = {
    "tasas": "admin.live_estimate",
    "flujo": "admin.live_diagram",
    "avisos": "admin.live_notices",
}
_ROW_PATH = re.compile(r"^(.*?\[\d+\])")
_NOTICE_PATH = re.compile(r"\.params\.message|\.reasoned_text")

FIELD_TYPE_LABELS = {
    "text": _l("Texto corto"),
    "long_text": _l("Texto largo"),
    "number": _l("Número"),
    "integer": _l("Número entero"),
    "money": _l("Monto en dólares"),
    "date": _l("Fecha"),
    "yes_no": _l("Sí o no"),
    "choice": _l("Una opción de una lista"),
    "multi_choice": _l("Varias opciones de una lista"),
    "email": _l("Correo electrónico"),
    "phone": _l("Teléfono"),
    "dui": _l("DUI"),
    "nit": _l("NIT"),
    "district": _l("Distrito"),
    "address": _l("Dirección"),
    "point": _l("Ubicación (latitud, longitud)"),
    "area_m2": _l("Área en m²"),
    "activity_code": _l("Actividad económica (CLAEES)"),
    "resolution": _l("Resolución previa (número de expediente)"),
}
OP_LABELS = {
    "eq": _l("es igual a"),
    "ne": _l("es distinto de"),
    "lt": _l("es menor que"),
    "le": _l("es menor o igual que"),
    "gt": _l("es mayor que"),
    "ge": _l("es mayor o igual que"),
    "in": _l("es uno de (separe con comas)"),
    "not_in": _l("no es ninguno de (separe con comas)"),
    "present": _l("tiene respuesta"),
    "absent": _l("no tiene respuesta"),
}
ROLE_LABELS = {"applicant": _l("persona solicitante"), **ROLE_TITLES, "system": _l("sistema")}
STATE_KIND_LABELS = {
    "draft": _l("Borrador"),
    "active": _l("En trámite"),
    "waiting_applicant": _l("Espera a la persona solicitante"),
    "approved": _l("Aprobado"),
    "approved_with_conditions": _l("Aprobado con condiciones"),
    "denied": _l("Denegado"),
    "withdrawn": _l("Desistido"),
    "abandoned": _l("Abandonado"),
}
CLOCK_LABELS = {"running": _l("corre"), "suspended": _l("suspendido"), "stopped": _l("detenido")}
BREACH_LABELS = {
    "notify": _l("Avisar"),
    "escalate": _l("Escalar"),
    "deem_approved": _l("Silencio positivo (aprobar)"),
    "deem_abandoned": _l("Archivar por abandono"),
}
TRANSITION_KIND_LABELS = {
    "submit": _l("presentar"),
    "correct": _l("subsanar o responder"),
    "ask_applicant": _l("pedir algo a la persona solicitante"),
    "decide": _l("resolver"),
    "withdraw": _l("desistir"),
    "abandon": _l("archivar por abandono"),
    "advance": _l("avanzar"),
}
FEE_KIND_LABELS = {
    "fixed": _l("Monto fijo"),
    "per_unit_above": _l("Base más monto por unidad sobre un umbral"),
    "table": _l("Monto según una opción"),
    "by_regime": _l("Monto según el régimen tarifario del distrito"),
    "surcharge": _l("Recargo (monto o porcentaje de lo anterior)"),
}
CATALOGUE_TEXT_LABELS = {
    "purpose": _l("Para qué sirve"),
    "who_may_apply": _l("Quién puede solicitarlo"),
    "cost_summary": _l("Costo, en palabras"),
    "office": _l("Oficina que lo atiende"),
    "hours": _l("Horario de atención"),
    "outputs": _l("Qué recibe la persona"),
}
PARAM_LABELS = {
    "emit_feed_event": _l("tipo de evento"),
    "extend_clock": _l("días hábiles"),
    "request_payment": _l("días hábiles para pagar"),
    "assign_to_role": _l("rol"),
}
REASON_USE_LABELS = {"correction": _l("pedir una corrección"), "denial": _l("denegar")}
REASON_ITEM_LABELS = {"fields": _l("respuestas del formulario"), "documents": _l("documentos")}
SIMDET_LABELS = {
    "activity_field": _l("Campo de la actividad económica"),
    "employees_field": _l("Campo del número de empleados"),
    "annual_sales_field": _l("Campo de las ventas anuales"),
    "location_field": _l("Campo de la ubicación"),
}


def _dicts(items: Any) -> list[dict]:
    """A list's items, each one not a mapping replaced by an empty one (indices kept)."""
    return (
        [item if isinstance(item, dict) else {} for item in items]
        if isinstance(items, list)
        else []
    )


def readable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The draft with the parts the pickers and notices read in the shapes they expect, at the
    same indices (for drawing only; what is stored is never rewritten from it)."""
    out = dict(data)
    for key in ("fields", "documents", "fees"):
        out[key] = _dicts(out.get(key))
    workflow = out.get("workflow") if isinstance(out.get("workflow"), dict) else {}
    transitions = []
    for transition in _dicts(workflow.get("transitions")):
        transitions.append(
            {
                **transition,
                "label": transition.get("label")
                if isinstance(transition.get("label"), dict)
                else {},
                "effects": transition.get("effects")
                if isinstance(transition.get("effects"), list)
                else [],
            }
        )
    out["workflow"] = {"states": _dicts(workflow.get("states")), "transitions": transitions}
    return out


def notice_rows(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The notice texts to edit: (input name, the transition's label, kind)."""
    transitions = (data.get("workflow") or {}).get("transitions") or []
    rows = []
    for name, index, kind in editors_flow.notice_slots(data):
        transition = transitions[index]
        label = (transition.get("label") or {}).get("es") or transition.get("action", "")
        rows.append((name, str(label), kind))
    return rows


def section_of(path: str) -> str | None:
    """The section whose editor shows a problem at `path` (None: only the YAML editor)."""
    if _NOTICE_PATH.search(path):
        return "avisos"
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return next((slug for slug, (_t, heads) in SECTIONS.items() if head in heads), None)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


#: Inputs that edit a key in another unit: a document's size in bytes is typed in MB.
_INPUT_KEYS = {".max_bytes": ".max_mb"}


def _input_of(path: str) -> str:
    """The input that edits the value at a problem's `path` (usually named by it)."""
    for key, name in _INPUT_KEYS.items():
        if path.endswith(key):
            return path[: -len(key)] + name
    return path


class Page:
    """One section's form as drawn: its values, the messages at its inputs, its problems."""

    def __init__(
        self, section: str, values: Mapping[str, list[str]] | None, errors: Mapping[str, str],
        problems: list[Problem],
    ) -> None:  # fmt: skip
        self.section = section
        #: False when the stored section has a shape the form cannot draw (see `values_of`).
        self.drawable = values is not None
        values = values or {}
        self.values = values
        self.errors = errors
        self.problems = problems
        self.here = [p for p in problems if section_of(p.path) == section]
        self.elsewhere = [p for p in problems if section_of(p.path) != section]
        self.counts: dict[str | None, int] = {}
        for problem in problems:
            where = section_of(problem.path)
            self.counts[where] = self.counts.get(where, 0) + 1

    @staticmethod
    def anchor(path: str) -> str:
        """The id of the row (or input) a problem is shown at, for the summary's links."""
        found = _ROW_PATH.match(path)
        return found.group(1) if found else path

    def val(self, name: str) -> str:
        return (self.values.get(name) or [""])[0]

    def vals(self, name: str) -> list[str]:
        return list(self.values.get(name) or [])

    def rows(self, prefix: str) -> list[int]:
        return editors.Form(dict(self.values)).rows(prefix)

    def err(self, name: str) -> str | None:
        """The message at an input: a value it cannot take, or a problem found there."""
        if name in self.errors:
            return self.errors[name]
        found = [
            problem_message(p)
            for p in self.problems
            if _input_of(p.path) == name or (name.endswith((".es", ".en")) and p.path == name[:-3])
        ]
        return " ".join(found) or None

    def at(self, prefix: str) -> list[str]:
        """The messages of the problems within a row (`fields[3]`) that no input of it shows."""
        return [
            problem_message(p)
            for p in self.problems
            if _under(p.path, prefix) and not self._at_input(p.path)
        ]

    def has(self, prefix: str) -> bool:
        """Tell whether any problem is within a row (`fields[3]`)."""
        return any(_under(p.path, prefix) for p in self.problems)

    def _at_input(self, path: str) -> bool:
        return _input_of(path) in self.values or f"{path}.es" in self.values

    @staticmethod
    def message(problem: Problem) -> str:
        return problem_message(problem)


def page_context(row, page: Page, args, locale: str) -> dict[str, Any]:
    """What a section's template shows besides its form: the pickers' options, the diagram,
    the fee estimator (the catalogue's, run on the draft) and the notices' previews."""
    from flask import url_for

    from portal.admin import editor_services

    definition = editor_services.draft_definition(row)
    data = readable(row.definition or {})
    return {
        "pick": pickers(
            data,
            editor_services.tariff_regimes(row.definition or {}),
            editor_services.authority_codes(),
        ),
        "definition": definition,
        **estimator_context(row, definition if page.section == "tasas" else None, args, locale),
        **(notices_context(data, page.values) if page.section == "avisos" else {}),
        "live": {
            section: url_for(endpoint, procedure_id=row.procedure_id, version=row.version)
            for section, endpoint in LIVE.items()
        }.get(page.section),
        "diagram": url_for(
            "admin.draft_diagram",
            procedure_id=row.procedure_id,
            version=row.version,
            r=row.revision,
        )
        if definition is not None
        else None,
    }


def estimator_context(row, definition, args, locale: str) -> dict[str, Any]:
    """The fee estimator of a draft's fees page (`admin/editor/_estimator.html`): the
    catalogue's, run on `definition` (None: the draft cannot be loaded, no estimator)."""
    from flask import url_for

    from portal.catalogue.presenters import Estimator, money

    return {
        "estimator": None
        if definition is None
        else Estimator(row.procedure, definition, locale, args),
        "estimator_action": url_for(
            "admin.edit_draft",
            procedure_id=row.procedure_id,
            version=row.version,
            section="tasas",
        ),
        "money": money,
        "locale": locale,
    }


def notices_context(data: Mapping[str, Any], values: Mapping[str, list[str]]) -> dict:
    """The notice texts to edit and each one's preview, rendered from `values` as typed."""
    from portal.admin import editor_services

    data = readable(data)
    return {
        "previews": editor_services.notice_previews(dict(values), data),
        "slots": notice_rows(data),
    }


def live_messages(errors: Mapping[str, str], problems: list[Problem]) -> list[tuple[str, str]]:
    """Why what is typed cannot be used: (anchor of the input or row, Spanish message)."""
    return [(name, str(message)) for name, message in errors.items()] + [
        (Page.anchor(p.path), problem_message(p)) for p in problems
    ]


def _answers(data: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """The answers a comparison's value is picked from, by field: a choice field's choices,
    yes or no for a yes/no field (other fields' values are typed)."""
    answers: dict[str, list[tuple[str, str]]] = {}
    for item in data.get("fields") or []:
        name, choices = str(item.get("name", "")), item.get("choices")
        if item.get("type") == "yes_no":
            answers[name] = [("sí", str(_l("sí"))), ("no", str(_l("no")))]
        elif isinstance(choices, list):
            answers[name] = [
                (str(c.get("value")), str((c.get("label") or {}).get("es") or c.get("value")))
                for c in choices
                if isinstance(c, dict)
            ]
    return answers


def pickers(data: Mapping[str, Any], regimes: tuple[str, ...], authorities: list) -> dict:
    """The options of the editors' selects, read from the registries and the draft itself."""
    workflow = data.get("workflow") or {}
    return {
        "field_types": [(code, FIELD_TYPE_LABELS.get(code, code)) for code in FIELD_TYPES],
        "ops": [(op, OP_LABELS[op]) for op in COMPARISON_OPS],
        "elements": [(path, item.label.get("es")) for path, item in ELEMENTS.items()],
        "answers": _answers(data),
        "fields": [
            (str(f.get("name")), (f.get("label") or {}).get("es") or f.get("name"))
            for f in data.get("fields") or []
            if isinstance(f, dict) and f.get("name")
        ],
        "states": [
            (str(s.get("code")), (s.get("label") or {}).get("es") or s.get("code"))
            for s in workflow.get("states") or []
            if isinstance(s, dict) and s.get("code")
        ],
        "roles": [(role, ROLE_LABELS.get(role, role)) for role in ROLES],
        "state_kinds": [(kind, STATE_KIND_LABELS[kind]) for kind in STATE_KINDS],
        "clocks": [(clock, CLOCK_LABELS[clock]) for clock in CLOCKS],
        "breach_kinds": [(kind, BREACH_LABELS[kind]) for kind in BREACH_KINDS],
        "transition_kinds": [(kind, TRANSITION_KIND_LABELS[kind]) for kind in TRANSITION_KINDS],
        "guards": [name for name in GUARDS if name != "condition"],
        "effects": list(EFFECTS),
        "effect_params": editors_flow.EFFECT_PARAM,
        "param_labels": PARAM_LABELS,
        "feed_types": FEED_EVENT_TYPES,
        "fee_kinds": [(kind, FEE_KIND_LABELS[kind]) for kind in editors_fees.FEE_KINDS],
        "mime_types": [(mime, TYPE_NAMES[mime]) for mime in MIME_TYPES],
        "catalogue_texts": [(key, CATALOGUE_TEXT_LABELS[key]) for key in CATALOGUE_TEXTS],
        "life_events": [(code, label.get("es")) for code, label in LIFE_EVENTS.items()],
        "regimes": regimes,
        "authorities": authorities,
        "simdet": list(SIMDET_LABELS.items()),
        "reason_uses": [(use, REASON_USE_LABELS[use]) for use in REASON_USES],
        "reason_items": [(kind, REASON_ITEM_LABELS[kind]) for kind in REASON_ITEMS],
    }
