"""Benchmark the portal over HTTP: real gunicorn workers on loopback, pages a person opens.

Run: .venv/bin/python bench/pages.py [--requests 300] [--cases 300] [--concurrency 4]

Builds a throwaway embedded install (SQLite unless DATABASE_URL is set), files `--cases`
applications, starts gunicorn with 2 workers, and prints p50/p95 latency and throughput per
page, against a floor measured in the same run: /healthz (one SELECT 1, no template). It also
prints the resident memory of the workers at the end. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "demo-ventanilla-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def file_cases(count: int) -> None:
    """File `count` applications through the services, as the demo applicant."""
    sys.path.insert(0, str(ROOT))
    from portal import create_app
    from portal.accounts.services import get_user_by_email
    from portal.applications.services import Upload, save_application, start_application
    from portal.procedures.services import get_procedure
    from tests.portal.helpers import VALID_FIELDS, pdf_bytes

    app = create_app()
    with app.app_context():
        applicant = get_user_by_email("solicitante@demo.ventanilla.sv")
        procedure = get_procedure("OPAMSS", "calificacion-lugar")
        data = {k.removeprefix("f_"): v for k, v in VALID_FIELDS.items()}
        pdf = pdf_bytes()
        for n in range(count):
            application = start_application(actor=applicant, procedure=procedure, token=f"b{n:08d}")
            save_application(
                actor=applicant,
                application=application,
                data=data,
                submit=True,
                uploads={
                    "escritura": Upload("e.pdf", pdf),
                    "plano_topografico": Upload("p.pdf", pdf),
                },
            )


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def sign_in(base: str, email: str) -> urllib.request.OpenerDirector:
    client = opener()
    page = client.open(f"{base}/cuenta/entrar").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    client.open(f"{base}/cuenta/entrar", data=body.encode()).read()
    return client


def measure(client, url: str, requests: int, concurrency: int, headers=None) -> dict:
    def one(_):
        request = urllib.request.Request(url, headers=headers or {})
        started = time.perf_counter()
        with client.open(request) as response:
            response.read()
            assert response.status == 200, response.status
        return time.perf_counter() - started

    for _ in range(10):  # warm-up
        one(None)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    return {
        "p50": statistics.median(times) * 1000,
        "p95": times[int(len(times) * 0.95) - 1] * 1000,
        "rps": requests / wall,
    }


@contextmanager
def serve(app: str, env: dict):
    """Run gunicorn with 2 workers on a free loopback port until the block ends.

    Yields:
        (base URL, the gunicorn master process), once /healthz answers.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/healthz").read()
                break
            except OSError:
                time.sleep(0.1)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def rss_mib(pid: int) -> float:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    total = 0
    for child in children.split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-http-")
    env = dict(os.environ, INSTANCE_PATH=instance, PYTHONPATH=str(ROOT))
    os.environ.update(INSTANCE_PATH=instance)
    subprocess.run(
        [BIN / "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [BIN / "flask", "--app", "wsgi", "seed", "--demo"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    file_cases(args.cases)
    filing = (time.perf_counter() - started) / args.cases * 1000
    with serve("wsgi:app", env) as (base, server):
        applicant = sign_in(base, "solicitante@demo.ventanilla.sv")
        clerk = sign_in(base, "tecnico@opamss.demo.ventanilla.sv")
        simdet = {"Authorization": "Bearer demo-simdet-token-no-usar-en-produccion"}
        pages = [
            ("floor: /healthz", opener(), "/healthz", None),
            ("catalogue", opener(), "/tramites/", None),
            ("procedure sheet + diagram", opener(), "/tramites/OPAMSS/calificacion-lugar", None),
            ("applicant status page", applicant, "/solicitudes/1", None),
            (f"my applications ({args.cases})", applicant, "/solicitudes/", None),
            (f"clerk queue ({args.cases} cases)", clerk, "/bandeja/", None),
            ("clerk case page (audited read)", clerk, "/bandeja/1", None),
            ("SIMDET feed, 100 events", opener(), "/api/simdet/v1/events?limit=100", simdet),
        ]
        print(
            f"filing through the services: {filing:.1f} ms per application "
            f"({'PostgreSQL' if 'postgresql' in os.environ.get('DATABASE_URL', '') else 'SQLite'}, "
            "in-process receipt PDF and e-mail)"
        )
        print(f"{'page':<32}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'× floor':>9}")
        floor = None
        for name, client, path, headers in pages:
            result = measure(client, base + path, args.requests, args.concurrency, headers)
            floor = floor or result["p50"]
            print(
                f"{name:<32}{result['p50']:>9.1f}{result['p95']:>9.1f}{result['rps']:>9.0f}"
                f"{result['p50'] / floor:>9.1f}"
            )
        print(f"gunicorn workers' resident memory: {rss_mib(server.pid):.0f} MiB (2 workers)")


if __name__ == "__main__":
    main()
