"""Sign PDFs as PAdES baseline B-B (pyHanko) and check a PDF's signature."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from portal.signing.keys import signer_for, trust_roots

logger = logging.getLogger(__name__)

#: The signature field pyHanko creates (invisible: the page prints the signer itself).
FIELD_NAME = "FirmaElectronica"


@dataclass(frozen=True)
class DocumentSigner:
    """Who signs a document: the authority whose key signs, and the person or seal named."""

    authority: object
    name: str
    role: str
    reason: str


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF's signature says.

    Attributes:
        signed: the PDF holds a signature (False for garbage, a truncated or an unsigned PDF).
        intact: the signed bytes are unchanged and cover the whole file (nothing but
            signature data added after them).
        trusted: the signed bytes are unchanged and the signer's certificate chains to a
            trusted root (it says who signed, even when something was appended afterwards).
        signer_subject: who the signer certificate names, as people read it: its common name
            and its organization ("Sello electrónico de Santa Tecla, Alcaldía de Santa
            Tecla"), without X.509's English attribute labels.
        signed_at: the signing time the signer reported.
        authority_code: the authority whose certificate signed, when the portal knows it.
    """

    signed: bool
    intact: bool = False
    trusted: bool = False
    signer_subject: str | None = None
    signed_at: datetime | None = None
    authority_code: str | None = None


def sign_pdf(pdf: bytes, *, authority, signer_name: str, signer_role: str, reason: str) -> bytes:
    """Return `pdf` with an invisible PAdES signature (ETSI.CAdES.detached) by `authority`'s key.

    The signature names `signer_name` (/Name), the `reason` and the place (/Location: the
    authority's place); it embeds the signer's certificate chain. The signature is appended as
    an incremental update, so the original bytes are kept as they were.

    Raises:
        SigningKeyError: the authority has no usable key (production mode).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signer_for(authority)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name,
        reason=reason,
        location=getattr(authority, "place", None) or authority.name,
        cades_signed_attr_spec=_claimed_role(signer_role) if signer_role else None,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    output = outside_event_loop(
        lambda: signers.PdfSigner(metadata, signer=signer).sign_pdf(
            writer, bytes_reserved=_reserved_bytes(signer, signer_role)
        )
    )
    return output.getvalue()


def outside_event_loop(work):
    """Run `work()` where pyHanko may start its own event loop, and return its result.

    pyHanko's synchronous API calls `asyncio.run`, which refuses to run in a thread whose loop
    is already running (an async server, or a caller driving a browser); there, the work runs in
    a short-lived thread of its own. Elsewhere (RQ workers, gunicorn's sync workers) it runs here.
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _claimed_role(role: str):
    """The signer's role as a claimed CAdES signer attribute (signer-attributes-v2, id-at-role:
    the role name as a directory name with its title), as ETSI EN 319 122-1 5.2.6.1 allows."""
    from asn1crypto import cms, x509
    from pyhanko.sign.ades.api import CAdESSignedAttrSpec, SignerAttrSpec

    role_name = x509.GeneralName({"directory_name": x509.Name.build({"title": role})})
    claimed = cms.AttCertAttribute(
        {"type": "role", "values": [cms.RoleSyntax({"role_name": role_name})]}
    )
    return CAdESSignedAttrSpec(
        signer_attributes=SignerAttrSpec(claimed_attrs=[claimed], certified_attrs=())
    )


def _reserved_bytes(signer, role: str) -> int:
    """Room for the CMS signature: the embedded certificates, the claimed role, the other
    attributes and the signature value, with margin. Saves pyHanko's dry-run signature that
    estimates it (half the cost of signing)."""
    certificates = sum(len(cert.dump()) for cert in signer.cert_registry)
    needed = certificates + len(signer.signing_cert.dump()) + len(role.encode()) + 4096
    return needed + needed % 2  # pyHanko wants an even count


def check_signature(pdf: bytes) -> SignatureCheck:
    """Validate the last signature of `pdf` against the trusted roots; never raises on bad input.

    A non-PDF, a truncated or an unsigned PDF gives `signed=False`; a signed PDF whose signed
    bytes changed, or with anything appended after the signature beyond what signatures may
    add, gives `intact=False`.

    Raises:
        SigningKeyError: production mode and SIGNING_TRUST_ROOTS is unset or unreadable.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # garbage of any shape is "not signed", never a 500
        return SignatureCheck(signed=False)
    if not signatures:
        return SignatureCheck(signed=False)
    roots = trust_roots()  # a configuration error is the operator's, not the file's: raise
    try:
        return outside_event_loop(lambda: _check(signatures[-1], roots))
    except Exception:  # a signature pyHanko cannot parse is not intact
        logger.info("unreadable PDF signature", exc_info=True)
        return SignatureCheck(signed=True)


def _check(embedded, roots) -> SignatureCheck:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except SignatureValidationError:
        return SignatureCheck(signed=True)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
    )
    cert = status.signing_cert
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid and whole),
        trusted=bool(status.intact and status.valid and status.trusted),
        signer_subject=_readable(cert.subject) if cert is not None else None,
        signed_at=status.signer_reported_dt,
        authority_code=_authority_code(cert),
    )


def _authority_code(cert) -> str | None:
    """The code of the Authority the certificate names (subject OU = code, else O = name)."""
    import sqlalchemy as sa

    from portal.authorities.models import Authority
    from portal.extensions import db

    if cert is None:
        return None
    subject = cert.subject.native
    units = subject.get("organizational_unit_name") or []
    units = [units] if isinstance(units, str) else list(units)
    organization = subject.get("organization_name")
    try:
        codes = db.session.scalars(
            sa.select(Authority.code).where(
                sa.or_(Authority.code.in_(units), Authority.name == organization)
            )
        ).all()
    except Exception:  # no database here: the subject alone is the answer
        logger.info("authority of a signature not looked up", exc_info=True)
        return None
    return next((code for code in codes if code in units), codes[0] if codes else None)


def _readable(name) -> str:
    """A certificate subject (asn1crypto `Name`) as a person reads it: common name, then the
    organization when it says something more; the other attributes (country, unit) left out."""
    parts = name.native
    common = parts.get("common_name")
    organization = parts.get("organization_name")
    said = [text for text in (common, organization) if isinstance(text, str) and text]
    if len(said) == 2 and said[0] == said[1]:
        said = said[:1]
    return ", ".join(said) or name.human_friendly
