"""Migration 0017_fixb: payment orders issued before get a verification code each."""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import command

from tests.test_migrations import _config, _insert, scratch_url  # noqa: F401 - the fixture


def test_existing_payment_orders_get_distinct_codes_of_the_verification_alphabet(scratch_url):  # noqa: F811
    config = _config(scratch_url)
    command.upgrade(config, "0016_life")
    engine = sa.create_engine(scratch_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        authority = _insert(
            conn, "authorities", code="OPAMSS", kind="distrito", tracking_prefix="OPAMSS"
        )
        procedure = _insert(conn, "procedures", authority_id=authority, slug="p")
        version = _insert(conn, "procedure_versions", procedure_id=procedure, digest="d" * 64)
        user = _insert(conn, "users", email="a@example.sv", role="applicant")
        case = _insert(
            conn,
            "applications",
            procedure_id=procedure,
            procedure_version_id=version,
            applicant_id=user,
            authority_id=authority,
            start_token="t",
        )
        for n in (1, 2):
            _insert(
                conn,
                "payment_orders",
                application_id=case,
                number=f"MP-{n}",
                serial=f"OPAMSS-MAND-2026-00000{n}",
                lines=[],
                status="pending",
            )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        codes = conn.execute(sa.text("SELECT code FROM payment_orders")).scalars().all()
    engine.dispose()
    assert len(codes) == 2 and len(set(codes)) == 2
    assert all(re.fullmatch(r"[ABCDEFGHJKMNPQRSTWXYZ2-9]{16}", code) for code in codes)
    command.downgrade(config, "0016_life")
