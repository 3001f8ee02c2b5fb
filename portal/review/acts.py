"""How every staff act on a case answers, whatever the act (inspections, opinions...).

`answer_act` validates the act's form, runs the service call and answers as the back office
always does: done → a message and back to the case; a mistake → its Spanish message at its
field and the form again with what was typed; a stale page (someone acted first) → a message
and back to the case, nothing changed; a refusal → the 403 page, audited.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, render_template
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from forms.messages import message_for
from portal import permissions
from portal.applications.models import Application
from portal.errors import Conflict, InvalidInput, NotAllowed


def field_error(form: FlaskForm, error: InvalidInput) -> None:
    """Put a service's refusal at its field, or above the form when it names none."""
    target = getattr(form, error.field or "", None)
    message = message_for(error.code, **error.params)
    if target is None:
        form.form_errors.append(message)
    else:
        target.errors = [*list(target.errors or []), message]


def answer_act(
    form: FlaskForm,
    act: Callable[[], object],
    *,
    application: Application,
    task: str,
    done: str,
    back: Callable[[], Response],
    template: str,
    **context,
) -> Response | str:
    """Run `act` when `form` validates and answer the request (see the module docstring).

    Raises:
        Forbidden: through `permissions.deny` when the service refuses the actor (audited).
    """
    if form.validate_on_submit():
        try:
            act()
        except InvalidInput as error:
            field_error(form, error)
        except Conflict as stale:
            flash(message_for(stale.code), "error")
            return back()
        except NotAllowed as refused:
            permissions.deny(refused, application.id, task)
        else:
            flash(done, "success")
            return back()
    return render_template(template, application=application, form=form, **context)
