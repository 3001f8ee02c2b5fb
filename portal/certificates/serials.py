"""Serial numbers of issued documents: per authority, document type and year, gapless.

A serial reads `OPAMSS-CERT-2026-000123`: the authority's tracking prefix, the document type
code, El Salvador's year of issue, and the next number of that authority, type and year. It is
taken in the transaction that creates the document (`next_serial`), from a counter row that
the transaction holds until it commits: two issuers at one instant queue on the row, and a
rollback gives the number back, so the numbers have neither gaps nor duplicates.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from portal.certificates.models import DocumentCounter
from portal.extensions import db

#: Document kind -> the type code printed in its serial.
TYPE_CODES = {
    "receipt": "CONST",  # constancia de recepción (LPA Art. 96)
    "certificate": "CERT",  # resolución favorable, permiso, licencia
    "resolution": "RES",  # resolución desfavorable (denial)
    "payment_order": "MAND",  # mandamiento de pago
}


#: The prefix of a test case's serials (`portal.testcases`): they take no number.
TEST_PREFIX = "PRUEBA"


def next_serial(authority, kind: str, issued_at: datetime, *, test: bool = False) -> str:
    """Take the next serial of `authority` for a document of `kind` issued at `issued_at`.

    Flushes only; the caller's commit keeps the number, its rollback gives it back. A test
    case's document (`test`) takes `PRUEBA-<type>-<random>` and no number of the counter.
    """
    from portal.applications.effects import LOCAL_TZ

    doc_type = TYPE_CODES[kind]
    if test:
        return f"{TEST_PREFIX}-{doc_type}-{secrets.token_hex(8).upper()}"
    year = issued_at.astimezone(LOCAL_TZ).year
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(DocumentCounter)
        .values(authority_id=authority.id, doc_type=doc_type, year=year, last=0)
        .on_conflict_do_nothing()
    )
    C = DocumentCounter
    number = db.session.execute(
        sa.update(C)
        .where(C.authority_id == authority.id, C.doc_type == doc_type, C.year == year)
        .values(last=C.last + 1)
        .returning(C.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return format_serial(authority.tracking_prefix, doc_type, year, number)


def format_serial(prefix: str, doc_type: str, year: int, number: int) -> str:
    return f"{prefix}-{doc_type}-{year}-{number:06d}"
