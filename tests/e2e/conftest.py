"""A live server (and, with Redis, a real rq worker) for the browser tests."""

from __future__ import annotations

import functools
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


#: Reads that do not wait for what they read: each first waits until the page's HTML is parsed.
_READS = {
    "Locator": (
        "count",
        "inner_text",
        "all_inner_texts",
        "text_content",
        "is_visible",
        "is_hidden",
        "is_checked",
        "is_enabled",
    ),
    "Page": ("content", "inner_text", "evaluate", "title"),
}


def _after_parsing(method):
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        page = getattr(self, "page", self)
        page.wait_for_load_state("domcontentloaded")
        return method(self, *args, **kwargs)

    return read


@pytest.fixture(scope="session", autouse=True)
def reads_see_the_whole_page():
    """A test reads what a person sees once a page has arrived, not half of it.

    Playwright's `count()`, `is_visible()`, a page's text and the like answer at once, without
    Playwright's auto-waiting. After a click that loads a page, a test waits for something
    near its top (a flash message); on a busy machine Chromium may still be parsing the rest,
    so a count of the items below came out short (24 of 26 verdicts, CI of stop 16). Each such
    read here first waits for DOMContentLoaded of the current document (the whole HTML parsed
    and the module scripts run), which returns at once when it already happened."""
    from playwright.sync_api import Locator, Page

    with pytest.MonkeyPatch.context() as patch:
        for owner in (Locator, Page):
            for name in _READS[owner.__name__]:
                patch.setattr(owner, name, _after_parsing(getattr(owner, name)))
        yield


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


@pytest.fixture(scope="module")
def _chromium():
    """One Debian Chromium per test module (starting one costs a second or two of CPU).

    Module scope, not session: while Playwright's sync API is open its event loop counts as
    running in this thread, which would break the other tests that pytest-xdist gives the same
    worker; pytest ends a module's fixtures before the next module's tests run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser(_chromium):
    """The module's Chromium; each test's contexts (cookies, storage, pages) end with it."""
    yield _chromium
    for context in list(_chromium.contexts):
        context.close()


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


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the form as a person does, with the tests' password
    (tests.portal.helpers.PASSWORD), and give the second factor when it is asked for."""
    from tests.portal.helpers import PASSWORD

    page.goto(f"{base}/cuenta/entrar")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    pass_second_factor(page)


def click_through(page, target) -> None:
    """Press a button or link that loads another page, and wait for it."""
    with page.expect_navigation():
        target.click()


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")
