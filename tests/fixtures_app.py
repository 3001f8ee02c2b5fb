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
    "procedures",
    "procedure_versions",
    "activity_codes",
    "catalogue_entries",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
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
    if url:
        from redis import Redis

        Redis.from_url(url).flushdb()
    return url


@pytest.fixture(scope="session")
def app_settings(migrated, redis_url, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
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
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter collects them
    redis = app.extensions.pop("redis", None)
    if redis is not None:
        redis.close()


def _empty_tables(app) -> None:
    from portal.extensions import db

    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(t.name for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
            conn.execute(
                sa.text("DELETE FROM catalogue_entries WHERE version_id > :n OR procedure_id > :p"),
                {
                    "n": app.config["_SEEDED_VERSION_MAX_ID"],
                    "p": app.config["_SEEDED_PROCEDURE_MAX_ID"],
                },
            )
            conn.execute(
                sa.text("DELETE FROM procedure_versions WHERE id > :n"),
                {"n": app.config["_SEEDED_VERSION_MAX_ID"]},
            )
            conn.execute(
                sa.text("DELETE FROM procedures WHERE id > :n"),
                {"n": app.config["_SEEDED_PROCEDURE_MAX_ID"]},
            )
        db.session.remove()


@pytest.fixture
def app(seeded_app, app_settings):
    seeded_app.config.update(app_settings)
    seeded_app.config["WTF_CSRF_ENABLED"] = False
    from portal.procedures.services import _load_cached

    yield seeded_app
    _load_cached.cache_clear()
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
