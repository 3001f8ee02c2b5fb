"""Settings from the environment; defaults are the embedded ones (SQLite, in-process jobs)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _instance_dir() -> Path:
    return Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _secret_key(instance: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


#: Signs the simulated gateway's notifications outside production (PAYMENT_CALLBACK_SECRET).
DEMO_PAYMENT_CALLBACK_SECRET = "demo-payment-callback-secret-not-for-production"  # noqa: S105


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _suffixed(prefix: str, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """The environment variables named prefix + SUFFIX, by SUFFIX (SIGNING_P12_OPAMSS), but
    for the suffixes in `exclude` and those starting with one of them and "_"."""
    found = {}
    for name, value in os.environ.items():
        suffix = name[len(prefix) :]
        if not name.startswith(prefix) or not value or not suffix:
            continue
        if any(suffix == word or suffix.startswith(word + "_") for word in exclude):
            continue
        found[suffix] = value
    return found


class Config:
    """Build the settings once from the environment at app creation."""

    def __init__(self) -> None:
        instance = _instance_dir()
        self.INSTANCE_PATH = str(instance)
        self.SECRET_KEY = _secret_key(instance)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'ventanilla.sqlite3'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # None means jobs run in-process right after commit, through the same functions.
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis down: count in this process's memory (with a log line) instead of failing.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STRATEGY = "moving-window"
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
        # Behind N reverse proxies, trust N X-Forwarded-For hops (for rate limits and audit IPs).
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        self.FILES_DIR = os.environ.get("FILES_DIR", str(instance / "files"))
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
        self.MAIL_SENDER = os.environ.get(
            "MAIL_SENDER", "Ventanilla Única AMSS <no-responder@ventanilla.amss.gob.sv>"
        )
        self.MAIL_DIR = os.environ.get("MAIL_DIR", str(instance / "mail"))
        self.SERVER_NAME = os.environ.get("SERVER_NAME") or None
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
        # The address people use, for links in PDFs, e-mail and QR codes (portal/links.py).
        # Required when PRODUCTION is set; unset, requests use their own address (warned).
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
        self.PRODUCTION = _bool("PRODUCTION", False)
        # Online payments (portal/payments/providers.py). "simulated" is the demonstration
        # gateway at /pagos/simulador/<token>; the callback secret signs the provider's
        # notifications (HMAC-SHA256): required in production, a fixed demo value otherwise.
        # In production the demonstration gateway is never on by default.
        self.PAYMENT_PROVIDER = os.environ.get(
            "PAYMENT_PROVIDER", "" if self.PRODUCTION else "simulated"
        )
        self.PAYMENT_CALLBACK_SECRET = os.environ.get("PAYMENT_CALLBACK_SECRET") or (
            None if self.PRODUCTION else DEMO_PAYMENT_CALLBACK_SECRET
        )
        # Banks that take payment orders at their branches, as printed on the order and shown
        # on the status page: names separated by ";" (none when unset).
        self.PAYMENT_BANKS = tuple(
            name.strip() for name in os.environ.get("PAYMENT_BANKS", "").split(";") if name.strip()
        )
        # The largest request body read at all. Each document's own limit (its definition's
        # max_bytes, up to 30 MB) is checked at its field, where the form comes back with
        # every typed answer; so this cap leaves room for a scan over that limit plus the rest.
        self.MAX_CONTENT_LENGTH = int(
            os.environ.get("MAX_REQUEST_BYTES")
            or os.environ.get("MAX_UPLOAD_BYTES")
            or str(64 * 1024 * 1024)
        )
        # Background jobs (docs/operations.md, "Jobs and the outbox"), all in seconds.
        self.OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "120"))
        self.OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
        self.OUTBOX_SWEEP_OLDER_THAN = int(os.environ.get("OUTBOX_SWEEP_OLDER_THAN", "60"))
        self.OUTBOX_SWEEP_INTERVAL = int(os.environ.get("OUTBOX_SWEEP_INTERVAL", "60"))
        # Fault tests only (tests/portal/test_document_faults.py): seconds a render job waits
        # after storing a PDF, before its commit, so a test can kill the worker then. 0 in use.
        self.PDF_STORED_PAUSE_SECONDS = float(os.environ.get("PDF_STORED_PAUSE_SECONDS", "0"))
        self.WORKER_MONITOR_SECONDS = int(os.environ.get("WORKER_MONITOR_SECONDS", "10"))
        self.WORKER_RECONNECT_MAX_SECONDS = int(os.environ.get("WORKER_RECONNECT_MAX_SECONDS", "5"))
        # Argon2id parameters by argon2-cffi profile name (portal/accounts/hashing.py).
        self.ARGON2_PROFILE = os.environ.get("ARGON2_PROFILE", "RFC_9106_LOW_MEMORY")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # Server-side sessions (ASVS 3.3, docs/security.md): idle and absolute limits in minutes.
        self.SESSION_IDLE_MINUTES_STAFF = int(os.environ.get("SESSION_IDLE_MINUTES_STAFF", "30"))
        self.SESSION_MAX_MINUTES_STAFF = int(os.environ.get("SESSION_MAX_MINUTES_STAFF", "720"))
        self.SESSION_IDLE_MINUTES_APPLICANT = int(
            os.environ.get("SESSION_IDLE_MINUTES_APPLICANT", "120")
        )
        self.SESSION_MAX_MINUTES_APPLICANT = int(
            os.environ.get("SESSION_MAX_MINUTES_APPLICANT", str(7 * 24 * 60))
        )
        # A signed cookie older than the longest session is refused before the database is asked.
        self.PERMANENT_SESSION_LIFETIME = 7 * 24 * 3600
        self.BABEL_DEFAULT_LOCALE = "es"
        self.BABEL_DEFAULT_TIMEZONE = "America/El_Salvador"
        self.LANGUAGES = ("es", "en")
        self.WTF_CSRF_TIME_LIMIT = None
        # PAdES signatures of issued documents (portal/signing, docs/operations.md "Signing
        # keys"). "demo": a demonstration CA and one key per authority made on first use under
        # instance/signing/ (never in production). "pkcs12": one PKCS#12 per authority, at
        # SIGNING_P12_<CODE> or <SIGNING_P12_DIR>/<code>.p12, opened with
        # SIGNING_P12_PASSPHRASE_<CODE> or SIGNING_P12_PASSPHRASE (<CODE>: the authority's
        # code in upper case, "_" for other characters); a missing key is an error, never a
        # demo key. SIGNING_TRUST_ROOTS: PEM files (":"-separated) of the roots that uploaded
        # PDFs' signatures are trusted against.
        self.SIGNING_MODE = os.environ.get("SIGNING_MODE", "pkcs12" if self.PRODUCTION else "demo")
        self.SIGNING_P12_DIR = os.environ.get("SIGNING_P12_DIR") or None
        self.SIGNING_P12_PASSPHRASE = os.environ.get("SIGNING_P12_PASSPHRASE") or None
        self.SIGNING_P12 = _suffixed("SIGNING_P12_", exclude=("DIR", "PASSPHRASE"))
        self.SIGNING_P12_PASSPHRASES = _suffixed("SIGNING_P12_PASSPHRASE_")
        self.SIGNING_TRUST_ROOTS = os.environ.get("SIGNING_TRUST_ROOTS") or None
        self.DEFINITIONS_DIR = os.environ.get(
            "DEFINITIONS_DIR", str(BASE_DIR / "workflows" / "definitions")
        )
