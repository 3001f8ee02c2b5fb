"""App, database and job fixtures shared by the portal and browser tests.

The schema is built once per run with `alembic upgrade head` (so every run exercises the
migrations) on PostgreSQL when TEST_DATABASE_URL is set, else on a SQLite file. Reference data
(authorities, procedures) is seeded once; every other table is emptied after each test. We empty
tables instead of rolling back an outer transaction because the browser test and the real
`rq worker` read what the app committed from other processes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

ROOT = Path(__file__).resolve().parent.parent
KEEP = {
    "alembic_version",
    "authorities",
    "authority_days_off",
    "reference_values",  # dated wages, MYPE rules, regimes: seeded like the calendars
    "procedures",
    "procedure_versions",
    "activity_codes",
    "catalogue_entries",
}


def _worker_number() -> int:
    """This pytest-xdist worker's number (`gw3` → 3), 0 when the suite runs in one process."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


def _own_database(url: str) -> str:
    """The suite's PostgreSQL database for this worker: `<name>` for the first, else
    `<name>_gw<n>`, created when missing (each worker migrates and empties its own)."""
    number = _worker_number()
    if number == 0:
        return url
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_gw{number}"
    admin = sa.create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = _own_database(url)
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def migrated(database_url) -> str:
    config = AlembicConfig(str(ROOT / "alembic.ini"))
    config.attributes["url"] = database_url
    config.attributes["configure_logger"] = False
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()
    return database_url


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or None
    if url and _worker_number():
        # Each worker its own Redis database: the next numbers after the one given.
        from redis.connection import parse_url

        base = int(parse_url(url).get("db", 0))
        url = url.rsplit("/", 1)[0] + f"/{(base + _worker_number()) % 16}"
    if url:
        from redis import Redis

        Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def app_settings(migrated, redis_url, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        # Real Argon2id at its lowest cost: hundreds of sign-ins, not a benchmark of Argon2.
        "ARGON2_PROFILE": "CHEAPEST",
        "SQLALCHEMY_DATABASE_URI": migrated,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(base),
        "FILES_DIR": str(base / "files"),
        "MAIL_DIR": str(base / "mail"),
        "MAIL_SERVER": None,
        "SECRET_KEY": secrets.token_hex(16),
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "DEFINITIONS_DIR": str(ROOT / "workflows" / "definitions"),
    }


@pytest.fixture(scope="session")
def seeded_app(app_settings):
    from portal import create_app
    from portal.main.services import seed

    app = create_app(**app_settings)
    with app.app_context():
        seed(definitions_dir=app.config["DEFINITIONS_DIR"], demo=False)
        from portal.extensions import db

        # Tests may publish versions of their own; they are removed after each test.
        app.config["_SEEDED_VERSION_MAX_ID"] = db.session.scalar(
            sa.text("SELECT max(id) FROM procedure_versions")
        )
        app.config["_SEEDED_PROCEDURE_MAX_ID"] = db.session.scalar(
            sa.text("SELECT max(id) FROM procedures")
        )
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                _keep_seeded_postgresql(conn)
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter collects them
    redis = app.extensions.pop("redis", None)
    if redis is not None:
        redis.close()


#: The reference tables a test may change (KEEP but the schema's version), in the order seeded.
SEEDED = tuple(
    name
    for name in (
        "authorities",
        "authority_days_off",
        "reference_values",
        "activity_codes",
        "procedures",
        "procedure_versions",
        "catalogue_entries",
    )
    if name in KEEP
)


def _keep_seeded_postgresql(conn) -> None:
    """Copy each seeded reference table once per session (`_seed_<table>`), and mark a table
    dirty (`_test_dirty`) whenever a statement changes it, so that after a test only the
    tables it changed are put back (`_restore_seeded`): a test that adds a decreed day off,
    corrects a wage or retires a seeded version cannot change what the next test sees, even
    if it forgets to undo it. Test database only; the portal's schema has none of this."""
    conn.execute(sa.text("CREATE TABLE IF NOT EXISTS _test_dirty (name text PRIMARY KEY)"))
    conn.execute(
        sa.text(
            "CREATE OR REPLACE FUNCTION _test_mark_dirty() RETURNS trigger AS $$ BEGIN"
            " INSERT INTO _test_dirty VALUES (TG_TABLE_NAME) ON CONFLICT DO NOTHING;"
            " RETURN NULL; END $$ LANGUAGE plpgsql"
        )
    )
    for name in SEEDED:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS _seed_{name}"))
        conn.execute(sa.text(f"CREATE TABLE _seed_{name} AS TABLE {name}"))
        conn.execute(sa.text(f"DROP TRIGGER IF EXISTS _test_dirty ON {name}"))
        conn.execute(
            sa.text(
                f"CREATE TRIGGER _test_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {name} FOR EACH STATEMENT EXECUTE FUNCTION _test_mark_dirty()"
            )
        )
    conn.execute(sa.text("DELETE FROM _test_dirty"))
    # Emptied by DELETE after each test (`_empty_postgresql`), a table vacuumed meanwhile would
    # take new rows into the space of old ones, and a query without ORDER BY would no longer
    # list rows as they were inserted, as it did after TRUNCATE. Without autovacuum on these
    # tables, new rows always go at the end. (Test database only.)
    for table in _emptied_tables():
        conn.execute(
            sa.text(
                f"ALTER TABLE {table.name} SET (autovacuum_enabled = false,"
                " toast.autovacuum_enabled = false)"
            )
        )


def _emptied_tables() -> list[sa.Table]:
    """The portal's tables the tests empty (every one but the seeded KEEP ones), children
    first."""
    from portal.extensions import db

    return [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP]


def _restore_seeded(conn) -> None:
    """Put back, as seeded, the reference tables a test changed (`_keep_seeded_postgresql`).
    Runs as `session_replication_role = replica` (set by the caller): no trigger fires."""
    dirty = set(conn.execute(sa.text("DELETE FROM _test_dirty RETURNING name")).scalars())
    for name in SEEDED:  # names from the constant above, never from input
        if name in dirty:
            conn.execute(sa.text(f"DELETE FROM {name}"))  # noqa: S608
            conn.execute(sa.text(f"INSERT INTO {name} SELECT * FROM _seed_{name}"))  # noqa: S608


def _empty_postgresql(conn, tables) -> None:
    """Empty the tables that hold rows and restart their ids, in one round trip to find them.

    TRUNCATE of all ~45 tables took 0.3-0.6 s per test on a busy CI machine (new files for
    every table and index, whether it held rows or not); most tests write to a handful. The
    DELETEs run as `session_replication_role = replica` (superuser), which skips foreign-key
    and row triggers just as TRUNCATE does, so the append-only guards of the history and audit
    tables do not refuse them and the order does not matter."""
    present = sa.union_all(
        *(sa.select(sa.literal(t.name)).where(sa.exists().select_from(t)) for t in tables)
    )
    names = list(conn.execute(present).scalars())
    conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
    for table in tables:
        if table.name in names:
            conn.execute(table.delete())
    _restore_seeded(conn)
    conn.execute(sa.text("SET LOCAL session_replication_role = origin"))
    if not names:
        return
    conn.execute(
        sa.text(
            "SELECT setval(s.oid::regclass, 1, false) FROM pg_class s"
            " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
            " JOIN pg_class t ON t.oid = d.refobjid"
            " WHERE s.relkind = 'S' AND t.relname = ANY(:names)"
        ),
        {"names": names},
    )


def _empty_sqlite(app, conn, tables) -> None:
    """Delete every row of `tables` and what tests added to the seeded procedures."""
    for table in tables:
        conn.execute(table.delete())
    conn.execute(
        sa.text("DELETE FROM catalogue_entries WHERE version_id > :n OR procedure_id > :p"),
        {"n": app.config["_SEEDED_VERSION_MAX_ID"], "p": app.config["_SEEDED_PROCEDURE_MAX_ID"]},
    )
    conn.execute(
        sa.text("DELETE FROM procedure_versions WHERE id > :n"),
        {"n": app.config["_SEEDED_VERSION_MAX_ID"]},
    )
    conn.execute(
        sa.text("DELETE FROM procedures WHERE id > :n"),
        {"n": app.config["_SEEDED_PROCEDURE_MAX_ID"]},
    )


def _empty_tables(app) -> None:
    from portal.extensions import db

    with app.app_context():
        tables = _emptied_tables()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _empty_postgresql(conn, tables)
            else:
                _empty_sqlite(app, conn, tables)
        db.session.remove()


@pytest.fixture
def app(seeded_app, app_settings):
    seeded_app.config.update(app_settings)
    seeded_app.config["WTF_CSRF_ENABLED"] = False
    # The loaded definitions stay cached from test to test (0.1 s each to load): the cache is
    # keyed by each version's digest of its text, so a version a test adds or edits, or a new
    # row that reuses a deleted one's id, is loaded afresh (portal.procedures.services).
    yield seeded_app
    from portal.extensions import limiter

    limiter.reset()  # each test starts with no attempts counted
    if app_settings["REDIS_URL"]:
        from redis import Redis

        Redis.from_url(app_settings["REDIS_URL"]).flushdb()
    _empty_tables(seeded_app)
    for folder in ("MAIL_DIR", "FILES_DIR"):
        shutil.rmtree(app_settings[folder], ignore_errors=True)


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_jobs(app):
    """Run queued jobs: in-process mode ran them at commit; with Redis, drain the queues."""

    def drain() -> None:
        if not app.config.get("REDIS_URL"):
            return
        from redis import Redis
        from rq import Queue, SimpleWorker

        connection = Redis.from_url(app.config["REDIS_URL"])
        queues = [
            Queue(name, connection=connection)
            for name in ("default", "documents", "mail", "simdet")
        ]
        with app.app_context():
            # Jobs can enqueue more jobs; loop until every queue is empty.
            while any(q.count for q in queues):
                SimpleWorker(queues, connection=connection).work(burst=True)

    return drain


def worker_environment(app) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        INSTANCE_PATH=app.config["INSTANCE_PATH"],
        FILES_DIR=app.config["FILES_DIR"],
        MAIL_DIR=app.config["MAIL_DIR"],
        SECRET_KEY=app.config["SECRET_KEY"],
        PUBLIC_BASE_URL=app.config["PUBLIC_BASE_URL"],
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture
def rq_worker(app, tmp_path):
    """A real `rq worker` process on the test Redis, or None in the embedded (inline) mode."""
    if not app.config.get("REDIS_URL"):
        yield None
        return
    command = [
        str(Path(sys.executable).with_name("rq")),
        "worker",
        "--url",
        app.config["REDIS_URL"],
        "--worker-class",
        "portal.jobs.worker.AppWorker",
        "--with-scheduler",
        "--path",
        str(ROOT),
        "default",
        "documents",
        "mail",
        "simdet",
    ]
    log_path = tmp_path / "rq-worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=worker_environment(app), stdout=log, stderr=subprocess.STDOUT
        )
        yield process
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    print(log_path.read_text()[-5000:])  # shown by pytest when the test failed
