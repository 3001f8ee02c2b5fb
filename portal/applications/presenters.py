"""Turn cases into what pages show, and form input into what services take."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import workflows
from forms.messages import accepted_types, message_for
from forms.review import SubjectChoiceForm
from portal.applications.clocks import legal_period
from portal.applications.effects import FINAL_KINDS, LOCAL_TZ, local_now
from portal.applications.models import Application
from portal.applications.services import SaveResult, Upload
from portal.authorities.services import list_districts
from portal.certificates.services import (
    SLUGS,
    decision_document,
    display_rows,
    document_noun,
    issued_for,
)
from portal.downloads import uploaded_name
from portal.payments.presenters import payments_view
from portal.procedures.services import definition_of
from workflows.guards import (
    RECORD_INSPECTION,
    RECORD_OPINION,
    RECORD_PAYMENT,
    RECORD_VERDICTS,
    REQUEST_OPINION,
    SCHEDULE_INSPECTION,
    applicable_data,
)

#: Timeline titles of the staff tasks the history records (workflows.STAFF_TASKS).
STAFF_TASK_TITLES = {
    RECORD_VERDICTS: _l("Revisión por ítem registrada"),
    RECORD_PAYMENT: _l("Pago registrado"),
    RECORD_INSPECTION: _l("Inspección registrada"),
    SCHEDULE_INSPECTION: _l("Inspección programada"),
    "reschedule_inspection": _l("Inspección reprogramada"),
    "cancel_inspection": _l("Inspección cancelada"),
    REQUEST_OPINION: _l("Opinión técnica solicitada"),
    RECORD_OPINION: _l("Opinión técnica recibida"),
    "cancel_opinion": _l("Consulta cancelada"),
}

#: Timeline titles of an issued document's revocation and replacement (portal.certificates):
#: public, with their reason, for the applicant too.
DOCUMENT_TITLES = {
    "document:revoke": _l("Documento revocado"),
    "document:replace": _l("Documento reemplazado por uno corregido"),
}

#: Timeline titles of who-works-the-case changes (portal.assignment.services), staff only.
ASSIGNMENT_TITLES = {
    "assignment:claim": _l("Expediente tomado"),
    "assignment:assign": _l("Expediente asignado"),
}


def district_choices(definition: workflows.Definition) -> list[tuple[str, str]]:
    """Districts where the issuing office works (data on the authority, not code)."""
    return [(d.code, d.short_name) for d in list_districts(served_by=definition.authority)]


def served_districts(definition: workflows.Definition, authority) -> list[str]:
    """Codes of the districts where a procedure can be filed online: the one rule.

    The districts its issuing office serves (`district_choices`, what the application form
    offers), and a district's own procedures in that district (as `start_application` locates
    them). The catalogue's district filter and the "abrir mi negocio" plan both ask this.
    """
    codes = [code for code, _name in district_choices(definition)]
    return [authority.code, *codes] if authority.is_district else codes


def uploads_from(form, codes=None) -> dict[str, Upload]:
    """The files chosen in the form (only under `codes`, when given: a step's documents)."""
    uploads = {}
    for code in form.document_codes if codes is None else codes:
        storage = getattr(form, f"d_{code}").data
        if storage and getattr(storage, "filename", ""):
            # Read one byte past any sane limit; the service refuses what is too large.
            uploads[code] = Upload(filename=uploaded_name(storage.filename), data=storage.read())
    return uploads


def ask_to_attach_again(form, result: SaveResult) -> None:
    """On a form shown again with errors, say at each file that was sent but not kept.

    A browser never shows a chosen file again; without this message the person believes the
    file is attached (issue 6, item 4: a form with an error keeps every answer, or says so).
    """
    for code in result.not_kept:
        field = getattr(form, f"d_{code}")
        if not field.errors:
            field.errors = [message_for("document_attach_again")]


def apply_errors(
    form, result: SaveResult, definition: workflows.Definition, locale: str = "es"
) -> None:
    """Put every error at its field: upload problems, missing data, missing documents, and
    resolutions that do not qualify (with the reason)."""
    from portal.subjects.presenters import refusal_message

    by_field = {item.field: item for item in definition.prerequisites if item.field}
    for code, errors in result.errors.items():
        requirement = definition.document(code)
        getattr(form, f"d_{code}").errors = [
            message_for(
                error,
                max_mb=requirement.max_bytes // (1024 * 1024),
                types=accepted_types(requirement.accept),
                findings=", ".join(params.get("findings", ())),
            )
            for error, params in errors
        ]
    for name, errors in result.field_errors.items():
        getattr(form, f"f_{name}").errors = [message_for(error) for error in errors]
    for name, reason in result.field_reasons.items():
        field = getattr(form, f"f_{name}")
        field.errors = [*list(field.errors), refusal_message(by_field[name], reason, locale)]
    for reason in result.reasons:
        params = dict(reason.params)
        if reason.code == "form_incomplete":
            for name in params.get("fields", ()):
                field = getattr(form, f"f_{name}")
                field.errors = [
                    *list(field.errors),
                    message_for("required_named", label=field.label.text),
                ]
        elif reason.code == "missing_documents":
            for code in params.get("documents", ()):
                field = getattr(form, f"d_{code}", None)
                if field is not None and not field.errors:
                    field.errors = [message_for("document_missing_named", label=field.label.text)]
        else:
            form.form_errors.append(message_for(reason.code, **params))


def filed_message(definition: workflows.Definition, action: str) -> str:
    """The confirmation once the form is sent: filed, or a correction answered."""
    kinds = {definition.kind_of(t) for t in definition.transitions if t.action == action}
    if "correct" in kinds:
        return _("Corrección enviada. La institución revisará de nuevo su solicitud.")
    return _("Solicitud presentada. Guarde su constancia de recepción.")


def locked_message(result: SaveResult, definition: workflows.Definition, locale: str) -> str:
    """Say which changes were not kept because the office did not mark those items."""
    titles = {f.name: f.label.get(locale) for f in definition.fields} | {
        d.code: d.title.get(locale) for d in definition.documents
    }
    return _(
        "Solo puede cambiar lo que la institución marcó para corregir. No se guardaron sus "
        "cambios en: %(items)s.",
        items=", ".join(titles.get(item, item) for item in result.locked_changes),
    )


@dataclass
class Presenter:
    locale: str

    def procedure_title(self, application: Application) -> str:
        return definition_of(application.procedure_version).title.get(self.locale)

    def state_label(self, application: Application) -> str:
        definition = definition_of(application.procedure_version)
        return definition.state(application.state).label.get(self.locale)

    def state_kind(self, application: Application) -> str:
        return definition_of(application.procedure_version).state(application.state).kind


def for_locale(locale: str) -> Presenter:
    return Presenter(locale)


def _title_of_system_act(entry, definition: workflows.Definition, locale: str) -> str:
    """Title of an act that is not a transition: a staff task, or a breach action."""
    if entry.action in STAFF_TASK_TITLES:
        return str(STAFF_TASK_TITLES[entry.action])
    if entry.action in ASSIGNMENT_TITLES:
        return str(ASSIGNMENT_TITLES[entry.action])
    if entry.action in DOCUMENT_TITLES:
        return str(DOCUMENT_TITLES[entry.action])
    if entry.from_state != entry.to_state:
        return definition.state(entry.to_state).label.get(locale)
    return _("Plazo vencido")


def timeline(
    application: Application, definition: workflows.Definition, locale: str, viewer_is_staff: bool
) -> list[dict]:
    """The case's history as people read it: each entry's title (the transition's label, a
    staff task's, or what a deadline did), who acted, the comment and the state it left."""
    labels = {t.action: t.label.get(locale) for t in definition.transitions}
    entries = []
    for entry in application.history:
        if entry.action in ASSIGNMENT_TITLES and not viewer_is_staff:
            continue  # who works the case inside the office is the office's
        if entry.actor_role == "system":
            actor = None  # the timeline macro shows "Sistema"
        elif entry.actor_role == "applicant" and entry.actor and entry.actor.is_staff:
            # A clerk acted as the citizen's agent at the counter (`portal.walkin`).
            who = entry.actor.full_name if viewer_is_staff else application.authority.short_name
            actor = _("%(who)s, en ventanilla", who=who)
        elif entry.actor_role == "applicant":
            actor = _("Persona solicitante")
        elif viewer_is_staff and entry.actor:
            actor = entry.actor.full_name
        else:
            actor = application.authority.short_name
        entries.append(
            {
                "at": entry.occurred_at.astimezone(LOCAL_TZ),
                "title": labels.get(entry.action)
                or _title_of_system_act(entry, definition, locale),
                "actor": actor,
                # Staff tasks' reasons (a visit cancelled, an opinion asked) are internal.
                "comment": entry.comment
                if viewer_is_staff or entry.action not in STAFF_TASK_TITLES
                else "",
                "state": definition.state(entry.to_state).label.get(locale),
            }
        )
    return entries


def _clock_events(
    application: Application, definition: workflows.Definition, locale: str
) -> list[dict]:
    """The clock's suspensions, resumptions and extensions, each with why, as staff read it.

    A change made by an act without a comment records the act's code (`_reason` in
    `effects`); it is shown as the act's label in `locale`, never as the definition's code.
    """
    labels = {t.action: t.label.get(locale) for t in definition.transitions}
    kinds = {t.action: definition.kind_of(t) for t in definition.transitions}
    commented = {h.comment: h.action for h in application.history if h.comment}
    events = []
    for event in (application.clock or {}).get("events", []):
        reason = event.get("reason")
        act = reason if reason in labels else commented.get(reason)
        if kinds.get(act) == "ask_applicant":
            # A prevención: its text is shown once, under "La institución le pide corregir".
            events.append(event | {"reason": None, "asked": True})
        else:
            events.append(event | {"reason": labels.get(reason, reason), "asked": False})
    return events


def status_view(
    application: Application, definition: workflows.Definition, locale: str, viewer
) -> dict:
    """Everything the status page shows, computed once."""
    state = definition.state(application.state)
    # Only what was asked: cases saved before hidden answers were dropped still hold some.
    data_rows = display_rows(definition, applicable_data(definition, application.data), locale)
    last_comment = next(
        (
            h.comment
            for h in reversed(application.history)
            if h.to_state == application.state and h.comment
        ),
        "",
    )
    payments = payments_view(application, definition, viewer.id == application.applicant_id)
    issued = issued_for(application.id)
    return {
        "state": state,
        "state_label": state.label.get(locale),
        "final": state.kind in FINAL_KINDS,
        "title": definition.title.get(locale),
        "timeline": timeline(application, definition, locale, viewer.is_staff),
        "clock_events": _clock_events(application, definition, locale),
        "legal_period": legal_period(application, definition, local_now().date()),
        "data_rows": data_rows,
        "last_comment": last_comment,
        "documents": [
            (definition.document(d.requirement_code).title.get(locale), d)
            for d in application.current_documents
        ],
        "payments": payments,
        "payment_orders": payments["orders"],
        "receipt": issued.get("receipt"),
        # The certificate of an approval or the resolution of a denial, and its URL name.
        "certificate": decision_document(issued),
        "slugs": SLUGS,
        "certificate_noun": document_noun(decision_document(issued))
        if decision_document(issued)
        else "",
        "can_edit": viewer.id == application.applicant_id and state.applicant_can_edit,
        "can_withdraw": viewer.id == application.applicant_id
        and workflows.action_of_kind(definition, application.state, "applicant", "withdraw")
        is not None,
        **_follow_up(application, definition, viewer),
    }


def _follow_up(application: Application, definition: workflows.Definition, viewer) -> dict:
    """Who holds the case, the messages sent about it, the tracking code, and renewal."""
    from portal.applications.dashboard import holder_of
    from portal.notifications.services import list_notices_about
    from portal.renewals.services import expires_on, renewable
    from portal.tracking.services import display_code

    own = viewer.id == application.applicant_id
    return {
        "holder": holder_of(application, definition.state(application.state)),
        "notices": list_notices_about(application.id, viewer) if own else [],
        "tracking_code": display_code(application.tracking_code) if own else "",
        "expires_on": expires_on(application, definition),
        "can_renew": own and renewable(application, definition, local_now().date()),
    }


def choice_form(picker) -> SubjectChoiceForm:
    """The chooser of one kind of record the applicant has several of (`subjects.edit_view`)."""
    form = SubjectChoiceForm(
        formdata=None, subject=picker.subject, record=picker.chosen, prefix=picker.subject
    )
    form.record.choices = picker.options
    form.record.label.text = str(form.record.label.text) + " – " + picker.title
    return form
