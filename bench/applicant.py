"""Benchmark the applicant's pages on PostgreSQL: 10,000 applicants and 100,000 cases.

Run: DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ventanilla_bench \
     .venv/bin/python bench/applicant.py [--applicants 10000] [--cases 100000] [--requests 400]

The database named by DATABASE_URL is dropped and created anew. The script seeds the demo,
files one case of each seeded procedure through the services (so every column a filed case
has is real), then clones them in SQL into `--cases` filed cases spread over `--applicants`
accounts, the demo applicant holding `--mine` of them (300). It starts gunicorn with 2 workers
and measures, with `--concurrency` (8) clients, p50/p95 latency and throughput of:

- the floor: a bare page of the same app answering one indexed query (a route this script adds
  to its own app object, never to the product);
- the catalogue with a search (`/tramites/?q=construccion`), a procedure sheet;
- the dashboard of the applicant with 300 cases (its first page and a page deep in the list);
- a case page of that applicant;

and prints each page's ratio to the floor, and the workers' resident memory. Never part of the
test suite.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from bench.pages import measure, opener, rss_mib, serve, sign_in  # noqa: E402

DEMO_APPLICANT = "solicitante@demo.ventanilla.sv"


def bench_app():
    """The portal's app with one extra bare page: one indexed query, no template (the floor)."""
    import sqlalchemy as sa

    from portal import create_app, permissions
    from portal.extensions import db

    app = create_app()

    @app.get("/bench/floor/<int:user_id>")
    def bench_floor(user_id: int):
        found = db.session.execute(
            sa.text("SELECT id FROM applications WHERE applicant_id = :u ORDER BY id LIMIT 1"),
            {"u": user_id},
        ).scalar()
        return f"{found}\n"

    permissions.ROUTES["bench_floor"] = permissions.Rule(permissions.PUBLIC)
    return app


def recreate_database(url: str) -> None:
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def file_templates() -> None:
    """File one calificación de lugar through the services: the case the clones copy."""
    from bench.pages import file_cases

    file_cases(1)


def clone(applicants: int, cases: int, mine: int) -> dict:
    """Create `applicants` accounts and `cases` filed cases (`mine` of the demo applicant's)."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        conn = db.session.connection()

        def columns(table: str, skip: set[str]) -> list[str]:
            names = conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = :t ORDER BY ordinal_position"
                ),
                {"t": table},
            ).scalars()
            return [n for n in names if n not in skip]

        demo = conn.execute(
            sa.text("SELECT id FROM users WHERE email = :e"), {"e": DEMO_APPLICANT}
        ).scalar_one()
        user_cols = columns("users", {"id", "email", "full_name"})
        conn.execute(
            sa.text(
                # Column names come from information_schema, not from input.
                f"INSERT INTO users (email, full_name, {', '.join(user_cols)}) "  # noqa: S608
                f"SELECT 'persona' || n || '@bench.example', 'Persona ' || n, "
                f"{', '.join(user_cols)} FROM users, generate_series(1, :k) AS n "
                "WHERE users.id = :demo"
            ),
            {"k": applicants - 1, "demo": demo},
        )
        template = conn.execute(
            sa.text("SELECT id FROM applications WHERE tracking_number IS NOT NULL LIMIT 1")
        ).scalar_one()
        skip = {"id", "applicant_id", "start_token", "tracking_number"}
        app_cols = columns("applications", skip)
        # The demo applicant gets `mine` cases; the rest go round the other accounts.
        conn.execute(
            sa.text(
                f"INSERT INTO applications (applicant_id, start_token, tracking_number, "  # noqa: S608
                f"{', '.join(app_cols)}) "
                "SELECT CASE WHEN n <= :mine THEN :demo ELSE "
                "  (SELECT min(id) FROM users WHERE email LIKE '%@bench.example') "
                "  + ((n - :mine) % (:k - 1)) END, "
                "'bench-' || n, 'BENCH-' || lpad(n::text, 7, '0'), "
                f"{', '.join(app_cols)} FROM applications, generate_series(1, :cases) AS n "
                "WHERE applications.id = :template"
            ),
            {
                "mine": mine - 1,
                "demo": demo,
                "k": applicants,
                "cases": cases - 1,
                "template": template,
            },
        )
        history_cols = columns("history_entries", {"id", "application_id"})
        conn.execute(
            sa.text(
                f"INSERT INTO history_entries (application_id, {', '.join(history_cols)}) "  # noqa: S608
                f"SELECT a.id, {', '.join('h.' + c for c in history_cols)} "
                "FROM applications a JOIN history_entries h ON h.application_id = :template "
                "WHERE a.tracking_number LIKE 'BENCH-%'"
            ),
            {"template": template},
        )
        db.session.commit()
        conn = db.session.connection()
        conn.execute(sa.text("ANALYZE"))
        counts = {
            "applicants": conn.execute(
                sa.text("SELECT count(*) FROM users WHERE role = 'applicant'")
            ).scalar(),
            "cases": conn.execute(sa.text("SELECT count(*) FROM applications")).scalar(),
            "mine": conn.execute(
                sa.text("SELECT count(*) FROM applications WHERE applicant_id = :d"), {"d": demo}
            ).scalar(),
            "demo_id": demo,
            "a_case": conn.execute(
                sa.text("SELECT max(id) FROM applications WHERE applicant_id = :d"), {"d": demo}
            ).scalar(),
        }
        db.session.commit()
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--mine", type=int, default=300)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the template case's PDF and e-mail log every step
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (it is dropped and created)")
    instance = tempfile.mkdtemp(prefix="bench-applicant-")
    os.environ.update(INSTANCE_PATH=instance, PYTHONPATH=str(ROOT))
    env = dict(os.environ)
    recreate_database(url)
    for command in (
        [BIN / "alembic", "upgrade", "head"],
        [BIN / "flask", "--app", "wsgi", "seed", "--demo"],
    ):
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    file_templates()
    counts = clone(args.applicants, args.cases, args.mine)
    print(
        f"PostgreSQL: {counts['applicants']:,} applicants, {counts['cases']:,} cases "
        f"({counts['mine']} of the demo applicant), built in {time.perf_counter() - started:.0f} s"
    )
    with serve("bench.applicant:bench_app()", env) as (base, server):
        applicant = sign_in(base, DEMO_APPLICANT)
        first = applicant.open(f"{base}/solicitudes/").read().decode()
        deeper = re.findall(r'href="(/solicitudes/\?[^"]*(?:despues|after|cursor)[^"]*)"', first)
        pages = [
            ("floor: one indexed query", opener(), f"/bench/floor/{counts['demo_id']}"),
            ("catalogue, search 'construccion'", opener(), "/tramites/?q=construccion"),
            ("procedure sheet", opener(), "/tramites/OPAMSS/calificacion-lugar"),
            (f"dashboard, {counts['mine']} cases, page 1", applicant, "/solicitudes/"),
        ]
        if deeper:
            pages.append(("dashboard, next page", applicant, deeper[-1].replace("&amp;", "&")))
        pages.append(("case page", applicant, f"/solicitudes/{counts['a_case']}"))
        print(f"gunicorn 2 workers, {args.concurrency} clients, {args.requests} requests per page")
        print(f"{'page':<36}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'p50 ×':>8}{'req/s ×':>9}")
        floor = None
        for name, client, path in pages:
            result = measure(client, base + path, args.requests, args.concurrency)
            floor = floor or result
            print(
                f"{name:<36}{result['p50']:>9.1f}{result['p95']:>9.1f}{result['rps']:>9.0f}"
                f"{result['p50'] / floor['p50']:>8.1f}{result['rps'] / floor['rps']:>9.2f}"
            )
        print(f"gunicorn workers' resident memory: {rss_mib(server.pid):.0f} MiB (2 workers)")


if __name__ == "__main__":
    main()
