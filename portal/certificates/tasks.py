"""RQ entry points for PDFs; each takes an id and is safe to run twice.

Jobs name the document (`document_id`); jobs recorded before documents had serials name the
case (`application_id`) and render its current document of the kind.
"""

from portal.certificates.services import current_document_id, render_issued


def _render(kind: str, document_id: int | None, application_id: int | None) -> bool:
    if document_id is None and application_id is not None:
        document_id = current_document_id(application_id, kind)
    return document_id is not None and render_issued(document_id)


def render_receipt(document_id: int | None = None, application_id: int | None = None) -> bool:
    return _render("receipt", document_id, application_id)


def render_certificate(document_id: int | None = None, application_id: int | None = None) -> bool:
    return _render("certificate", document_id, application_id)


def render_resolution(document_id: int | None = None, application_id: int | None = None) -> bool:
    return _render("resolution", document_id, application_id)
