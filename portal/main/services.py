"""Health of the parts, home page data, and the idempotent seed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from portal.extensions import db, utcnow


def health() -> dict:
    """Report the database, the queue ('inline' when embedded) and where limits are counted."""
    report = {"status": "ok", "database": "ok", "queue": "inline"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as exc:  # the report must name the failure, not raise it
        report.update(status="error", database=f"error: {type(exc).__name__}")
    finally:
        db.session.rollback()
    if current_app.config.get("REDIS_URL"):
        from portal.jobs.dispatch import redis_connection

        try:
            redis_connection().ping()
            report["queue"] = "ok"
        except Exception as exc:
            report.update(status="error", queue=f"error: {type(exc).__name__}")
    report["rate_limits"] = _rate_limit_health()
    return report


def _rate_limit_health() -> str:
    """Where failed sign-ins are counted now: "ok" (shared store) or the in-memory fallback."""
    from portal.extensions import limiter

    try:
        shared = limiter.storage.check()
    except Exception:  # a dead store must be reported, not raised
        shared = False
    if shared:
        return "ok"
    return "degraded: counting in this process's memory"


DEMO_PASSWORD = "demo-ventanilla-2026"  # noqa: S105  (demo data, printed by make run)
DEMO_ACCOUNTS = (
    ("solicitante@demo.ventanilla.sv", "Ana María Pérez", "applicant", None),
    ("tecnico@opamss.demo.ventanilla.sv", "Carlos Rivas (técnico OPAMSS)", "clerk", "OPAMSS"),
    ("jefa@opamss.demo.ventanilla.sv", "Lucía Hernández (jefa OPAMSS)", "supervisor", "OPAMSS"),
    ("admin@opamss.demo.ventanilla.sv", "Administración OPAMSS", "admin", "OPAMSS"),
)
DEMO_SIMDET_TOKEN = "demo-simdet-token-no-usar-en-produccion"  # noqa: S105
# The demo supervisor's and admin's authenticator key (their roles require a second factor).
DEMO_TOTP_SECRET = "DEMOVENTANILLAAMSSDEMOVENTANILLA"  # noqa: S105  (demo data, printed)


def _demo_second_factor(user) -> None:
    """Enrol a demo account whose role requires it with the printed demo key (flush only)."""
    from portal.two_factor.models import SecondFactor
    from portal.two_factor.services import get_factor, required_for

    if required_for(user) and get_factor(user) is None:
        db.session.add(
            SecondFactor(user_id=user.id, secret=DEMO_TOTP_SECRET, confirmed_at=utcnow())
        )
        db.session.flush()


def seed(*, definitions_dir: str, demo: bool) -> dict:
    """Seed authorities and procedures (and demo accounts) idempotently, in one transaction."""
    from portal.accounts.models import User
    from portal.accounts.services import _new_user
    from portal.authorities.services import get_authority, seed_authorities
    from portal.procedures.services import seed_definitions
    from portal.reference.services import seed_activity_codes
    from portal.simdet.models import ApiClient
    from portal.simdet.services import _hash

    created = seed_authorities()
    # Every check, the engine's and the portal's, runs before any version is written.
    versions = seed_definitions(definitions_dir)
    activities = seed_activity_codes()
    accounts = []
    if demo:
        for email, name, role, authority_code in DEMO_ACCOUNTS:
            user = db.session.scalar(sa.select(User).where(User.email == email))
            if user is None:
                authority = get_authority(authority_code) if authority_code else None
                user = _new_user(
                    email, DEMO_PASSWORD, name, role, authority.id if authority else None
                )
            _demo_second_factor(user)
            accounts.append((email, role, authority_code))
        if db.session.scalar(sa.select(ApiClient).where(ApiClient.name == "simdet-demo")) is None:
            db.session.add(ApiClient(name="simdet-demo", token_hash=_hash(DEMO_SIMDET_TOKEN)))
    db.session.commit()
    return {
        "authorities_created": created,
        "versions": len(versions),
        "activity_codes": activities,
        "accounts": accounts,
    }
