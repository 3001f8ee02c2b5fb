"""Editing a draft in forms: save one section, the draft's problems, its previews.

A section's save replaces that section of the stored mapping (`portal.admin.editors`) and
stores the whole mapping through `save_draft_definition`, which checks the revision the form
was drawn from and commits; nothing here commits.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

import sqlalchemy as sa

import workflows
from forms.messages import message_for
from portal.accounts.models import User
from portal.admin import (
    editor_rows,
    editors,
    editors_fees,
    editors_flow,
    editors_more,
    editors_review,
)
from portal.admin.draft_services import _draft_in_scope, save_draft_definition
from portal.extensions import db
from portal.procedures.models import ProcedureVersion

#: Each section's writer: (stored mapping, posted form, row operation) -> new mapping.
WRITERS = {
    "catalogo": editors.write_catalogue,
    "campos": editors.write_fields,
    "documentos": editors_fees.write_documents,
    "flujo": editors_flow.write_workflow,
    "avisos": editors_flow.write_notices,
    "motivos": editors_review.write_reasons,
    "verificacion": editors_review.write_checklist,
    "consultas": editors_review.write_opinions,
    "constancia": editors_more.write_certificate,
    "otros": editors_more.write_other,
}
#: What a notice's preview puts in its variables, and a reasoned text's.
NOTICE_SAMPLE = {
    "tracking_number": "OPAMSS-2026-000123",
    "procedure": "Calificación de Lugar",
    "state": "Presentado (en revisión)",
    "comment": "Adjunte el plano firmado y sellado por el profesional responsable.",
    "status_url": "https://ventanilla.amss.gob.sv/solicitudes/123",
    "due_date": "15 de diciembre de 2026",
}
REASONED_SAMPLE = {
    "applicant": "Inversiones del Norte, S.A. de C.V.",
    "tracking_number": "OPAMSS-2026-000123",
    "procedure": "Calificación de Lugar",
    "reasons": "- Plano sin firma y sello del profesional responsable",
    "today": "30/11/2026",
    "filed_on": "20/11/2026",
    "due_on": "15/12/2026",
}
PREVIEW_MARK = "VISTA PREVIA"
#: Each section's values from the stored mapping (fees take the tariff regimes too).
VALUES = {
    "catalogo": editors.catalogue_values,
    "campos": editors.fields_values,
    "documentos": editors_fees.documents_values,
    "flujo": editors_flow.workflow_values,
    "avisos": editors_flow.notices_values,
    "motivos": editors_review.reasons_values,
    "verificacion": editors_review.checklist_values,
    "consultas": editors_review.opinions_values,
    "constancia": editors_more.certificate_values,
    "otros": editors_more.other_values,
}
#: What each section reads: (key path, "map" or "rows"); a draft whose text gives one of
#: them another shape is edited in YAML until it is mended.
SHAPES = {
    "catalogo": (("catalogue", "map"),),
    "campos": (("fields", "rows"),),
    "documentos": (("documents", "rows"),),
    "tasas": (("fees", "rows"),),
    "flujo": (("workflow", "map"), ("workflow.states", "rows"), ("workflow.transitions", "rows")),
    "avisos": (("workflow", "map"), ("workflow.transitions", "rows")),
    "motivos": (("reasons", "rows"),),
    "verificacion": (("inspection", "map"), ("inspection.checklist", "rows")),
    "consultas": (("opinions", "rows"),),
    "constancia": (("certificate", "map"),),
    "otros": (
        ("routing", "map"),
        ("routing.rules", "rows"),
        ("validity", "map"),
        ("simdet", "map"),
    ),
}


def drawable(section: str, data: dict) -> bool:
    """Tell whether the parts a section edits have the shapes its form reads."""
    for path, shape in SHAPES[section]:
        value: object = data
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            continue
        if shape == "map" and not isinstance(value, dict):
            return False
        if shape == "rows" and not (
            isinstance(value, list) and all(isinstance(item, dict) for item in value)
        ):
            return False
    return True


#: The lists whose rows each section adds (`add:<list>`).
ADDS = {
    "campos": ("fields",),
    "documentos": ("documents",),
    "tasas": ("fees",),
    "flujo": ("workflow.states", "workflow.transitions"),
    "motivos": ("reasons",),
    "verificacion": ("inspection.checklist",),
    "consultas": ("opinions",),
    "otros": ("routing.rules",),
}


def values_of(
    section: str, data: dict, regimes: tuple[str, ...], adding: str = ""
) -> editors.Values | None:
    """The form values of a section as the draft stores it, with a new row to fill at the end
    of the list `adding` (one of `ADDS`; the row is only drawn, never stored); None when the
    form cannot draw it (`drawable`): then the YAML editor shows it and its problems."""
    if not drawable(section, data):
        return None
    if adding in ADDS.get(section, ()):
        data = with_new_row(data, adding)
    try:
        if section == "tasas":
            return editors_fees.fees_values(data, regimes)
        return VALUES[section](data)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError):
        return None


def with_new_row(data: dict, path: str) -> dict:
    """A copy of `data` with the new row of the list at `path` (`editors.BLANKS`) at its end."""
    out = copy.deepcopy(data)
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = [*(node.get(last) or []), editor_rows.blank_row(path)]
    return out


def new_row_count(data: dict, path: str) -> int:
    """How many rows the list at `path` has (the new row drawn gets this index)."""
    node: object = data
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return len(node) if isinstance(node, list) else 0


def tariff_regimes(data: dict | None = None) -> tuple[str, ...]:
    """The tariff regimes a fee may give amounts by: the OPAMSS instruments, those any
    district has had (`portal.reference.values`), and those the draft names."""
    from portal.reference.values import TARIFF_REGIME, TARIFF_REGIMES, history

    known = set(TARIFF_REGIMES) | {row.value.get("regime") for row in history(TARIFF_REGIME)}
    known.discard(None)
    return tuple(sorted(known | editors_fees.named_regimes(data or {})))


def authority_codes() -> list[tuple[str, str]]:
    """The authorities a routing rule may send a case to: (code, name)."""
    from portal.authorities.models import Authority

    return [
        (row.code, row.name)
        for row in db.session.scalars(sa.select(Authority).order_by(Authority.code))
    ]


def edit_section(
    actor: User,
    version_id: int,
    section: str,
    values: editors.Values,
    *,
    op: str,
    expected_revision: int,
) -> tuple[ProcedureVersion | None, list[workflows.Problem], dict[str, str]]:
    """Replace one section of a draft with its posted form and store it (committed).

    Returns:
        `(draft, problems, errors)`: `errors` are the inputs whose value cannot be read (a
        word where a number goes), by input name; then nothing is stored and `draft` is None.
        Otherwise the saved draft and every problem the validator finds in it.

    Raises:
        NotFound, InvalidInput (`not_a_draft`), StaleDraft: as `save_draft_definition`.
    """
    row = _draft_in_scope(actor, version_id)
    edited, errors = written(row, section, values, op)
    if errors:
        db.session.rollback()
        return None, [], errors
    saved, problems = save_draft_definition(
        actor, version_id, edited, expected_revision=expected_revision
    )
    return saved, problems, {}


def written(
    row: ProcedureVersion, section: str, values: editors.Values, op: str = ""
) -> tuple[dict, dict[str, str]]:
    """The draft's mapping with `section` replaced by its posted form (nothing is stored).

    Returns:
        `(mapping, errors)`: `errors` are the messages at the inputs whose value cannot be
        read, by input name; when there are any, the mapping is not to be used.
    """
    form = editors.Form(values)
    data = copy.deepcopy(dict(row.definition or {}))
    edited: dict = {}
    try:
        if not drawable(section, data):
            raise TypeError(section)
        if section == "tasas":
            edited = editors_fees.write_fees(data, form, op, tariff_regimes(data))
        else:
            edited = WRITERS[section](data, form, op)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError):
        form.errors["op"] = message_for("section_not_drawable")
    return edited, form.errors


def typed_definition(
    row: ProcedureVersion, section: str, values: editors.Values
) -> tuple[workflows.Definition | None, dict[str, str], list[workflows.Problem]]:
    """The draft as it would be with `section` saved from `values`, loaded by the engine;
    nothing is stored (the live estimate, diagram and previews of the editors).

    Returns:
        `(definition, errors, problems)`: the definition, or None with the messages at the
        inputs that cannot be read (`written`) or the problems the engine finds.
    """
    edited, errors = written(row, section, values)
    if errors:
        return None, errors, []
    try:
        return workflows.load(edited), {}, []
    except workflows.InvalidDefinition as invalid:
        return None, {}, list(invalid.problems)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None, {"op": message_for("section_not_drawable")}, []


def draft_problems(row: ProcedureVersion) -> list[workflows.Problem]:
    """Every problem of a draft as it is stored (what its editor shows next to each input)."""
    from portal.procedures.validation import catalogue_problems, inspect

    definition, problems = inspect(row.source or "", path=f"draft {row.id}")
    if definition is not None:
        problems = catalogue_problems(definition)
    return problems


def draft_definition(row: ProcedureVersion) -> workflows.Definition | None:
    """The draft loaded by the engine (for its diagram and fee estimate), or None when the
    engine cannot load it yet."""
    try:
        return workflows.load(row.definition or {})
    except (workflows.InvalidDefinition, TypeError, ValueError, KeyError, AttributeError):
        return None


def draft_samples(data: Mapping) -> tuple[dict, dict]:
    """The sample data of a draft's notice and reasoned-text previews: the portal's, with
    the draft's own procedure title and its authority's code in the case number."""
    title = data.get("title")
    name = title.get("es") if isinstance(title, Mapping) else None
    code = data.get("authority")
    own: dict[str, str] = {}
    if isinstance(name, str) and name.strip():
        own["procedure"] = name.strip()
    if isinstance(code, str) and code.strip():
        own["tracking_number"] = f"{code.strip()}-2026-000123"
    return NOTICE_SAMPLE | own, REASONED_SAMPLE | {
        key: value for key, value in own.items() if key in REASONED_SAMPLE
    }


def notice_previews(values: editors.Values, data: dict) -> dict[str, tuple[str | None, str, str]]:
    """Each notice text rendered with the draft's sample data (`draft_samples`): input name ->
    (text or None, why not in Spanish, the technical detail)."""
    from portal.notifications.texts import notice_problem, render_notice
    from workflows.reasons import fill, template_problems

    notice_sample, reasoned_sample = draft_samples(data)
    previews = {}
    for name, _index, kind in editors_flow.notice_slots(data):
        for language in ("es", "en"):
            source = (values.get(f"{name}.{language}") or [""])[0]
            if not source.strip():
                continue
            if kind == "reasoned":
                faults = template_problems(source)
                shown = None if faults else fill(source, reasoned_sample)
                why = _reasoned_fault(*faults[0]) if faults else ""
                previews[f"{name}.{language}"] = (shown, why, faults[0][1] if faults else "")
                continue
            problem = notice_problem(source)
            shown = None if problem else render_notice(source, notice_sample)
            why = _notice_fault(problem) if problem else ""
            previews[f"{name}.{language}"] = (shown, why, problem or "")
    return previews


_UNKNOWN_NOTICE_NAME = re.compile(r"'([^']*)' is not a notice variable")
_UNKNOWN_REASON_NAME = re.compile(r"\{(.*)\} is not a known placeholder")


def _notice_fault(detail: str) -> str:
    """Why a notice text cannot be used, in Spanish, naming an unknown mark."""
    from flask_babel import gettext as _

    from forms.messages import problem_message

    unknown = _UNKNOWN_NOTICE_NAME.fullmatch(detail)
    if unknown:
        mark = "{{ " + unknown.group(1) + " }}"
        return _("La marca «%(mark)s» no existe en los avisos.", mark=mark)
    return problem_message("invalid_notice")


def _reasoned_fault(code: str, detail: str) -> str:
    """Why a reasoned text cannot be used, in Spanish, naming an unknown mark."""
    from flask_babel import gettext as _

    unknown = _UNKNOWN_REASON_NAME.fullmatch(detail)
    if code == "unknown_placeholder" and unknown:
        mark = "{" + unknown.group(1) + "}"
        return _("La marca «%(mark)s» no existe en los textos motivados.", mark=mark)
    return _("Revise las llaves { }: cada marca se abre y se cierra, como {procedure}.")


def certificate_preview(row: ProcedureVersion) -> bytes | None:
    """The draft's certificate as a PDF from sample data, marked "VISTA PREVIA", never signed.

    The layout renders through the same sandbox as issued certificates
    (`portal.certificates.layouts.layout_for`); None when the draft has no certificate or
    its layout cannot be rendered (the editor shows the validator's problems instead).
    """
    from portal.admin.preview_sample import draft_sample
    from portal.certificates.layout_checks import SAMPLE
    from portal.certificates.layouts import CERTIFICATE_TEMPLATES, LayoutError, layout_for
    from portal.pdf import PdfError, html_to_pdf, qr_png_data_uri, stamped
    from workflows.model import CertificateSpec
    from workflows.text import Text

    spec = (row.definition or {}).get("certificate")
    if not isinstance(spec, dict):
        return None
    title = spec.get("title") or {}
    certificate = CertificateSpec(
        template=spec.get("template"),
        title=Text(es=str(title.get("es", "")), en=str(title.get("en", ""))),
        layout=spec.get("layout"),
        paper=spec.get("paper") if spec.get("paper") in ("A4", "Letter") else None,
    )
    if certificate.layout is None and certificate.template not in CERTIFICATE_TEMPLATES:
        return None
    sample = (
        SAMPLE
        | draft_sample(row.definition, row.procedure.authority)
        | {
            "procedure_title": certificate.title.es or SAMPLE["procedure_title"],
            "serial": PREVIEW_MARK,
            "signer_name": "",
            "signer_role": f"{PREVIEW_MARK}: sin firma",
            "verification_code": PREVIEW_MARK,
            "qr": qr_png_data_uri(f"{PREVIEW_MARK} — {SAMPLE['verification_url']}"),
        }
    )
    try:
        html = layout_for(certificate).render(sample)
        return html_to_pdf(stamped(html, PREVIEW_MARK), paper=certificate.paper_size)
    except (LayoutError, PdfError):
        return None
