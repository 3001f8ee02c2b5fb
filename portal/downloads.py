"""Every file the portal hands out (uploads, receipts, certificates) goes through `send_download`.

The name a person gave a file is kept: Werkzeug's `send_file(download_name=...)` writes
`Content-Disposition: attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`
(RFC 6266 with RFC 5987/8187 encoding), which every current browser decodes back to the full
Unicode name. Before that, `download_name` removes what must never reach a file name: control
characters, Unicode bidirectional overrides (`factura\u202efdp.exe` would show as `...exe.pdf`),
and path separators; and it clips the name to `MAX_NAME_CHARS`, keeping the extension.
"""

from __future__ import annotations

import io
import re
import unicodedata

from flask import Response, send_file

# Most file systems allow 255 bytes per name; 255 characters is the stored column's width.
MAX_NAME_CHARS = 255
# Embedding, override and isolate controls (and the LRM/RLM/ALM marks): invisible characters
# that reorder what the person sees of the name. Letters of right-to-left scripts stay.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SEPARATORS = re.compile(r"[/\\]+")


def uploaded_name(sent: str) -> str:
    """The name of an uploaded file as the person sees it on their device.

    Browsers send `"`, CR and LF in a multipart file name as `%22`, `%0D` and `%0A` (HTML
    Standard, "multipart/form-data encoding algorithm"); only those three are decoded.
    """
    for escaped, character in (("%22", '"'), ("%0D", "\r"), ("%0A", "\n")):
        sent = sent.replace(escaped, character)
    return sent


def clip_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    """Shorten `name` to at most `limit` characters, keeping an extension of up to 10."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


def download_name(name: str, fallback: str = "archivo") -> str:
    """The file name to offer for `name` (any Unicode text); `fallback` when nothing is left.

    Returns NFC-normalised text without control or bidi-control characters, with `/` and `\\`
    replaced by `_`, surrounding spaces and dots removed, clipped to `MAX_NAME_CHARS`.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = _BIDI_CONTROLS.sub("", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cc")
    text = _SEPARATORS.sub("_", text).strip().strip(".").strip()
    return clip_name(text) or fallback


def send_download(data: bytes, content_type: str, name: str) -> Response:
    """Answer with `data` as an attachment called `name`; never cached by shared caches.

    The bytes are served with the stored `content_type`, never one guessed from the name.
    """
    response = send_file(
        io.BytesIO(data),
        mimetype=content_type,
        as_attachment=True,
        download_name=download_name(name),
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


#: Content types shown inside the clerk's case page; anything else is only ever downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def send_inline(data: bytes, content_type: str, name: str) -> Response:
    """Answer with a PDF or image to show in a page of this site (an iframe or an img).

    Any other `content_type` is sent as an attachment (`send_download`). The response is
    `inline`, never sniffed (`nosniff`), framable only by this site (`frame-ancestors 'self'`,
    `X-Frame-Options: SAMEORIGIN`) and, for a PDF, sandboxed (CSP `sandbox`: no scripts, forms
    or navigation from the file's active content, in browsers that honour it).
    """
    if content_type not in INLINE_TYPES:
        return send_download(data, content_type, name)
    response = send_file(
        io.BytesIO(data),
        mimetype=content_type,
        as_attachment=False,
        download_name=download_name(name),
        conditional=False,
        etag=False,
    )
    policy = "default-src 'none'; frame-ancestors 'self'"
    if content_type == "application/pdf":
        policy = f"sandbox; {policy}"
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response
