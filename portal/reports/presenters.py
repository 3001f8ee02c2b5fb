"""The reports as tables (headers, rows, a chart's bars) for the page and for CSV files."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.reports import services
from portal.reports.services import CORRECTION_KIND, DENIAL_KIND, Filters, Reading

#: Cell openings a spreadsheet reads as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def procedure_choices(procedures, locale: str) -> list[tuple[int, str]]:
    """(id, label) of the procedures a person may filter by, by label: each its title in
    `locale`, followed by its office's short name when another procedure has the same title
    (two offices' "Inscripción de establecimiento" are told apart)."""
    titles = {p.id: p.title.get(locale) or p.title.get("es", "") for p in procedures}
    repeated = {title for title, count in Counter(titles.values()).items() if count > 1}
    return sorted(
        (
            (p.id, f"{titles[p.id]} ({p.authority.short_name})")
            if titles[p.id] in repeated
            else (p.id, titles[p.id])
            for p in procedures
        ),
        key=lambda pair: pair[1],
    )


@dataclass(frozen=True)
class Bar:
    """One bar: what it is, its length (any unit, scaled to the longest) and its text."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Table:
    """One report: `key` names its CSV; `rows` hold raw values (str, int, float or None);
    `numeric` says which columns are figures (right-aligned); `bars` draw its chart."""

    key: str
    title: str
    description: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: list[tuple]
    bars: list[Bar]


def _days(value: float) -> str:
    return f"{value:,.1f}"


def _states(reading: Reading) -> list[Table]:
    found = services.cases_per_state(reading)
    return [
        Table(
            "estados",
            _("Expedientes por estado"),
            _("Expedientes presentados en el periodo, según el estado en que están hoy."),
            (_("Trámite"), _("Estado"), _("Expedientes")),
            (False, False, True),
            [(r.procedure, r.state, r.cases) for r in found],
            [Bar(f"{r.state} · {r.procedure}", r.cases, str(r.cases)) for r in found],
        )
    ]


def _people(reading: Reading) -> list[Table]:
    found = services.activity_per_person(reading)
    return [
        Table(
            "personas",
            _("Actividad por persona"),
            _(
                "Actuaciones registradas en el historial de los expedientes durante el "
                "periodo: decisiones (aprobar, condicionar, denegar), prevenciones y el total."
            ),
            (_("Persona"), _("Actuaciones"), _("Decisiones"), _("Prevenciones")),
            (False, True, True, True),
            [(p.name, p.actions, p.decisions, p.corrections) for p in found],
            [Bar(p.name, p.actions, str(p.actions)) for p in found],
        )
    ]


def _times(reading: Reading) -> list[Table]:
    found = services.time_in_states(reading)
    return [
        Table(
            "tiempos",
            _("Tiempo en cada estado"),
            _(
                "Permanencias en cada estado que terminaron en el periodo. Días corridos y "
                "días hábiles según el calendario de la oficina que resuelve."
            ),
            (
                _("Trámite"),
                _("Estado"),
                _("Permanencias"),
                _("Mediana (días)"),
                _("Percentil 90 (días)"),
                _("Mediana (días hábiles)"),
                _("Percentil 90 (días hábiles)"),
            ),
            (False, False, True, True, True, True, True),
            [
                (
                    t.procedure,
                    t.state,
                    t.stays,
                    t.median_days,
                    t.p90_days,
                    t.median_business_days,
                    t.p90_business_days,
                )
                for t in found
            ],
            [
                Bar(
                    f"{t.state} · {t.procedure}",
                    t.median_days,
                    _("%(days)s días (mediana)", days=_days(t.median_days)),
                )
                for t in found
            ],
        )
    ]


def _deadline_table(key: str, title: str, first: str, found) -> Table:
    return Table(
        key,
        title,
        _(
            "Decisiones del periodo (aprobar, condicionar, denegar) tomadas a más tardar el "
            "último día del plazo legal. El porcentaje se calcula sobre las que tenían plazo."
        ),
        (first, _("Decididos"), _("Con plazo legal"), _("En plazo"), _("Porcentaje en plazo")),
        (False, True, True, True, True),
        [(r.name, r.decided, r.with_deadline, r.met, r.percent) for r in found],
        [
            Bar(
                r.name,
                r.percent or 0,
                _(
                    "%(percent)s %% (%(met)s de %(total)s)",
                    percent=f"{r.percent:.0f}",
                    met=r.met,
                    total=r.with_deadline,
                ),
            )
            for r in found
            if r.percent is not None
        ],
    )


def _deadlines(reading: Reading) -> list[Table]:
    per_procedure, per_district = services.deadlines_met(reading)
    return [
        _deadline_table(
            "plazos-por-tramite", _("Plazos cumplidos por trámite"), _("Trámite"), per_procedure
        ),
        _deadline_table(
            "plazos-por-distrito", _("Plazos cumplidos por distrito"), _("Distrito"), per_district
        ),
    ]


def _reasons(reading: Reading) -> list[Table]:
    found = services.reasons_given(reading)
    kinds = {CORRECTION_KIND: _("Prevención"), DENIAL_KIND: _("Denegación")}
    given = [r for r in found if r.kind in kinds]
    items = [r for r in found if r.kind not in kinds]
    return [
        Table(
            "motivos",
            _("Motivos de prevenciones y denegaciones"),
            _("Veces que se dio cada motivo del catálogo del trámite durante el periodo."),
            (_("Trámite"), _("Tipo"), _("Motivo"), _("Código"), _("Veces")),
            (False, False, False, False, True),
            [(r.procedure, kinds[r.kind], r.label, r.code, r.count) for r in given],
            [Bar(f"{kinds[r.kind]}: {r.label}", r.count, str(r.count)) for r in given],
        ),
        Table(
            "items-observados",
            _("Datos y documentos observados"),
            _("Veces que la revisión marcó cada dato o documento como no conforme."),
            (_("Trámite"), _("Dato o documento"), _("No conforme")),
            (False, False, True),
            [(r.procedure, r.label, r.count) for r in items],
            [Bar(f"{r.label} · {r.procedure}", r.count, str(r.count)) for r in items],
        ),
    ]


#: Each part of the page and the CSV files it offers.
PARTS: tuple[tuple[tuple[str, ...], Callable[[Reading], list[Table]]], ...] = (
    (("estados",), _states),
    (("personas",), _people),
    (("tiempos",), _times),
    (("plazos-por-tramite", "plazos-por-distrito"), _deadlines),
    (("motivos", "items-observados"), _reasons),
)
KEYS = frozenset(key for keys, _build in PARTS for key in keys)


def tables(actor: User, filters: Filters, locale: str, only: str | None = None) -> list[Table]:
    """Every report's table, or only the one with key `only` (one of `KEYS`)."""
    reading = Reading(actor=actor, filters=filters, locale=locale)
    out = []
    for keys, build in PARTS:
        if only is None or only in keys:
            out.extend(t for t in build(reading) if only in (None, t.key))
    return out


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # shown as text, never run as a formula
    return value


def csv_bytes(table: Table) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark (so Excel reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(c) for c in table.columns])
    writer.writerows([_cell(c) for c in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
