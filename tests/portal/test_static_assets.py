"""Static files reach clients compressed, under versioned names cached for good."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import brotli
import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')
IMMUTABLE = "max-age=315360000, public, immutable"


def _static_urls(html: str) -> list[str]:
    return STATIC_URL.findall(html)


def _fetch(client, url: str, accept: str = "identity"):
    """GET a static file; WhiteNoise streams it from disk, so close the response."""
    with client.get(url, headers={"Accept-Encoding": accept}) as response:
        return response.status_code, dict(response.headers), response.get_data()


@pytest.mark.parametrize("page", ["/", "/tramites/", "/cuenta/entrar"])
def test_pages_link_only_versioned_static_files(client, page):
    urls = _static_urls(client.get(page).get_data(as_text=True))
    assert len(urls) >= 5  # favicon, two style sheets, two scripts
    for url in urls:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", url), url


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("br, gzip, deflate", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        ("identity", None, lambda data: data),
    ],
)
def test_each_file_is_served_compressed_and_immutable(client, accept, encoding, decode):
    html = client.get("/").get_data(as_text=True)
    for url in _static_urls(html):
        status, headers, body = _fetch(client, url, accept)
        assert status == 200, url
        assert headers["Cache-Control"] == IMMUTABLE, url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Accept-Encoding" in headers.get("Vary", ""), url
        plain = re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", url.removeprefix("/static/"))
        original = (ROOT / "static" / plain).read_bytes()
        if len(original) > 1024:  # tiny files are not worth compressing
            assert headers.get("Content-Encoding") == encoding, url
        assert (decode(body) if headers.get("Content-Encoding") else body) == original


def test_the_design_system_style_sheet_travels_in_a_fraction_of_its_size(client):
    html = client.get("/").get_data(as_text=True)
    (css,) = [u for u in _static_urls(html) if "govuk-frontend.min" in u and u.endswith(".css")]
    original = (ROOT / "static/vendor/govuk-frontend-5.14.0/govuk-frontend.min.css").stat().st_size
    assert original > 140_000
    for accept, limit in (("br", 16_000), ("gzip", 20_000)):
        _status, headers, body = _fetch(client, css, accept)
        assert headers["Content-Encoding"] == accept
        assert len(body) < limit, (accept, len(body))


def test_a_changed_file_gets_a_new_name(tmp_path):
    from portal.assets import build

    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "app.css").write_text("body { color: #0b0c0c; }\n" * 100)
    first_root, first = build(static, tmp_path / "builds")
    (static / "css" / "app.css").write_text("body { color: #1d70b8; }\n" * 100)
    second_root, second = build(static, tmp_path / "builds")
    assert first["css/app.css"] != second["css/app.css"]
    assert first_root != second_root
    for root, manifest in ((first_root, first), (second_root, second)):
        versioned = root / manifest["css/app.css"]
        assert versioned.read_bytes() == (root / "css/app.css").read_bytes()
        assert brotli.decompress(Path(f"{versioned}.br").read_bytes()) == versioned.read_bytes()
    assert build(static, tmp_path / "builds") == (second_root, second)  # built once
    for version in range(5):  # older builds go, the newest three stay
        (static / "css" / "app.css").write_text(f"p {{ margin: {version}px; }}\n")
        build(static, tmp_path / "builds")
    assert len([p for p in (tmp_path / "builds").iterdir() if p.is_dir()]) == 3


def test_every_module_import_is_mapped_to_a_versioned_file(client):
    """Modules import each other by plain relative names; the import map versions them."""
    html = client.get("/").get_data(as_text=True)
    mapping = json.loads(
        re.search(r'<script type="importmap" nonce="[^"]+">(.*?)</script>', html, re.S).group(1)
    )["imports"]
    assert html.index('type="importmap"') < html.index('type="module"')
    for path in (ROOT / "static/js").glob("*.js"):
        for target in re.findall(r"^import .* from '(\.[^']+)'", path.read_text(), re.M):
            resolved = (Path("/static/js") / target).resolve().as_posix()
            assert resolved in mapping, (path.name, target)
            assert _fetch(client, mapping[resolved])[1]["Cache-Control"] == IMMUTABLE


def test_in_debug_mode_static_files_are_served_as_they_are_on_disk(app_settings):
    """Development: no build, plain names, no long caching (WhiteNoise autorefresh)."""
    from portal import create_app
    from portal.extensions import db

    debug_app = create_app(**app_settings, DEBUG=True)
    try:
        client = debug_app.test_client()
        html = client.get("/cuenta/entrar").get_data(as_text=True)
        assert '/static/css/app.css"' in html and 'type="importmap"' not in html
        status, headers, body = _fetch(client, "/static/css/app.css")
        assert status == 200 and body == (ROOT / "static/css/app.css").read_bytes()
        assert "immutable" not in headers.get("Cache-Control", "")
    finally:
        with debug_app.app_context():
            db.engine.dispose()
