"""The RQ side: a worker class that owns one app, and the job entry point."""

from __future__ import annotations

import os
from contextlib import contextmanager

from rq import Worker

_app = None


def _get_app():
    global _app
    if _app is None:
        from portal import create_app

        _app = create_app()
        _app.config["_POOL_PID"] = os.getpid()
    return _app


class AppWorker(Worker):
    """The worker class for `rq worker --worker-class`: builds the app once, before forking."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _get_app()


@contextmanager
def job_context():
    """The app context every job runs in: the test's app when there is one, else the worker's.

    The work horse is a fork, so it never reuses the parent's pooled connections, and the
    session is removed when the job ends.
    """
    from flask import current_app, has_app_context

    app = current_app._get_current_object() if has_app_context() else _get_app()
    with app.app_context():
        from portal.extensions import db

        if app.config.get("_POOL_PID", os.getpid()) != os.getpid():
            db.engine.dispose(close=False)
            app.config["_POOL_PID"] = os.getpid()
        try:
            yield
        finally:
            db.session.remove()


def perform(message_id: int) -> bool:
    """Run one outbox message (the RQ job function)."""
    from portal.jobs.services import run_message

    with job_context():
        return run_message(message_id)


def periodic(name: str) -> object:
    """Run one of the periodic sweeps (registered in portal.jobs.cron)."""
    from portal.deadlines.services import sweep_deadlines
    from portal.jobs.services import dispatch_stale

    with job_context():
        return {"sweep_outbox": dispatch_stale, "sweep_deadlines": sweep_deadlines}[name]()
