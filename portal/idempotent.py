"""Idempotent writes: insert a row unless one with the same unique key exists, and let the first
of two identical commands win.

`INSERT ... ON CONFLICT DO NOTHING` on PostgreSQL and SQLite alike, with no savepoint (SQLite's
driver commits a savepoint that opens a transaction when it is released). On PostgreSQL an
insert that meets another transaction's uncommitted row with the same key waits for it: if the
other commits, this insert does nothing; if it rolls back, this one inserts.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from portal.extensions import db


def insert_if_absent(model: type, **values: object) -> bool:
    """Insert a `model` row with `values` in the current transaction; True when this call did.

    False means a row with the same unique key (any unique constraint of the table) was there,
    or was committed meanwhile by a concurrent transaction. Column defaults apply as in the ORM.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    (key,) = sa.inspect(model).primary_key
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return db.session.execute(statement).first() is not None


def first_wins(command):
    """Run a command that creates rows under a unique key; when the same command, sent twice at
    once (a double click, two tabs), committed those rows first, roll back and run it once more
    so that it finds and returns what the first one made.

    The command must return what exists when it runs again (a draft already there, say). The
    unique-key violation may come at any flush or at the commit: on PostgreSQL an insert that
    meets another transaction's uncommitted key waits for it and fails once it commits.

    Raises:
        IntegrityError: the second run clashed too: not a double submission.
    """

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except sa.exc.IntegrityError:
            db.session.rollback()
        return command(*args, **kwargs)

    return run
