"""In Chromium: static files arrive compressed, and a second page asks the server for none."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_second_page_revalidates_no_static_file(app, live_server, browser):
    hits: list[str] = []
    inner = app.wsgi_app

    def counting(environ, start_response):
        if environ["PATH_INFO"].startswith("/static/"):
            hits.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = counting
    try:
        page = browser.new_context(locale="es-SV").new_page()
        sizes = {}

        def record(response):
            if "/static/" in response.url:
                sizes[response.url] = (
                    response.request.sizes()["responseBodySize"],
                    response.headers.get("content-encoding"),
                )

        page.on("response", record)
        page.goto(f"{live_server}/")
        page.wait_for_load_state("networkidle")
        first = list(hits)
        assert len(first) >= 6  # favicon, 2 style sheets, GOV.UK Frontend and our modules
        css = next(v for k, v in sizes.items() if "govuk-frontend.min" in k and k.endswith(".css"))
        assert css[1] in ("br", "gzip") and css[0] < 20_000, css  # 144 KB uncompressed
        hits.clear()
        page.goto(f"{live_server}/tramites/")
        page.wait_for_load_state("networkidle")
        page.goto(f"{live_server}/accesibilidad")
        page.wait_for_load_state("networkidle")
        assert hits == [], hits
    finally:
        app.wsgi_app = inner
