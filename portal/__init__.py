"""The Flask application factory: the only place an app is built."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from config import BASE_DIR, Config
from portal import assets, links
from portal.extensions import babel, csrf, db, limiter, login_manager

BLUEPRINTS = (
    "portal.main.views",
    "portal.accounts.views",
    "portal.catalogue.views",
    "portal.authorities.views",
    "portal.applications.views",
    "portal.subjects.views",
    "portal.plans.views",
    "portal.drafts.views",
    "portal.review.views",
    "portal.reports.views",
    "portal.inspections.views",
    "portal.opinions.views",
    "portal.certificates.views",
    "portal.simdet.views",
    "portal.payments.views",
    "portal.payments.api",
    "portal.admin.views",
    "portal.admin.editor_views",  # more routes of the admin blueprint: editing drafts in forms
    "portal.staff.views",
    "portal.tracking.views",
    "portal.notifications.views",
    "portal.walkin.views",
    "portal.walkin.claims",
    "portal.two_factor.views",
)


def select_locale() -> str:
    """Spanish, unless the person chose English: in this session, or in their account.

    The browser's Accept-Language is not a choice: the portal's language is Spanish, and a
    phone set to English still gets Spanish until its owner picks English (issue 8, item 10).
    """
    if not has_request_context():  # jobs render PDFs and e-mail in Spanish
        return "es"
    chosen = session.get("locale")
    if chosen in ("es", "en"):
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale == "en":
        return "en"
    return "es"


def create_app(config_object: object | None = None, **overrides: object) -> Flask:
    """Build the app from the environment (Config), then apply overrides (tests)."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_relative_config=False,
    )
    from portal.views_util import DatabaseId

    app.url_map.converters["int"] = DatabaseId  # before any route is added
    config = config_object or Config()
    app.config.from_object(config)
    app.config.update(overrides)
    if "RATELIMIT_STORAGE_URI" not in overrides:  # limits live where the app's Redis is
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    app.instance_path = app.config["INSTANCE_PATH"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(BASE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    logging.basicConfig(level=logging.INFO)
    links.check_public_base_url(app)
    _init_extensions(app)
    _register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from portal.jobs import dispatch

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(BASE_DIR / "translations"),
    )
    limiter.init_app(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    assets.install(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    WTFormsHelpers(app)
    dispatch.install()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _sqlite_pragmas(app)


def _sqlite_pragmas(app: Flask) -> None:
    import sqlalchemy as sa

    with app.app_context():

        @sa.event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()


def _register(app: Flask) -> None:
    import importlib

    from portal import cli, error_pages
    from portal.accounts import web_session

    # Every module first, then each blueprint once: a module may add routes to another's.
    blueprints = {}
    for module in BLUEPRINTS:
        blueprint = importlib.import_module(module).bp
        blueprints.setdefault(blueprint.name, blueprint)
    for blueprint in blueprints.values():
        app.register_blueprint(blueprint)
    cli.register(app)

    # Server-side sessions: the cookie is honoured only while its session row lives.
    login_manager.user_loader(web_session.load_user)
    app.before_request(web_session.check_early)
    app.session_interface = web_session.SecureWhenHttpsSessionInterface()

    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    from portal import permissions

    app.before_request(permissions.enforce)  # every route's declared permission

    from workflows.fees import needs_unconfirmed_notice

    # The `unconfirmed_notice` macro (macros/ui.html) asks it: one notice per fee line.
    app.add_template_test(
        lambda label: needs_unconfirmed_notice(label or "", True), "needing_unconfirmed_notice"
    )

    @app.context_processor
    def _globals():
        from flask_babel import get_locale

        user = current_user if has_request_context() else None
        return {
            "asset_import_map": assets.asset_import_map,
            "csp_nonce": lambda: g.get("csp_nonce", ""),
            "current_locale": str(get_locale() or "es"),
            "current_user": user,
        }

    @app.after_request
    def _security_headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
            "form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        )
        if request.is_secure:  # direct HTTPS, or X-Forwarded-Proto from a trusted proxy
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    error_pages.register(app)
