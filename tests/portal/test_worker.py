"""A real `rq worker` process renders the certificate that a decision asks for."""

from __future__ import annotations

import time

import pytest

from portal.tracking.services import display_code
from tests.portal.helpers import (
    file_new_application,
    login,
    logout,
    make_applicant,
    make_staff,
    pdf_text,
    ready_to_decide,
)

pytestmark = pytest.mark.worker


def test_a_real_rq_worker_renders_the_certificate(app, client, rq_worker):
    if rq_worker is None:
        pytest.skip("REDIS_URL is not set: jobs run in-process (CI always sets it)")
    from portal.applications.services import act_on_application, get_application_for
    from portal.certificates.services import get_issued, read_pdf
    from portal.extensions import db

    with app.app_context():
        make_applicant()
        clerk = make_staff("clerk", "OPAMSS", email="clerk@example.sv")
        login(client, "ana@example.sv")
        application_id = file_new_application(client)
        logout(client)
        ready_to_decide(application_id, clerk)
        application = get_application_for(application_id, clerk)
        act_on_application(actor=clerk, application=application, action="aprobar")

        deadline = time.monotonic() + 90
        certificate = None
        while time.monotonic() < deadline:
            db.session.expire_all()
            certificate = get_issued(application_id, "certificate")
            if certificate is not None and certificate.pdf_key:
                break
            assert rq_worker.poll() is None, "the rq worker exited"
            time.sleep(0.5)
        assert certificate is not None and certificate.pdf_key, "no certificate after 90 s"
        text = pdf_text(read_pdf(certificate))
        assert display_code(certificate.code) in text  # printed in groups of four
        assert db.session.get(type(application), application_id).tracking_number in text
