"""Public verification of issued documents, without signing in: by code (the QR) or by file."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forms.messages import message_for
from forms.verification import DocumentCodeForm, DocumentFileForm, not_a_code_message
from portal.certificates import verification
from portal.errors import InvalidInput
from portal.extensions import limiter
from portal.tracking import identifiers
from portal.tracking.services import VERIFICATION_CODE_LENGTH, display_code, typed_code

bp = Blueprint("certificates", __name__, url_prefix="/verificar")
bp.add_app_template_filter(display_code, "verification_code")

#: Codes are unguessable; still, asking must be slow: per address, codes and files together.
VERIFICATIONS = "20 per minute;200 per hour"
_limit = limiter.shared_limit(VERIFICATIONS, scope="verificar", methods=["GET", "POST"])


def _typed(text: str) -> str:
    """What the code box names, as its page's URL shows it: a code in fours; anything else as
    typed (trimmed), so the page that says it is unknown echoes what the person wrote."""
    code = typed_code(text)
    if len(code) == VERIFICATION_CODE_LENGTH:
        return display_code(code)
    return " ".join(text.split())[:64] if code else ""


def _forms_page(code_form, file_form, status: int, reading=None):
    tracked = reading is not None and reading.kind in identifiers.TRACKED
    return render_template(
        "certificates/verify_form.html",
        form=code_form,
        file_form=file_form,
        tracking_link=url_for("tracking.lookup") if tracked else None,
    ), status


def _not_a_code(form, reading, status: int):
    """The form again, what was typed kept, with what it is at its field (and, for a case's
    number or code, a link to where it works)."""
    form.code.errors = [not_a_code_message(reading.kind, **reading.params)]
    return _forms_page(form, DocumentFileForm(formdata=None), status, reading)


@bp.route("/", methods=["GET", "POST"])
def verify_form():
    typed = request.args.get("codigo", "").strip()  # the form's old GET, still in bookmarks
    if typed:
        return redirect(url_for(".verify", code=_typed(typed) or typed[:64]))
    form = DocumentCodeForm()
    if form.validate_on_submit():
        reading = identifiers.read_typed(form.code.data)
        if reading.kind == identifiers.CODE:
            return redirect(url_for(".verify", code=_typed(form.code.data)))
        return _not_a_code(form, reading, 422)
    status = 422 if request.method == "POST" else 200
    return _forms_page(form, DocumentFileForm(formdata=None), status)


@bp.get("/<code>")
@_limit
def verify(code: str):
    answer = verification.verify_code(code[:64])
    reading = identifiers.read_typed(code[:64])
    if answer.outcome == verification.UNKNOWN and reading.kind != identifiers.CODE:
        form = DocumentCodeForm(formdata=None, data={"code": code[:64]})
        return _not_a_code(form, reading, 404)
    status = 404 if answer.outcome == verification.UNKNOWN else 200
    return render_template("certificates/verify.html", answer=answer, by_file=False), status


@bp.get("/<code>/")
def verify_with_slash(code: str):
    """The address of a QR code pasted with a slash after it: the same page."""
    return redirect(url_for(".verify", code=code, **request.args), 308)


@bp.get("/archivo")
def verify_file_address():
    """The address the page of an uploaded file's answer shows, opened or bookmarked: the form
    (a file cannot be in an address; it is not a code to look up)."""
    return redirect(url_for(".verify_form"))


@bp.post("/archivo")
@_limit
def verify_file():
    form = DocumentFileForm()
    if form.validate_on_submit():
        upload = form.document.data
        chosen = upload is not None and bool(getattr(upload, "filename", ""))
        data = upload.read(verification.MAX_UPLOAD_BYTES + 1) if chosen else b""
        try:
            answer = verification.verify_upload(data) if chosen else None
        except InvalidInput as refused:
            form.document.errors = [message_for(refused.code, **refused.params)]
        else:
            if answer is None:
                form.document.errors = [_("Elija el archivo PDF del documento.")]
                return _forms_page(DocumentCodeForm(formdata=None), form, 422)
            status = 404 if answer.outcome == verification.UNKNOWN else 200
            return render_template("certificates/verify.html", answer=answer, by_file=True), status
    return _forms_page(DocumentCodeForm(formdata=None), form, 422)
