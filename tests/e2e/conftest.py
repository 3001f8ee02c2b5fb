"""A live server (and, with Redis, a real rq worker) for the browser tests."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
#: The sheet's start button; it reads "Comenzar otra solicitud" once the person has a draft.
START = re.compile(r"^Comenzar (otra )?solicitud$")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app):
    """Serve the test app on a free port; `rq_worker` (if used) must come after it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config.update(WTF_CSRF_ENABLED=True, PUBLIC_BASE_URL=base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def pass_second_factor(page) -> None:
    """On the second step of staff sign-in, type the code of the phone that `make_staff`
    enrolled (tests.portal.helpers.TOTP_SECRET): the next step's, which the one-step window
    takes and no earlier sign-in of the test can have used. Elsewhere, do nothing."""
    if "/segundo-factor/verificar" not in page.url:
        return
    import pyotp

    from tests.portal.helpers import TOTP_SECRET

    totp = pyotp.TOTP(TOTP_SECRET)
    page.get_by_label("Código de verificación").fill(
        totp.generate_otp(totp.timecode(time.time()) + 1)
    )
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_load_state()


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")
