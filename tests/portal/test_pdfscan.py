"""Active content in PDFs is found in real crafted files, wherever it hides."""

from __future__ import annotations

import pytest

from portal.applications.pdfscan import scan_pdf
from tests.portal import pdf_samples
from tests.portal.helpers import pdf_bytes


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (pdf_samples.open_action_javascript, {"JavaScript", "OpenAction"}),
        (pdf_samples.document_javascript, {"JavaScript"}),
        (pdf_samples.launch_link, {"Launch"}),
        (pdf_samples.page_additional_action, {"AA"}),
        (pdf_samples.embedded_file, {"EmbeddedFiles"}),
        (pdf_samples.escaped_javascript_name, {"JavaScript", "OpenAction"}),
    ],
)
def test_active_content_is_found(make, expected):
    scan = scan_pdf(make())
    assert scan.readable
    assert expected <= set(scan.findings)


@pytest.mark.parametrize(
    "make",
    [pdf_bytes, lambda: pdf_bytes(3), pdf_samples.open_at_first_page, pdf_samples.with_a_web_link],
)
def test_ordinary_pdfs_have_no_findings(make):
    assert scan_pdf(make()) == scan_pdf(pdf_bytes())
    assert scan_pdf(make()).findings == ()


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n garbage that is no PDF at all",
        b"%PDF-1.4\n" + b"\x00" * 100,
        pdf_samples.script_nested_deep(),  # refused rather than half inspected
    ],
)
def test_a_broken_or_unreasonable_pdf_is_not_readable(data):
    assert not scan_pdf(data).readable


def test_a_script_nested_at_a_real_depth_is_found():
    assert scan_pdf(pdf_samples.script_nested_deep(levels=20)).findings == ("JavaScript",)


def test_a_pdf_that_needs_a_password_to_open_is_not_readable_but_owner_locks_are_fine():
    assert not scan_pdf(pdf_samples.encrypted("secreto")).readable
    assert scan_pdf(pdf_samples.encrypted("")) == scan_pdf(pdf_bytes())
