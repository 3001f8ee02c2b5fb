"""Static files: content-hashed names, gzip and Brotli copies, served by WhiteNoise.

At app start, `static/` is copied once into `instance/static-build/<digest>/`: every file under
its own name and under a versioned one (`css/app.3f2a9c1b7d0e.css`, the first 12 hex digits of
its SHA-256), each compressed with WhiteNoise's `Compressor` (`.br`, `.gz`). WhiteNoise serves
that folder in front of Flask, picking the encoding the client accepts (with `Vary`), and marks
versioned names `Cache-Control: max-age=<10 years>, public, immutable`: a page costs no
revalidation. `url_for("static", filename=...)` gives the versioned name (a `url_defaults`
hook), and JavaScript modules that import each other by their plain names are mapped to the
versioned ones by an import map (`asset_import_map`, written by base.html).

In debug mode there is no build: WhiteNoise serves `static/` itself with `autorefresh`, so an
edited file shows at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

MANIFEST = "manifest.json"
KEPT_BUILDS = 3  # this deploy's and the two before
# name.<12 hex digits>.ext, as `versioned_name` writes it.
VERSIONED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


def install(app: Flask) -> None:
    """Serve `app.static_folder` through WhiteNoise; call once, after other WSGI middleware."""
    static = Path(app.static_folder)
    prefix = app.static_url_path.strip("/") + "/"
    if app.debug:
        app.wsgi_app = WhiteNoise(
            app.wsgi_app, root=str(static), prefix=prefix, autorefresh=True, max_age=0
        )
        app.extensions["asset_manifest"] = {}
        return
    root, manifest = build(static, Path(app.instance_path) / "static-build")
    app.extensions["asset_manifest"] = manifest
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(root),
        prefix=prefix,
        immutable_file_test=lambda _path, url: bool(VERSIONED.search(url)),
        add_headers_function=_add_headers,
    )

    @app.url_defaults
    def _versioned(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]


def _add_headers(headers, _path: str, _url: str) -> None:
    # Flask's after_request does not run for what WhiteNoise serves.
    headers["X-Content-Type-Options"] = "nosniff"


def versioned_name(name: str, data: bytes) -> str:
    """`css/app.css` -> `css/app.<first 12 hex of SHA-256>.css` (extension kept last)."""
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{extension}" if dot and "/" not in extension else f"{name}.{digest}"


def build(static: Path, builds: Path) -> tuple[Path, dict[str, str]]:
    """Copy `static` into `builds/<digest>` with versioned and compressed copies, once.

    Returns the folder to serve and the manifest {plain name: versioned name}. Safe to call
    from several processes at once: each builds in a temporary folder and renames it.
    """
    sources = sorted(p for p in static.rglob("*") if p.is_file())
    contents = {p.relative_to(static).as_posix(): p.read_bytes() for p in sources}
    overall = hashlib.sha256()
    for name, data in contents.items():
        overall.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    target = builds / overall.hexdigest()[:16]
    if not (target / MANIFEST).is_file():
        builds.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".building-", dir=builds))
        _write(work, contents)
        try:
            os.rename(work, target)
        except OSError:  # another process finished first: use its build
            shutil.rmtree(work, ignore_errors=True)
        _prune(builds, keep=target)
    return target, json.loads((target / MANIFEST).read_text())


def _prune(builds: Path, keep: Path, kept: int = KEPT_BUILDS) -> None:
    """Remove all but the newest builds: processes of the previous deploy may still serve one."""
    done = [p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")]
    done.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in done if p != keep][kept - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _write(folder: Path, contents: dict[str, bytes]) -> None:
    # Source maps are fetched only by developer tools: not worth a second of Brotli each start.
    compressor = Compressor(extensions=(*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"), quiet=True)
    manifest = {}
    for name, data in contents.items():
        manifest[name] = versioned_name(name, data)
        plain = folder / name
        plain.parent.mkdir(parents=True, exist_ok=True)
        plain.write_bytes(data)
        made = compressor.compress(str(plain)) if compressor.should_compress(name) else []
        for path in (str(plain), *made):  # the same bytes under the versioned name
            shutil.copyfile(path, path.replace(str(plain), str(folder / manifest[name]), 1))
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))


def asset_import_map() -> dict:
    """The import map that sends `import './x.js'` to the versioned x.js ({} in debug)."""
    manifest = current_app.extensions.get("asset_manifest") or {}
    base = current_app.static_url_path.rstrip("/")
    return {
        "imports": {
            f"{base}/{name}": f"{base}/{versioned}"
            for name, versioned in manifest.items()
            if name.endswith(".js")
        }
    }
