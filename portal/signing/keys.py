"""The authorities' signing keys: a demo CA made on first use, or PKCS#12 files in production.

Modes (config `SIGNING_MODE`, see config.py and docs/operations.md):

- ``demo`` (development, `make run`, tests): under ``<instance>/signing/`` a demonstration
  certificate authority (``demo-ca.pem``, ``demo-ca-key.pem``) and one key and certificate per
  authority (``<code>.pem``), made with `cryptography`'s x509 builder the first time an
  authority signs. A file lock makes the first creation safe across threads and processes:
  two workers starting at once end with one CA.
- ``pkcs12`` (production): one PKCS#12 per authority, by path (`SIGNING_P12[code]` or
  ``<SIGNING_P12_DIR>/<code>.p12``) and passphrase (`SIGNING_P12_PASSPHRASES[code]` or
  `SIGNING_P12_PASSPHRASE`). A missing file or a wrong passphrase raises SigningKeyError; a
  demo key is never used in its place. Signatures are trusted against `SIGNING_TRUST_ROOTS`.

Loaded signers are cached per process (keyed by the files' identity, so a replaced file is read
again).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import current_app

DEMO, PKCS12 = "demo", "pkcs12"
CA_CERT, CA_KEY = "demo-ca.pem", "demo-ca-key.pem"
CA_NAME = "CA de demostración de la Ventanilla Única AMSS"
DEMO_YEARS = 10

_cache: dict[tuple, object] = {}
_cache_lock = threading.Lock()
_create_lock = threading.Lock()


class SigningKeyError(RuntimeError):
    """An authority's signing key is not configured, not found, or cannot be opened."""


def mode() -> str:
    """The configured signing mode: `demo` unless SIGNING_MODE says `pkcs12`."""
    value = current_app.config.get("SIGNING_MODE") or DEMO
    if value not in (DEMO, PKCS12):
        raise SigningKeyError(f"SIGNING_MODE must be {DEMO!r} or {PKCS12!r}, not {value!r}")
    if value == DEMO and current_app.config.get("PRODUCTION"):
        raise SigningKeyError(
            "SIGNING_MODE=demo is refused in production: configure the authorities' PKCS#12 "
            "keys (SIGNING_MODE=pkcs12, docs/operations.md)"
        )
    return value


def signer_for(authority):
    """The pyHanko SimpleSigner of `authority` (an Authority row or anything with code, name,
    short_name), loaded once per process.

    Raises:
        SigningKeyError: production mode and the authority's PKCS#12 is missing or unreadable.
    """
    if mode() == PKCS12:
        path, passphrase = _p12_source(authority.code)
        return _cached(("p12", *_identity(path), passphrase), lambda: _load_p12(path, passphrase))
    folder = demo_dir()
    path = folder / f"{_file_code(authority.code)}.pem"
    if not path.exists():
        _create_demo_authority(folder, authority)
    return _cached(("demo", *_identity(path)), lambda: _load_demo(folder, path))


def trust_roots() -> list[asn1_x509.Certificate]:
    """The certificates signatures are trusted against: the demo CA, or SIGNING_TRUST_ROOTS.

    Raises:
        SigningKeyError: production mode and SIGNING_TRUST_ROOTS is not set.
    """
    from pyhanko.keys import load_certs_from_pemder

    if mode() == PKCS12:
        paths = current_app.config.get("SIGNING_TRUST_ROOTS") or ()
        if isinstance(paths, str):
            paths = [p for p in paths.split(os.pathsep) if p]
        if not paths:
            raise SigningKeyError(
                "SIGNING_TRUST_ROOTS is not set: name the PEM files of the roots that signed "
                "documents are checked against"
            )
        key = ("roots", *(ident for p in paths for ident in _identity(Path(p))))
        return _cached(key, lambda: _load_roots(paths))
    folder = demo_dir()
    if not (folder / CA_CERT).exists():
        with _locked(folder):
            _ensure_ca(folder)
    path = folder / CA_CERT
    return _cached(("ca", *_identity(path)), lambda: list(load_certs_from_pemder([str(path)])))


def _load_roots(paths: list[str]) -> list[asn1_x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    try:
        return list(load_certs_from_pemder(paths))
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"cannot read SIGNING_TRUST_ROOTS ({':'.join(paths)})") from exc


def demo_dir() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "signing"


def env_name(code: str) -> str:
    """The suffix of an authority's environment variables: its code, upper case, `_` for
    anything else than letters and digits (SIGNING_P12_AMSS_SS for AMSS-SS)."""
    return "".join(c if c.isalnum() else "_" for c in code.upper())


def _signer_class():
    """SimpleSigner keeping the loaded private key (defined lazily: pyHanko is heavy)."""
    global _KeptKeySigner
    if _KeptKeySigner is not None:
        return _KeptKeySigner
    from cryptography.hazmat.primitives.asymmetric import padding
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

    class KeptKeySigner(SimpleSigner):
        """pyHanko's SimpleSigner reloads the key from DER for every signature; for RSA that
        repeats the key's consistency check (about 0.1 s at 2048 bits, 0.3 s at 3072). This
        one loads it once; other mechanisms than RSA and ECDSA go through pyHanko's own code."""

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                algorithm = mechanism.signature_algo
            except ValueError:
                algorithm = mechanism["algorithm"].native
            key = self._kept_key()
            if algorithm == "rsassa_pkcs1v15":
                return key.sign(
                    data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
                )
            if algorithm == "rsassa_pss":
                pss, hash_algorithm = process_pss_params(mechanism["parameters"])
                return key.sign(data, pss, hash_algorithm)
            if algorithm == "ecdsa":
                return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
            return super().sign_raw(data, digest_algorithm)

        def _kept_key(self):
            kept = getattr(self, "_kept", None)
            if kept is None:
                kept = self._kept = serialization.load_der_private_key(
                    self.signing_key.dump(), password=None
                )
            return kept

    _KeptKeySigner = KeptKeySigner
    return KeptKeySigner


_KeptKeySigner = None


# --- production: PKCS#12 ---------------------------------------------------------------------


def _p12_source(code: str) -> tuple[Path, bytes | None]:
    config = current_app.config
    name = env_name(code)
    path = (config.get("SIGNING_P12") or {}).get(name)
    if path is None and config.get("SIGNING_P12_DIR"):
        path = Path(config["SIGNING_P12_DIR"]) / f"{_file_code(code)}.p12"
    if path is None:
        raise SigningKeyError(
            f"no signing key for authority {code}: set SIGNING_P12_{name} (or SIGNING_P12_DIR)"
        )
    path = Path(path)
    if not path.is_file():
        raise SigningKeyError(f"signing key of authority {code} not found at {path}")
    passphrase = (config.get("SIGNING_P12_PASSPHRASES") or {}).get(name)
    if passphrase is None:
        passphrase = config.get("SIGNING_P12_PASSPHRASE")
    return path, passphrase.encode() if passphrase else None


def _load_p12(path: Path, passphrase: bytes | None):
    from pyhanko.sign.signers import SimpleSigner

    try:
        loaded = SimpleSigner.load_pkcs12_data(path.read_bytes(), (), passphrase=passphrase)
    except (ValueError, OSError) as exc:
        raise SigningKeyError(
            f"cannot open the signing key {path}: wrong passphrase or not a PKCS#12 file"
        ) from exc
    return _signer_class()(
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )


# --- development: the demo CA ----------------------------------------------------------------


def _load_demo(folder: Path, path: Path):
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    data = path.read_bytes()
    (cert,) = load_certs_from_pemder_data(data)
    key = load_private_key_from_pemder_data(data, passphrase=None)
    ca = list(load_certs_from_pemder_data((folder / CA_CERT).read_bytes()))
    return _signer_class()(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs(ca)
    )


def _create_demo_authority(folder: Path, authority) -> None:
    """Make the authority's key and certificate, signed by the demo CA (made first if needed)."""
    with _locked(folder):
        path = folder / f"{_file_code(authority.code)}.pem"
        if path.exists():  # another worker made it while this one waited for the lock
            return
        ca_cert, ca_key = _ensure_ca(folder)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "SV"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(authority.name)),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _fit(authority.code)),
                x509.NameAttribute(
                    NameOID.COMMON_NAME, _fit(f"Sello electrónico de {authority.short_name}")
                ),
            ]
        )
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365 * DEMO_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signing=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_atomically(path, _private_pem(key) + cert.public_bytes(serialization.Encoding.PEM))


def _ensure_ca(folder: Path):
    """Return the demo CA's certificate and key, making them if absent (caller holds the lock)."""
    cert_path, key_path = folder / CA_CERT, folder / CA_KEY
    if cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SV"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ventanilla Única AMSS"),
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * (DEMO_YEARS + 10)))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    # The key first, the certificate last: the certificate's presence means the CA is whole.
    _write_atomically(key_path, _private_pem(key))
    _write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(folder: Path):
    """Hold an exclusive lock on <folder>/.lock (threads of this process, then other processes)."""
    folder.mkdir(parents=True, exist_ok=True)
    with _create_lock, open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the per-process cache -------------------------------------------------------------------


def _identity(path: Path) -> tuple:
    """What identifies a file's current content cheaply: path, inode, size and mtime."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _cached(key: tuple, load):
    value = _cache.get(key)
    if value is None:
        value = load()
        with _cache_lock:
            _cache[key] = value
    return value


def _fit(text: str) -> str:
    """Cut a subject attribute to the 64 bytes (UTF-8) the x509 builder accepts."""
    while len(text.encode()) > 64:
        text = text[:-1]
    return text


def _file_code(code: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in code)
