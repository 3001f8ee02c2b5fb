"""Admin console forms for staff: create, change roles and authority, search the audit log."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

#: Staff roles as the console names them, in the order it lists them.
ROLE_LABELS = {
    "clerk": _l("Personal técnico"),
    "supervisor": _l("Jefatura"),
    "inspector": _l("Inspección"),
    "admin": _l("Administración"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def deliverable_email(_form, field) -> None:
    """Check an address mail servers deliver: ASCII before the @; a domain with accents or
    eñes (`alcaldía.gob.sv`) is kept in its IDNA form (`xn--alcalda-dza.gob.sv`), which every
    server reads. Many servers refuse a non-ASCII name before the @ (SMTPUTF8), so it is
    refused here with what to change. Uses email-validator, as WTForms' `Email` does."""
    text = field.data or ""
    if not text:
        return
    local = text.rpartition("@")[0]
    if not local.isascii():
        raise StopValidation(
            _l(
                "Escriba la parte antes de la @ sin tildes, eñes ni otras letras especiales "
                "(como jose.pena@...): muchos servidores de correo no la entregan."
            )
        )
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as refused:
        raise StopValidation(
            _l("Escriba un correo electrónico válido, como nombre@ejemplo.com.")
        ) from refused
    field.data = checked.ascii_email


def _roles_field() -> SelectMultipleField:
    return SelectMultipleField(
        _l("Roles"),
        widget=GovCheckboxesInput(),
        description=_l("Una persona puede tener varios roles."),
        choices=list(ROLE_LABELS.items()),
        validate_choice=False,  # the service refuses a forged role, at this field
        validators=[InputRequired(_l("Elija al menos un rol."))],
    )


def _authority_field() -> SelectField:
    # Choices (the admin's scope) are set by the view; the service refuses one out of scope.
    return SelectField(
        _l("Institución"),
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(_l("Elija la institución."))],
    )


class StaffCreateForm(FlaskForm):
    full_name = StringField(
        _l("Nombre completo"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            # DataRequired: the name is read after `_strip`, so only spaces is no name.
            DataRequired(_l("Escriba el nombre completo.")),
            Length(max=200, message=_l("Escriba como máximo 200 caracteres.")),
        ],
    )
    email = EmailField(
        _l("Correo electrónico"),
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired(_l("Escriba el correo electrónico.")),
            Length(max=254, message=_l("Escriba como máximo 254 caracteres.")),
            deliverable_email,
        ],
    )
    authority = _authority_field()
    roles = _roles_field()
    submit = SubmitField(_l("Crear y enviar el enlace"), widget=GovSubmitInput())


class StaffEditForm(FlaskForm):
    authority = _authority_field()
    roles = _roles_field()
    submit = SubmitField(_l("Guardar cambios"), widget=GovSubmitInput())


class StaffActionForm(FlaskForm):
    """Deactivate, reactivate, reset the second factor: a button with its CSRF token."""

    submit = SubmitField(_l("Confirmar"), widget=GovSubmitInput())


class StaffConfirmForm(FlaskForm):
    """Deactivate or reset the second factor: a button that acts only with its box ticked
    (one click never locks a person out), and its CSRF token. Each has its own `prefix`."""

    confirm = BooleanField(
        _l("Confirmo: cerrará todas sus sesiones"),
        widget=GovCheckboxInput(),
        validators=[DataRequired(_l("Marque la casilla para confirmar."))],
    )


class StaffReassignForm(FlaskForm):
    """Give a person's open cases (all those the page listed, or the ticked ones) to another
    person. Choices (staff, cases) are set by the view; the service refuses a forged one."""

    target = SelectField(
        _l("Asignar a"),
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired(_l("Elija a quién asignar los expedientes."))],
    )
    which = RadioField(
        _l("Expedientes"),
        widget=GovRadioInput(),
        choices=[
            ("todos", _l("Todos sus expedientes abiertos de esta lista")),
            ("marcados", _l("Solo los que marque")),
        ],
        default="todos",
        validators=[InputRequired(_l("Elija qué expedientes asignar."))],
    )
    cases = SelectMultipleField(
        _l("Expedientes que marque"), widget=GovCheckboxesInput(), validate_choice=False
    )
    #: The ids of the cases the page listed ("todos" means these, not any assigned since).
    shown = HiddenField()
    submit = SubmitField(_l("Reasignar"), widget=GovSubmitInput())

    def validate_cases(self, field) -> None:
        if self.which.data == "marcados" and not field.data:
            raise ValidationError(_l("Marque al menos un expediente, o elija «todos»."))
        # «Todos» is the default: a person who ticks some cases and leaves it would otherwise
        # give away every case, the unticked ones too, with nothing said about the ticks.
        shown = {part for part in (self.shown.data or "").split(",") if part}
        if self.which.data == "todos" and field.data and set(field.data) != shown:
            raise ValidationError(
                _l(
                    "Marcó algunos expedientes: elija «Solo los que marque» para asignar solo "
                    "esos, o desmárquelos para asignar todos."
                )
            )


#: Every action the portal writes to the audit log, with its label: the log's one table (the
#: Acción column and its filter read it). A code missing here shows as itself.
ACTION_LABELS = {
    "account.registered": _l("Cuenta registrada"),
    "account.signup_existing": _l("Registro con un correo ya registrado"),
    "account.email_confirmed": _l("Correo confirmado"),
    "account.staff_created": _l("Cuenta de personal abierta"),
    "account.login": _l("Inicio de sesión"),
    "account.login_failed": _l("Inicio de sesión fallido"),
    "account.login_throttled": _l("Inicio de sesión bloqueado por intentos"),
    "account.logout": _l("Cierre de sesión"),
    "account.session_ended": _l("Sesión cerrada"),
    "account.password_changed": _l("Contraseña cambiada"),
    "account.password_reset_requested": _l("Restablecimiento de contraseña pedido"),
    "account.password_reset": _l("Contraseña restablecida"),
    "account.second_factor_enrolled": _l("Segundo factor configurado"),
    "account.second_factor_disabled": _l("Segundo factor desactivado"),
    "account.second_factor_failed": _l("Código de segundo factor fallido"),
    "account.second_factor_throttled": _l("Segundo factor bloqueado por intentos"),
    "account.second_factor_reset": _l("Segundo factor quitado"),
    "account.recovery_code_used": _l("Código de recuperación usado"),
    "account.recovery_codes_regenerated": _l("Códigos de recuperación renovados"),
    "staff.created": _l("Cuenta de personal creada"),
    "staff.changed": _l("Roles o institución cambiados"),
    "staff.deactivated": _l("Cuenta desactivada"),
    "staff.reactivated": _l("Cuenta reactivada"),
    "staff.second_factor_reset": _l("Segundo factor restablecido"),
    "staff.cases_reassigned": _l("Expedientes reasignados en bloque"),
    "access.denied": _l("Acceso denegado"),
    "case.read": _l("Expediente consultado"),
    "case.claimed": _l("Expediente tomado en ventanilla"),
    "assignment.claim": _l("Expediente tomado"),
    "assignment.assign": _l("Expediente asignado"),
    "document.read": _l("Documento consultado"),
    "document.revoked": _l("Documento revocado"),
    "document.replaced": _l("Documento reemplazado"),
    "representation.invited": _l("Representación ofrecida"),
    "representation.accepted": _l("Representación aceptada"),
    "representation.revoked": _l("Representación revocada"),
    "procedure.imported": _l("Trámite importado"),
    "procedure.cloned": _l("Borrador copiado de una versión"),
    "procedure.draft_created": _l("Borrador creado"),
    "procedure.draft_saved": _l("Borrador guardado"),
    "procedure.draft_deleted": _l("Borrador eliminado"),
    "procedure.published": _l("Versión publicada"),
    "procedure.retired": _l("Trámite retirado"),
    "test_case.deadline_simulated": _l("Vencimiento de plazo simulado en un caso de prueba"),
    "calendar.day_added": _l("Día inhábil agregado"),
    "calendar.day_removed": _l("Día inhábil quitado"),
    "calendar.day_ended": _l("Día inhábil terminado"),
    "calendar.settings_changed": _l("Calendario cambiado"),
    "reference.claees_added": _l("Códigos CLAEES agregados"),
    "reference.version_added": _l("Versión de una tabla de referencia agregada"),
}


class AuditSearchForm(FlaskForm):
    """The audit log's search (a GET: the query string carries it, no CSRF token)."""

    class Meta:
        csrf = False

    quien = StringField(
        _l("Quién"), widget=GovTextInput(), filters=[_strip], validators=[Optional()]
    )
    accion = SelectField(
        _l("Acción"),
        widget=GovSelect(),
        choices=[("", _l("Todas")), *ACTION_LABELS.items()],
        validators=[Optional()],
    )
    persona = StringField(
        _l("Persona afectada"),
        widget=GovTextInput(),
        description=_l("Nombre o correo, o parte de ellos."),
        filters=[_strip],
        validators=[Optional()],
    )
    desde = StringField(
        _l("Desde"),
        widget=GovTextInput(),
        description=_l("Día/mes/año, por ejemplo 30/11/2026."),
        filters=[_strip],
        validators=[Optional()],
    )
    hasta = StringField(
        _l("Hasta"),
        widget=GovTextInput(),
        description=_l("Día/mes/año, por ejemplo 30/11/2026."),
        filters=[_strip],
        validators=[Optional()],
    )
