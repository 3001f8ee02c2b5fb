"""Real processes for tests: a private redis-server the test may kill, gunicorn app servers,
and a small browser (cookies + CSRF token) that talks HTTP to them."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not start in {timeout} s")


@contextmanager
def private_redis():
    """A redis-server of our own on a free port, no persistence; yields (url, process).

    Never the shared server on 6379: the test may kill this one.
    """
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: install the Debian package redis-server"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    try:
        _wait_for(up, "redis-server")
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 1, log_path: Path):
    """Serve wsgi:app with gunicorn on a free port; yields its base URL."""
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(ROOT),
        "wsgi:app",
    ]
    base = f"http://127.0.0.1:{port}"
    with log_path.open("a") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:

            def up() -> bool:
                try:
                    urllib.request.urlopen(base + "/", timeout=1).close()
                    return True
                except (urllib.error.URLError, OSError):
                    return False

            _wait_for(up, "gunicorn", timeout=60)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Browser:
    """Cookies and CSRF tokens over real HTTP; answers are (status, headers, text)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, url: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def post_form(self, page_url: str, data: dict, *, post_url: str | None = None, **kwargs):
        """GET the form's page for a CSRF token, then POST the data with it."""
        _status, _headers, page = self.request(page_url, **kwargs)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        return self.request(post_url or page_url, {**data, "csrf_token": token}, **kwargs)
