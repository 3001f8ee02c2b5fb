"""The procedure sheet in words: steps, requirements, fee rules and conditions, for people.

Everything is read from the definition's meaning (state kinds, transition kinds, effect
names, fee rule kinds), never from the names one definition happens to use.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import workflows
from forms.builder import collected_data
from forms.catalogue import CatalogueSearchForm, build_estimate_form
from forms.messages import accepted_types, megabytes
from portal.catalogue import services
from workflows.fees import FeeRule, FixedFee, PerUnitAboveFee, RegimeFee, Surcharge, TableFee
from workflows.life_events import LIFE_EVENTS

#: Names of the OPAMSS tariff regimes a district may have (`portal.reference.values`).
REGIMES = {
    "tasas_2004_2010": _l("distritos con las tasas de 2004 a 2010"),
    "decreto_27_2023": _l("distritos con las tasas del Decreto 27 de 2023"),
}
_APPROVED = frozenset({"approved", "approved_with_conditions"})


def steps(definition: workflows.Definition, locale: str) -> list[str]:
    """What happens after starting, in order and in plain words ("qué pasa después").

    Derived from the kinds of the states and transitions the definition has and the effects
    they perform: draft, filing, review, corrections, payment, decision, silence, certificate.
    """
    states = {state.kind for state in definition.states}
    moves = {definition.kind_of(item) for item in definition.transitions}
    effects = {ref.name for item in definition.transitions for ref in item.effects}
    decided = {
        definition.state(item.target).kind
        for item in definition.transitions
        if definition.kind_of(item) == "decide"
    }
    said = []
    if "draft" in states:
        said.append(
            _(
                "Usted llena el formulario en línea y adjunta los documentos; puede "
                "guardarlo y seguir después."
            )
        )
    if "submit" in moves:
        said.append(
            _(
                "Presenta la solicitud y recibe una constancia con su número de "
                "expediente: desde ese día corre el plazo."
            )
        )
    if "active" in states:
        said.append(_("La oficina revisa sus datos y sus documentos."))
    if "ask_applicant" in moves:
        said.append(
            _(
                "Si falta algo o hay que corregirlo, la oficina se lo pide por escrito "
                "(prevención) y el plazo se detiene hasta que usted responda."
            )
        )
    if "request_payment" in effects and definition.fees:
        said.append(
            _(
                "Recibe un mandamiento de pago con las tasas; la solicitud sigue cuando "
                "se registra el pago."
            )
        )
    if decided:
        said.append(_decision_step(decided))
    if any(item.kind == "deem_approved" for item in _breaches(definition)):
        said.append(
            _(
                "Si la oficina no resuelve en el plazo legal, la solicitud se entiende "
                "aprobada (silencio positivo)."
            )
        )
    if definition.certificate is not None and decided & _APPROVED:
        said.append(
            _(
                "Si se aprueba, descarga aquí su %(document)s.",
                document=definition.certificate.title.get(locale),
            )
        )
    return said


def _decision_step(decided: set[str]) -> str:
    if decided & _APPROVED and "denied" in decided:
        return _(
            "La oficina resuelve: aprueba su solicitud (a veces con condiciones) o "
            "la deniega, explicando por qué."
        )
    if decided & _APPROVED:
        return _("La oficina resuelve y aprueba su solicitud, a veces con condiciones.")
    return _("La oficina resuelve su solicitud.")


def _breaches(definition: workflows.Definition):
    yield from definition.breach
    for state in definition.states:
        yield from state.breach


def money(amount: Decimal) -> str:
    """Dollars as El Salvador writes them: $1,234.50."""
    return f"${amount:,.2f}"


def condition_words(definition: workflows.Definition, condition: Mapping, locale: str) -> str:
    """A condition in words: «¿Ya es contribuyente?» es «No» y ..."""
    if "all" in condition:
        return _(" y ").join(condition_words(definition, item, locale) for item in condition["all"])
    if "any" in condition:
        return _(" o ").join(condition_words(definition, item, locale) for item in condition["any"])
    if "not" in condition:
        return _(
            "no se cumple que %(condition)s",
            condition=condition_words(definition, condition["not"], locale),
        )
    spec = definition.field(condition["field"])
    label = spec.label.get(locale)
    op, value = condition["op"], condition.get("value")
    if op == "present":
        return _("responde «%(field)s»", field=label)
    if op == "absent":
        return _("no responde «%(field)s»", field=label)
    shown = _value_words(spec, value, locale)
    templates = {
        "eq": _("«%(field)s» es %(value)s"),
        "ne": _("«%(field)s» no es %(value)s"),
        "in": _("«%(field)s» es %(value)s"),
        "not_in": _("«%(field)s» no es %(value)s"),
        "lt": _("«%(field)s» es menor que %(value)s"),
        "le": _("«%(field)s» es a lo sumo %(value)s"),
        "gt": _("«%(field)s» es mayor que %(value)s"),
        "ge": _("«%(field)s» es al menos %(value)s"),
    }
    return templates[op] % {"field": label, "value": shown}


def _value_words(spec, value, locale: str) -> str:
    if isinstance(value, list | tuple):
        words = [_value_words(spec, item, locale) for item in value]
        return (
            words[0]
            if len(words) == 1
            else _("%(first)s o %(last)s", first=", ".join(words[:-1]), last=words[-1])
        )
    if spec.type == "yes_no" or isinstance(value, bool):
        return _("«Sí»") if value in (True, "si", "true") else _("«No»")
    if isinstance(value, int | float | Decimal):
        return f"{value:,}"
    labels = {choice.value: choice.label.get(locale) for choice in spec.choices}
    return f"«{labels.get(str(value), value)}»"


def fee_rows(definition: workflows.Definition, locale: str) -> list[dict]:
    """Each fee rule with its label and its rule in a Spanish sentence (and its condition)."""
    return [
        {
            "label": rule.label.get(locale),
            "rule": fee_words(definition, rule, locale),
            "when": rule.when and condition_words(definition, rule.when, locale),
            "placeholder": rule.placeholder,
        }
        for rule in definition.fees
    ]


def fee_words(definition: workflows.Definition, rule: FeeRule, locale: str) -> str:
    """The amount rule of a fee in words (fixed, per unit above, table, by regime, surcharge)."""
    if isinstance(rule, FixedFee):
        return _("%(amount)s.", amount=money(rule.fixed))
    if isinstance(rule, Surcharge):
        if rule.fixed is not None:
            return _("%(amount)s adicionales.", amount=money(rule.fixed))
        return _("%(percent)s %% de las tasas anteriores.", percent=f"{rule.percent:g}")
    if isinstance(rule, RegimeFee):
        return _by_regime(rule.amounts, lambda amount: money(amount))
    if isinstance(rule, TableFee):
        spec = definition.field(rule.field)
        labels = {choice.value: choice.label.get(locale) for choice in spec.choices}
        parts = [f"{labels.get(key, key)}: {money(amount)}" for key, amount in rule.amounts.items()]
        return _(
            "Según «%(field)s»: %(amounts)s; otras respuestas no pagan esta tasa.",
            field=spec.label.get(locale),
            amounts="; ".join(parts),
        )
    return _per_unit_words(definition, rule, locale)


def _per_unit_words(definition: workflows.Definition, rule: PerUnitAboveFee, locale: str) -> str:
    spec = definition.field(rule.field)
    label = (spec.label.get(locale), _("m²") if spec.type == "area_m2" else _("unidad"))
    if isinstance(rule.base, Mapping) or isinstance(rule.rate, Mapping):
        base = rule.base if isinstance(rule.base, Mapping) else dict.fromkeys(rule.rate, rule.base)
        rate = rule.rate if isinstance(rule.rate, Mapping) else dict.fromkeys(base, rule.rate)
        said = _by_regime(
            base,
            lambda _a: "",
            each=lambda code: _unit_sentence(label, base[code], rule.threshold, rate[code]),
        )
    else:
        said = _unit_sentence(label, rule.base, rule.threshold, rule.rate)
    said += "."
    for item in rule.rates:
        said += " " + _(
            "Si %(condition)s, cada %(unit)s cuesta %(rate)s.",
            unit=label[1],
            condition=condition_words(definition, item.when, locale),
            rate=_plain_amount(item.rate),
        )
    return said


def _unit_sentence(label: tuple[str, str], base: Decimal, threshold: Decimal, rate: Decimal) -> str:
    field, unit = label
    if not base and not threshold:
        return _(
            "%(rate)s por cada %(unit)s de «%(field)s»", rate=money(rate), unit=unit, field=field
        )
    return _(
        "%(base)s, más %(rate)s por cada %(unit)s de «%(field)s» por encima de %(threshold)s",
        base=money(base),
        rate=money(rate),
        unit=unit,
        field=field,
        threshold=f"{threshold:,}",
    )


def _plain_amount(amount) -> str:
    if isinstance(amount, Mapping):
        return _by_regime(amount, lambda value: money(value))
    return money(amount)


def _by_regime(amounts: Mapping, show, each=None) -> str:
    parts = [
        _(
            "en los %(regime)s: %(amount)s",
            regime=REGIMES.get(code, code),
            amount=each(code) if each else show(amount),
        )
        for code, amount in amounts.items()
    ]
    return _("Depende del distrito: %(parts)s", parts="; ".join(parts))


def requirement_rows(definition: workflows.Definition, locale: str) -> list[dict]:
    """Each document: when it is needed, how to present it (types and size, or in person), help."""
    rows = []
    for doc in definition.documents:
        if doc.required:
            needed = _("Obligatorio.")
        elif doc.required_if is not None:
            needed = _(
                "Obligatorio solo si %(condition)s.",
                condition=condition_words(definition, doc.required_if, locale),
            )
        else:
            needed = _("Opcional.")
        if doc.presentation == "counter":
            how = _("Se presenta en persona en la ventanilla de la oficina.")
        else:
            how = _(
                "Se adjunta en línea: %(types)s, hasta %(max_mb)s MB.",
                types=accepted_types(doc.accept),
                max_mb=megabytes(doc.max_bytes),
            )
        rows.append(
            {
                "title": doc.title.get(locale),
                "needed": needed,
                "how": how,
                "help": doc.help.get(locale) if doc.help else "",
            }
        )
    return rows


def validity_words(definition: workflows.Definition, locale: str) -> str | None:
    """How long what is issued lasts, in words; None when the definition says nothing."""
    validity = definition.validity
    if validity is None:
        return None
    parts = []
    if validity.months:
        parts.append(_("Vale %(months)s meses.", months=validity.months))
    if validity.ends_with_fiscal_year:
        parts.append(_("Vence el 31 de diciembre de cada año."))
    if validity.note:
        parts.append(validity.note.get(locale))
    return " ".join(parts) or None


def prerequisite_links(definition: workflows.Definition, locale: str) -> list[dict]:
    """Each prerequisite with the authority and slug of its sheet, and when it applies."""
    links = []
    for item in definition.prerequisites:
        authority, _sep, slug = item.procedure.partition("/")
        when = item.when and condition_words(definition, item.when, locale)
        links.append(
            {"title": item.title.get(locale), "authority": authority, "slug": slug, "when": when}
        )
    return links


class Sheet:
    """What the procedure sheet says, in the eRegulations shape, for one locale."""

    def __init__(self, definition: workflows.Definition, locale: str) -> None:
        self.steps = steps(definition, locale)
        self.requirements = requirement_rows(definition, locale)
        self.fees = fee_rows(definition, locale)
        self.validity = validity_words(definition, locale)
        self.prerequisites = prerequisite_links(definition, locale)


class Estimator:
    """The sheet's fee estimator: a GET form asking only what the fee rules read.

    The figures are read by the application form's own fields (`wtf_field`, the engine's
    `validate_value`) and assessed by `assess`, as the payment order will be. A total is shown
    only when the assessment is `complete`: each blank answer the fees depend on, and the
    district when the tariff regime is unknown, gets a message at its field instead.
    """

    def __init__(self, procedure, definition: workflows.Definition, locale: str, args) -> None:
        from portal.applications.effects import district_field
        from portal.applications.presenters import district_choices

        self.names = services.estimate_inputs(definition)
        form_class = build_estimate_form(
            definition, self.names, locale=locale, districts=district_choices(definition)
        )
        self.submitted = "calcular" in args
        self.form = form_class(formdata=args if self.submitted else None)
        self.fields = [getattr(self.form, f"f_{name}") for name in self.names]
        self.assessment = None
        if not self.names and definition.fees:
            self.assessment = services.estimate(procedure, definition, {})
        elif self.submitted and self.form.validate():
            assessment = services.estimate(procedure, definition, collected_data(self.form))
            missing = dict.fromkeys(
                assessment.unanswered, _("Responda esta pregunta para calcular la tasa.")
            )
            if assessment.missing_regime and district_field(definition) in self.names:
                missing[district_field(definition)] = _("Elija el distrito: la tasa depende de él.")
            for name, message in missing.items():
                getattr(self.form, f"f_{name}").errors.append(message)
            if assessment.complete or not missing:
                self.assessment = assessment  # incomplete only if no field can say why


def search_form(args, districts, offices, locale: str) -> CatalogueSearchForm:
    """The search form read from the query string, its choices from the authorities table."""
    form = CatalogueSearchForm(formdata=args)
    form.distrito.choices = [("", _("Todos los distritos"))] + [
        (d.code, d.short_name) for d in districts
    ]
    form.oficina.choices = [("", _("Todas las oficinas"))] + [(o.code, o.name) for o in offices]
    form.evento.choices = [("", _("Cualquiera"))] + [
        (code, label.get(locale)) for code, label in LIFE_EVENTS.items()
    ]
    form.validate()
    return form


def search_terms(form: CatalogueSearchForm) -> dict[str, str]:
    """The search's arguments; a filter with an error at its field is not applied."""

    def clean(field) -> str:
        return "" if field.errors or not field.data else str(field.data).strip()

    return {
        "query": clean(form.q),
        "district": clean(form.distrito),
        "office": clean(form.oficina),
        "life_event": clean(form.evento),
    }


def district_notice(code: str, districts, offices, entries) -> str | None:
    """Say plainly when a district does not offer (the sought) procedures online yet."""
    district = next((d for d in districts if d.code == code), None)
    if district is None:
        return None
    if not entries:
        return _(
            "El distrito de %(district)s aún no ofrece en línea ningún trámite que coincida "
            "con su búsqueda.",
            district=district.short_name,
        )
    if all(o.code != code for o in offices):
        return _(
            "El distrito de %(district)s aún no ofrece en línea sus propios trámites "
            "municipales; estos son los de las oficinas que lo atienden.",
            district=district.short_name,
        )
    return None
