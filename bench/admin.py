"""Benchmark the admin console's procedures list on PostgreSQL at 10,000, 100,000 and
1,000,000 cases.

Run: DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ventanilla_bench_admin \
     .venv/bin/python bench/admin.py [--sizes 10000,100000,1000000] [--requests 100] \
     [--concurrency 4]

Each size is built as `bench/queue.py` builds it (the database is dropped and created, migrated,
seeded with the demo, one filed case cloned in SQL into `size` cases over the 12 procedures).
Then gunicorn serves the portal with 2 workers and the OPAMSS admin (signed in with the demo's
second factor) asks, at the given concurrency:

- the floor: `bench/queue.py`'s staff page of the portal's layout whose content is one indexed
  query's answer (the session, the hooks and the layout every admin page pays, nothing more);
- `/admin/tramites/`: every procedure with its versions and the number of cases filed on each
  (one grouped count over all cases, the only statement that grows with their number);
- a version page and the publish page of a draft (the diff and the validator's problems).

It prints p50/p95 and throughput per page, their ratio to the floor, the workers' peak memory,
and `EXPLAIN ANALYZE` of the count. Never part of the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from bench.applicant import recreate_database  # noqa: E402
from bench.pages import PASSWORD, file_cases, measure, opener, serve  # noqa: E402
from bench.queue import build, peak_mib  # noqa: E402

ADMIN = "admin@opamss.demo.ventanilla.sv"
DEMO_TOTP = "DEMOVENTANILLAAMSSDEMOVENTANILLA"
COUNT_SQL = (
    "SELECT procedure_version_id, count(id) FROM applications "
    "WHERE filed_at IS NOT NULL AND is_test IS false GROUP BY procedure_version_id"
)


def sign_in_admin(base: str):
    """The demo admin's session: password, then the demo authenticator's code."""
    import pyotp

    client = opener()

    def post(path: str, fields: dict) -> str:
        page = client.open(base + path).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        with client.open(base + path, data=body) as response:
            return response.geturl()

    landed = post("/cuenta/entrar", {"email": ADMIN, "password": PASSWORD})
    if "segundo-factor/verificar" in landed:
        post("/cuenta/segundo-factor/verificar", {"code": pyotp.TOTP(DEMO_TOTP).now()})
    return client


def draft_paths(url: str) -> dict[str, str]:
    """Make a draft of the first OPAMSS procedure (as the console does) and name its pages."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.accounts.models import User
    from portal.admin.draft_services import clone_to_draft
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion

    app = create_app()
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN))
        published = db.session.scalar(
            sa.select(ProcedureVersion)
            .where(ProcedureVersion.status == "published")
            .order_by(ProcedureVersion.id)
        )
        draft = clone_to_draft(admin, published.procedure_id, published.version)
        base = f"/admin/tramites/{draft.procedure_id}/versiones"
        return {
            "version page (published)": f"{base}/{published.version}",
            "publish page of a draft": f"{base}/{draft.version}/publicar",
        }


def explain_count(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        plan = conn.execute(sa.text(f"EXPLAIN ANALYZE {COUNT_SQL}")).scalars().all()
    engine.dispose()
    print("EXPLAIN ANALYZE of the cases-per-version count:")
    for line in plan:
        print("   ", line)


def run_size(size: int, args, url: str, env: dict) -> None:
    recreate_database(url)
    for command in (
        [BIN / "alembic", "upgrade", "head"],
        [BIN / "flask", "--app", "wsgi", "seed", "--demo"],
    ):
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    file_cases(1)
    facts = build(size, min(2000, size))
    print(f"\n=== {facts['cases']:,} cases, built in {time.perf_counter() - started:.0f} s")
    pages = {"floor: staff page, one query": "/bench/floor", "procedures list": "/admin/tramites/"}
    pages.update(draft_paths(url))
    with serve("bench.queue:bench_app()", env) as (base, server):
        admin = sign_in_admin(base)
        print(f"gunicorn 2 workers, {args.concurrency} clients, {args.requests} requests per page")
        print(f"{'page':<32}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'× floor':>9}")
        floor = None
        for name, path in pages.items():
            result = measure(admin, base + path, args.requests, args.concurrency)
            floor = floor or result
            print(
                f"{name:<32}{result['p50']:>9.1f}{result['p95']:>9.1f}{result['rps']:>9.0f}"
                f"{result['p50'] / floor['p50']:>9.2f}"
            )
        print(f"gunicorn workers' peak resident memory: {peak_mib(server.pid):.0f} MiB (2 workers)")
    explain_count(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (it is dropped and created)")
    instance = tempfile.mkdtemp(prefix="bench-admin-")
    os.environ.update(INSTANCE_PATH=instance, PYTHONPATH=str(ROOT))
    env = dict(os.environ)
    for size in (int(s) for s in args.sizes.split(",")):
        run_size(size, args, url, env)


if __name__ == "__main__":
    main()
