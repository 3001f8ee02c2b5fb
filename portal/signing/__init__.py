"""PAdES signatures of the documents the portal issues (pyHanko).

`sign_pdf` signs with the issuing authority's key (portal.signing.keys: a demo CA in
development, a PKCS#12 per authority in production); `check_signature` validates an uploaded
PDF's signature against the trusted roots.
"""

from portal.signing.keys import SigningKeyError
from portal.signing.signatures import DocumentSigner, SignatureCheck, check_signature, sign_pdf

__all__ = ["DocumentSigner", "SignatureCheck", "SigningKeyError", "check_signature", "sign_pdf"]
