"""RQ entry points for PDFs; each takes an id and is safe to run twice."""

from portal.certificates.services import render_issued


def render_receipt(application_id: int) -> bool:
    return render_issued(application_id, "receipt")


def render_certificate(application_id: int) -> bool:
    return render_issued(application_id, "certificate")
