"""The RQ side: a worker class that owns one app, and the job entry point."""

from __future__ import annotations

import os

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


def perform(message_id: int) -> bool:
    """Run one outbox message inside an app context (the RQ job function)."""
    from flask import current_app, has_app_context

    # Inside an app already (tests draining queues in-process): use it; else the worker's own.
    app = current_app._get_current_object() if has_app_context() else _get_app()
    with app.app_context():
        from portal.extensions import db
        from portal.jobs.services import run_message

        # The work horse is a fork: never reuse the parent's pooled connections.
        if app.config.get("_POOL_PID", os.getpid()) != os.getpid():
            db.engine.dispose(close=False)
            app.config["_POOL_PID"] = os.getpid()
        try:
            return run_message(message_id)
        finally:
            db.session.remove()


def periodic(name: str) -> object:
    """Run one of the periodic sweeps inside an app context (registered in portal.jobs.cron)."""
    from flask import current_app, has_app_context

    app = current_app._get_current_object() if has_app_context() else _get_app()
    with app.app_context():
        from portal.deadlines.services import sweep_deadlines
        from portal.extensions import db
        from portal.jobs.services import dispatch_stale

        try:
            return {"sweep_outbox": dispatch_stale, "sweep_deadlines": sweep_deadlines}[name]()
        finally:
            db.session.remove()
