"""The data dictionary: typed data elements about the subjects a one-stop window deals with.

A definition's field may bind to an element (`bind: establishment.trade_name`); a field without
`bind` is local to its procedure. The bindings are how the portal knows, without naming any
definition's fields, what a case says about a subject: what to prefill from the applicant's
records, who the certificate's holder is, what SIMDET receives, and which personal data never
leaves the portal (`Element.personal`).

Subjects (`SUBJECTS`):
- person: the natural person who files (the applicant, or a representative);
- legal_unit: the NIT holder the case is about, a natural or a legal person;
- establishment: the premises where a legal unit carries on an activity (the local unit of
  business registers: Brønnøysund's *underenhet*, Catalonia's *establiment*);
- property: a plot of land in the CNR's registry (the Registro de la Propiedad Raíz);
- works: the building works on a property.

The dictionary is code, not data: an element is a promise kept by the portal (records, feed,
certificate), so a new one comes with the portal's support for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from workflows.conditions import is_blank
from workflows.model import Definition, Field
from workflows.problems import Problem
from workflows.text import Text

SUBJECTS = ("person", "legal_unit", "establishment", "property", "works")
#: Subjects a prerequisite's `same_subject` may name.
SAME_SUBJECTS = ("property", "establishment", "legal_unit")
#: The element that tells two cases are about the same subject; None for the establishment,
#: which the portal matches by its record (an establishment has no registry key before it is
#: registered), so a definition need only bind one of its elements.
IDENTIFYING: Mapping[str, str | None] = MappingProxyType(
    {
        "property": "property.cadastral_key",
        "legal_unit": "legal_unit.nit",
        "establishment": None,
    }
)
#: `legal_unit.kind` of a legal person: only then are the legal unit's elements marked
#: `personal_if_natural` not personal data (an unknown kind counts as a natural person).
LEGAL = "juridica"


@dataclass(frozen=True, slots=True)
class Element:
    """One data element of the dictionary.

    Attributes:
        path: "<subject>.<name>", as fields bind it (`establishment.trade_name`).
        types: Field types a bound field may have (`workflows.model.FIELD_TYPES`).
        label: What the element is, in Spanish and English.
        personal: Personal data of a natural person: never leaves the portal (SIMDET,
            statistics, public pages).
        personal_if_natural: Personal data when the legal unit is a natural person
            (`legal_unit.kind` is "natural" or not given); a legal person's name and NIT are
            public registry data.
        values: For choice elements, the values a bound field's choices must be among.
        feed: SIMDET receives it (`feed_values`); never a personal element.
    """

    path: str
    types: tuple[str, ...]
    label: Text
    personal: bool = False
    personal_if_natural: bool = False
    values: tuple[str, ...] = ()
    feed: bool = False

    @property
    def subject(self) -> str:
        """Return the subject the element is about (`establishment`)."""
        return self.path.partition(".")[0]

    @property
    def name(self) -> str:
        """Return the element's name within its subject (`trade_name`)."""
        return self.path.partition(".")[2]


def _e(path: str, types: str, es: str, en: str, **flags: object) -> Element:
    return Element(path, tuple(types.split()), Text(es=es, en=en), **flags)  # type: ignore[arg-type]


_ELEMENTS = (
    # The natural person who files: personal data, all of it.
    _e("person.name", "text", "Nombre de la persona", "Person's name", personal=True),
    _e("person.dui", "dui", "DUI de la persona", "Person's DUI", personal=True),
    _e("person.nit", "nit", "NIT de la persona", "Person's NIT", personal=True),
    _e("person.email", "email", "Correo electrónico", "E-mail address", personal=True),
    _e("person.phone", "phone", "Teléfono", "Telephone", personal=True),
    _e(
        "person.acts_as",
        "choice",
        "Actúa por sí o como representante",
        "Acts on own behalf or as a representative",
        values=("self", "representative"),
    ),
    # The NIT holder: a natural or a legal person.
    _e(
        "legal_unit.kind",
        "choice",
        "Persona natural o jurídica",
        "Natural or legal person",
        values=("natural", "juridica"),
    ),
    _e(
        "legal_unit.name",
        "text",
        "Nombre o razón social del titular",
        "Holder's name or company name",
        personal_if_natural=True,
    ),
    _e("legal_unit.nit", "nit", "NIT del titular", "Holder's NIT", personal_if_natural=True),
    _e("legal_unit.dui", "dui", "DUI del titular (persona natural)", "Holder's DUI", personal=True),
    _e(
        "legal_unit.cnr_registration",
        "text",
        "Matrícula de empresa en el CNR",
        "CNR company registration number",
        personal_if_natural=True,
    ),
    # The establishment: premises where the legal unit carries on an activity.
    _e("establishment.trade_name", "text", "Nombre comercial", "Trade name", feed=True),
    _e(
        "establishment.tax_account",
        "text",
        "Cuenta en el Registro Tributario Municipal",
        "Municipal tax register account",
    ),
    _e("establishment.address", "address", "Dirección del establecimiento", "Address", feed=True),
    _e("establishment.district", "district", "Distrito del establecimiento", "District", feed=True),
    _e("establishment.point", "point", "Ubicación en el mapa", "Map location", feed=True),
    _e(
        "establishment.activity_code",
        "activity_code",
        "Actividad económica principal (CLAEES)",
        "Principal economic activity (CLAEES)",
        feed=True,
    ),
    _e(
        "establishment.activity_description",
        "text long_text",
        "Descripción de la actividad",
        "Description of the activity",
    ),
    _e(
        "establishment.start_date",
        "date",
        "Fecha de inicio de operaciones",
        "Start date",
        feed=True,
    ),
    _e("establishment.closing_date", "date", "Fecha de cierre", "Closing date", feed=True),
    _e("establishment.employees", "integer", "Personas empleadas", "Employees", feed=True),
    _e(
        "establishment.annual_sales",
        "money number",
        "Ventas brutas anuales (US$), fuente del tamaño MYPE",
        "Gross annual sales (US$), source of the MYPE size band",
        feed=True,
    ),
    _e(
        "establishment.declared_assets",
        "money number",
        "Activo declarado (US$)",
        "Declared assets (US$)",
    ),
    _e("establishment.area_m2", "area_m2", "Área del local (m²)", "Floor area (m²)"),
    _e("establishment.opening_hours", "text", "Horario de atención", "Opening hours"),
    _e("establishment.premises_rented", "yes_no", "Local arrendado", "Rented premises"),
    # The property: a plot in the CNR's registry.
    _e(
        "property.cadastral_key",
        "text",
        "Matrícula del inmueble en el CNR",
        "CNR property registration number",
    ),
    _e("property.address", "address", "Dirección del inmueble", "Property address"),
    _e("property.district", "district", "Distrito del inmueble", "Property district"),
    _e("property.point", "point", "Ubicación del inmueble", "Property map location"),
    _e("property.lot_area_m2", "area_m2", "Área del terreno (m²)", "Lot area (m²)"),
    _e("property.current_use", "text long_text", "Uso actual del inmueble", "Current use"),
    # The works on a property.
    _e("works.built_area_m2", "area_m2", "Área construida (m²)", "Built area (m²)"),
    _e("works.floors", "integer", "Número de niveles", "Number of floors"),
    _e("works.use", "choice text long_text", "Uso de la edificación", "Use of the building"),
    _e("works.kind", "choice", "Tipo de obra", "Kind of works"),
    _e("works.budget", "money", "Presupuesto de la obra (US$)", "Budget of the works (US$)"),
    _e("works.completion_date", "date", "Fecha de finalización", "Completion date"),
)
ELEMENTS: Mapping[str, Element] = MappingProxyType({item.path: item for item in _ELEMENTS})


def element(path: str) -> Element:
    """Return the element at `path` ("establishment.trade_name"); raise KeyError if none."""
    return ELEMENTS[path]


def elements(subject: str) -> tuple[Element, ...]:
    """Return the elements of one subject, in dictionary order (empty for an unknown one)."""
    return tuple(item for item in _ELEMENTS if item.subject == subject)


def field_for(definition: Definition, path: str) -> Field | None:
    """Return the definition's field bound to the element `path`, or None."""
    return next((item for item in definition.fields if item.bind == path), None)


def bound(definition: Definition, data: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Return the values of the definition's bound fields, by subject.

    Args:
        definition: The case's definition.
        data: The case's answers, by field name (stored or typed values alike).

    Returns:
        `{"establishment": {"trade_name": "Pupusería La Ceiba", ...}, "legal_unit": {...}}`:
        only subjects with at least one answered bound field; blank answers left out.
    """
    out: dict[str, dict[str, object]] = {}
    for item in definition.fields:
        if item.bind is None or is_blank(data.get(item.name)):
            continue
        subject, _, name = item.bind.partition(".")
        out.setdefault(subject, {})[name] = data[item.name]
    return out


def is_personal(path: str, values: Mapping[str, Mapping[str, object]]) -> bool:
    """Tell whether an element's value in a case is a natural person's data.

    Args:
        path: The element ("legal_unit.name").
        values: The case's bound values by subject, as `bound` returns them (for the legal
            unit's kind).

    Returns:
        True for personal elements, and for `personal_if_natural` ones unless the case says
        the legal unit is a legal person ("juridica"). Raises KeyError for an unknown path.
    """
    item = ELEMENTS[path]
    if item.personal:
        return True
    return item.personal_if_natural and values.get("legal_unit", {}).get("kind") != LEGAL


def shareable(definition: Definition, data: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Return `bound` without any personal value: what may leave the portal (SIMDET, statistics).

    Local fields never appear: only what the dictionary says, and only what it says is not a
    natural person's data.
    """
    values = bound(definition, data)
    return {
        subject: kept
        for subject, items in values.items()
        if (
            kept := {
                name: value
                for name, value in items.items()
                if not is_personal(f"{subject}.{name}", values)
            }
        )
    }


def feed_values(definition: Definition, data: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Return what SIMDET receives about a case: its `feed` elements, by subject.

    Args:
        definition: The case's definition.
        data: The case's applicable answers (hidden ones already left out).

    Returns:
        `{"establishment": {"trade_name": ..., "activity_code": ..., "employees": ...}}`: the
        establishment's trade name, activity, employees, annual sales, location and dates, as
        far as the definition binds and the case answers them. Never a personal value: feed
        elements are not personal, and `shareable` drops whatever would be.
    """
    return {
        subject: kept
        for subject, items in shareable(definition, data).items()
        if (
            kept := {
                name: value for name, value in items.items() if ELEMENTS[f"{subject}.{name}"].feed
            }
        )
    }


def binds_subject(definition: Definition, subject: str) -> bool:
    """Tell whether the definition binds what identifies `subject` (see `IDENTIFYING`)."""
    key = IDENTIFYING.get(subject)
    return any(
        item.bind is not None
        and (item.bind == key if key else item.bind.partition(".")[0] == subject)
        for item in definition.fields
    )


def check(definition: Definition) -> list[Problem]:
    """Return the dictionary's problems with a definition (empty when it is sound).

    Bindings: `unknown_element`, `type_mismatch` (the field's type is not one the element
    accepts), `unknown_choice` (a choice the element does not allow), `duplicate_binding` (two
    fields bound to one element), `not_applicable` (a transition output is given by staff, not
    a fact about a subject). Resolution fields and prerequisites: `unknown_field`,
    `type_mismatch` (a prerequisite's `field` is not a `resolution` field),
    `duplicate_field` (two prerequisites share one field), `visibility_mismatch` (the field's
    `visible_if` is not the prerequisite's `when`: the applicant would be asked for a case that
    is not required, or required to hold one without being asked), `resolution_without_prerequisite`
    (no prerequisite says which procedure's case the field takes), `subject_not_bound` (the
    definition does not bind what identifies the prerequisite's `same_subject`).
    """
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(definition.fields):
        if item.bind is not None:
            problems += _binding_problems(item, f"fields[{index}]", seen, index)
    for number, transition in enumerate(definition.transitions):
        for index, item in enumerate(transition.outputs):
            if item.bind is not None:
                path = f"workflow.transitions[{number}].outputs[{index}].bind"
                problems.append(Problem(path, "not_applicable", "outputs are not bound"))
    problems += _prerequisite_problems(definition)
    return problems


def _binding_problems(item: Field, path: str, seen: dict[str, int], index: int) -> list[Problem]:
    here = f"{path}.bind"
    found = ELEMENTS.get(item.bind or "")
    if found is None:
        return [Problem(here, "unknown_element", f"no element {item.bind!r}")]
    problems = []
    if item.type not in found.types:
        problems.append(
            Problem(here, "type_mismatch", f"{found.path} takes {', '.join(found.types)}")
        )
    elif found.values:
        problems += [
            Problem(f"{path}.choices", "unknown_choice", f"{value!r} is not a {found.path}")
            for value in item.choice_values()
            if value not in found.values
        ]
    if found.path in seen:
        problems.append(
            Problem(here, "duplicate_binding", f"fields[{seen[found.path]}] binds it too")
        )
    seen.setdefault(found.path, index)
    return problems


def _prerequisite_problems(definition: Definition) -> list[Problem]:
    fields = {item.name: item for item in definition.fields}
    problems: list[Problem] = []
    taken: set[str] = set()
    for index, prerequisite in enumerate(definition.prerequisites):
        path = f"prerequisites[{index}]"
        name = prerequisite.field
        if name is not None:
            if name not in fields:
                problems.append(Problem(f"{path}.field", "unknown_field", f"no field {name!r}"))
            elif fields[name].type != "resolution":
                problems.append(
                    Problem(f"{path}.field", "type_mismatch", f"{name!r} is not a resolution")
                )
            elif name in taken:
                problems.append(
                    Problem(f"{path}.field", "duplicate_field", f"{name!r} serves another one")
                )
            elif fields[name].visible_if != prerequisite.when:
                problems.append(
                    Problem(
                        f"{path}.field",
                        "visibility_mismatch",
                        f"{name!r} must be asked exactly when the prerequisite applies",
                    )
                )
            taken.add(name)
        subject = prerequisite.same_subject
        if subject is not None and not binds_subject(definition, subject):
            key = IDENTIFYING.get(subject) or f"an element of {subject}"
            problems.append(
                Problem(f"{path}.same_subject", "subject_not_bound", f"no field binds {key}")
            )
    problems += [
        Problem(
            f"fields[{index}]",
            "resolution_without_prerequisite",
            f"no prerequisite names {item.name!r} as its field",
        )
        for index, item in enumerate(definition.fields)
        if item.type == "resolution" and item.name not in taken
    ]
    return problems
