"""Benchmark the staff queue on PostgreSQL at 10,000, 100,000 and 1,000,000 cases.

Run: DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ventanilla_bench_queue \
     .venv/bin/python bench/queue.py [--sizes 10000,100000,1000000] [--active 2000] \
     [--requests 200] [--concurrency 4,8]

For each size the database named by DATABASE_URL is dropped and created anew, migrated and
seeded with the demo; one case is filed through the services (so every column a filed case has
is real) and cloned in SQL (INSERT ... SELECT generate_series) into `size` cases over the 12
seeded procedures: `--active` open cases (default 2,000: an office's backlog is its throughput
times its processing time, not a share of its whole history) spread over every non-final state
of each procedure, with due dates from 20 days ago to 40 days ahead, a third unassigned and the
rest over five clerks, and every other case decided (a final state, filed over ten years). Open
cases are located in the 14 districts. Then gunicorn runs the portal with 2 workers and, at
each concurrency, the script measures p50/p95 latency and throughput of the OPAMSS clerk's:

- the floor, "the bare one-indexed-query page of the same app" (issue 9): a page this script
  adds to its own app object (never to the portal), asked by the same signed-in clerk, so it
  pays what every staff page of the app pays and nothing more: the session row and user
  (Flask-Login's loader), the second-factor and permission hooks, the CSRF token, the layout
  (templates/base.html: header, navigation, phase banner) around one indexed query's answer.
  A floor without the session and the layout would compare the queue with a page no signed-in
  person is ever served; it is still measured as a reference ("bare, no session or layout":
  the same query as plain text, signed out) and never used for the ratios;
- the queue's first page (`/bandeja/`), a page deep in it (a cursor 90% down the list), a
  filtered page (one procedure, overdue) and the counts alone (a bench route
  calling `portal.review.queues.counts_for`, the counts every queue page shows);

then prints `EXPLAIN ANALYZE` of each statement of those pages, the workers' peak resident
memory, and at the end, per page and concurrency, the ratio of the largest size's p50 to the
smallest's (target: at most 1.2) and the page's throughput over the floor's at the largest
size (target: at least 0.6). Never part of the test suite; about 4 minutes at 10,000 and
100,000 cases, 8 more at 1,000,000.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this module would shadow
# the standard library's `queue` (which ThreadPoolExecutor imports).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from bench.applicant import recreate_database  # noqa: E402
from bench.pages import file_cases, measure, opener, serve, sign_in  # noqa: E402

CLERK = "tecnico@opamss.demo.ventanilla.sv"
FLOOR = "floor: staff page, one query"
BARE = "bare, no session or layout (ref.)"
#: The floor: a page of the portal's layout whose content is one indexed query's answer.
FLOOR_PAGE = (
    '{% extends "base.html" %}{% block title %}Piso{% endblock %}'
    '{% block content %}<h1 class="govuk-heading-l">Piso</h1>'
    '<p class="govuk-body">{{ found }}</p>{% endblock %}'
)
CLERKS = 5  # the assignees


def bench_app():
    """The portal's app with three bench-only routes: the floor, its bare reference and the
    counts alone."""
    import sqlalchemy as sa
    from flask import render_template_string
    from flask_login import current_user

    from portal import create_app, permissions
    from portal.applications.effects import local_now
    from portal.extensions import db
    from portal.review import queues

    app = create_app()

    def one_indexed_query():
        return db.session.execute(
            sa.text(
                "SELECT id FROM applications WHERE queue_due IS NOT NULL "
                "ORDER BY queue_due, filed_at, id LIMIT 1"
            )
        ).scalar()

    @app.get("/bench/floor")
    def bench_floor():
        return render_template_string(FLOOR_PAGE, found=one_indexed_query())

    @app.get("/bench/bare")
    def bench_bare():
        return f"{one_indexed_query()}\n"

    @app.get("/bench/counts")
    def bench_counts():
        limits = queues.limits_for(current_user, local_now().date())
        counts = queues.counts_for(current_user, "por_atender", limits)
        return f"{counts.total} {sorted(counts.by.get('plazo', {}).items())}\n"

    permissions.ROUTES["bench_floor"] = permissions.Rule(permissions.STAFF)
    permissions.ROUTES["bench_bare"] = permissions.Rule(permissions.PUBLIC)
    permissions.ROUTES["bench_counts"] = permissions.Rule(permissions.STAFF)
    return app


def build(size: int, active: int) -> dict:
    """Clone the filed template case into `size` cases (`active` open); return facts to use."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.extensions import db
    from portal.procedures.models import ProcedureVersion
    from portal.procedures.services import definition_of

    app = create_app()
    with app.app_context():
        conn = db.session.connection()
        template = conn.execute(
            sa.text("SELECT id FROM applications WHERE tracking_number IS NOT NULL LIMIT 1")
        ).scalar_one()
        clerk = conn.execute(
            sa.text("SELECT id FROM users WHERE email = :e"), {"e": CLERK}
        ).scalar_one()
        user_cols = [
            c
            for c in conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'users' ORDER BY ordinal_position"
                )
            ).scalars()
            if c not in ("id", "email", "full_name")
        ]
        conn.execute(
            sa.text(
                f"INSERT INTO users (email, full_name, {', '.join(user_cols)}) "  # noqa: S608
                "SELECT 'tecnico' || n || '@bench.example', 'Técnico ' || n, "
                f"{', '.join(user_cols)} FROM users, generate_series(2, :k) AS n "
                "WHERE users.id = :clerk"
            ),
            {"k": CLERKS, "clerk": clerk},
        )
        staff = [
            clerk,
            *conn.execute(
                sa.text(
                    "SELECT id FROM users WHERE email LIKE 'tecnico%@bench.example' ORDER BY id"
                )
            ).scalars(),
        ]
        districts = list(
            conn.execute(sa.text("SELECT id FROM authorities WHERE kind = 'distrito'")).scalars()
        )
        versions = db.session.scalars(
            sa.select(ProcedureVersion).where(ProcedureVersion.status == "published")
        ).all()
        groups = []  # (version, procedure's authority, state, open?)
        for version in versions:
            definition = definition_of(version)
            authority = version.procedure.authority_id
            for state in definition.states:
                if state.kind != "draft":
                    groups.append((version, authority, state, not state.is_final))
        open_groups = [g for g in groups if g[3]]
        closed_groups = [g for g in groups if not g[3]]
        columns = [
            c
            for c in conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'applications' ORDER BY ordinal_position"
                )
            ).scalars()
            if c != "id"
        ]
        staff_array = f"ARRAY[{','.join(str(int(s)) for s in staff)}]"
        district_array = f"ARRAY[{','.join(str(int(d)) for d in districts)}]"
        done = 0
        for index, (version, authority, state, is_open) in enumerate(open_groups + closed_groups):
            pool = open_groups if is_open else closed_groups
            total = active if is_open else size - active
            position = pool.index((version, authority, state, is_open))
            count = total // len(pool) + (1 if position < total % len(pool) else 0)
            if count <= 0:
                continue
            roles = f",{','.join(state.roles)}," if state.roles else None
            due = (
                "current_date - 20 + ((n * 7) % 60)"
                if is_open and state.business_days
                else ("DATE '9999-12-31'" if is_open else "NULL")
            )
            override = {
                "procedure_id": str(int(version.procedure_id)),
                "procedure_version_id": str(int(version.id)),
                "authority_id": str(int(authority)),
                "district_id": f"({district_array})[1 + (n % {len(districts)})]",
                "start_token": f"'bq-{index}-' || n",
                "tracking_number": f"'BQ-{index:03d}-' || lpad(n::text, 7, '0')",
                "state": f"'{state.code}'",
                "filed_at": (
                    "now() - (((n * 37) % 5760) * interval '15 minutes')"
                    if is_open
                    else "now() - interval '70 days' - (((n * 37) % 3650) * interval '1 day')"
                ),
                "state_entered_at": "now() - interval '3 days'",
                "decided_at": "NULL" if is_open else "now() - interval '60 days'",
                "state_due_on": due if due != "DATE '9999-12-31'" else "NULL",
                "due_on": due if is_open and state.business_days else "NULL",
                "next_breach_on": "NULL",
                "notify_by": "NULL",
                "queue_due": due,
                "acting_roles": f"'{roles}'" if (is_open and roles) else "NULL",
                "clock_suspended": "true" if is_open and state.clock == "suspended" else "false",
                "assignee_id": (
                    f"CASE WHEN n % 3 = 0 THEN NULL "
                    f"ELSE ({staff_array})[1 + (n % {len(staff)})] END"
                    if is_open
                    else f"({staff_array})[1 + (n % {len(staff)})]"
                ),
                "lock_version": "1",
            }
            values = ", ".join(override.get(c, f"t.{c}") for c in columns)
            conn.execute(
                sa.text(
                    f"INSERT INTO applications ({', '.join(columns)}) "  # noqa: S608
                    f"SELECT {values} FROM applications t, generate_series(1, :count) AS n "
                    "WHERE t.id = :template"
                ),
                {"count": count, "template": template},
            )
            done += count
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.exec_driver_sql("VACUUM ANALYZE applications")
        conn = db.session.connection()
        opamss = conn.execute(
            sa.text("SELECT authority_id FROM users WHERE id = :c"), {"c": clerk}
        ).scalar_one()
        facts = {
            "cases": conn.execute(sa.text("SELECT count(*) FROM applications")).scalar(),
            "open": conn.execute(
                sa.text("SELECT count(*) FROM applications WHERE queue_due IS NOT NULL")
            ).scalar(),
            "clerk_open": conn.execute(
                sa.text(
                    "SELECT count(*) FROM applications WHERE queue_due IS NOT NULL "
                    "AND authority_id = (SELECT authority_id FROM users WHERE id = :c) "
                    "AND acting_roles LIKE '%,clerk,%'"
                ),
                {"c": clerk},
            ).scalar(),
            # An OPAMSS procedure the clerk works (the filtered page shows its overdue cases).
            "procedure": next(
                v.procedure_id
                for v, authority, state, _open in open_groups
                if "clerk" in state.roles and authority == opamss
            ),
        }
        return facts


def deep_cursor(fraction: float = 0.9) -> str:
    """The clerk's queue cursor `fraction` of the way down (as following `Siguientes` gives)."""
    import sqlalchemy as sa

    from portal import create_app
    from portal.accounts.models import User
    from portal.applications.effects import local_now
    from portal.applications.models import Application
    from portal.extensions import db
    from portal.review import queues

    app = create_app()
    with app.app_context():
        clerk = db.session.scalar(sa.select(User).where(User.email == CLERK))
        where = queues._base(clerk, "por_atender")
        total = db.session.scalar(sa.select(sa.func.count()).where(*where))
        row = db.session.scalar(
            sa.select(Application)
            .where(*where)
            .order_by(Application.queue_due, Application.filed_at, Application.id)
            .offset(int(total * fraction))
            .limit(1)
        )
        assert row is not None and queues.limits_for(clerk, local_now().date())
        return queues.encode_cursor(row)


def explain(paths: dict[str, str]) -> None:
    """EXPLAIN ANALYZE every statement the queue pages send (captured from a test client):
    the ones that read cases (`queue_due`) in full, the small reads of the request (session,
    calendar, authority tree, the filters' labels) by their plan's top lines."""
    import sqlalchemy as sa

    from portal.extensions import db

    app = bench_app()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    client = app.test_client()
    client.post("/cuenta/entrar", data={"email": CLERK, "password": "demo-ventanilla-2026"})
    with app.app_context():
        captured = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().startswith(("SELECT", "WITH")):
                captured.append((statement, parameters))

        for name, path in paths.items():
            captured.clear()

            sa.event.listen(db.engine, "before_cursor_execute", capture)
            try:
                response = client.get(path)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", capture)
            print(f"\n--- {name}: {path} (HTTP {response.status_code})")
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in captured:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
                    plan = [line for (line,) in cursor.fetchall()]
                    if "queue_due" not in statement:
                        read = " ".join(statement.split())
                        read = read[read.find(" FROM ") + 6 :][:60]
                        timing = [line for line in plan if line.startswith("Execution")]
                        print(f"(small read: {read}…) {plan[0].strip()}; {timing[0]}")
                        continue
                    print("\n".join(plan))
                    print()
            finally:
                raw.close()


def peak_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of the gunicorn workers, summed."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    total = 0
    for child in children.split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def run_size(size: int, args, url: str, env: dict) -> dict:
    recreate_database(url)
    for command in (
        [BIN / "alembic", "upgrade", "head"],
        [BIN / "flask", "--app", "wsgi", "seed", "--demo"],
    ):
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    file_cases(1)
    facts = build(size, min(args.active, size))
    cursor = deep_cursor()
    print(
        f"\n=== {facts['cases']:,} cases, {facts['open']:,} open "
        f"({facts['clerk_open']:,} in the OPAMSS clerk's queue), "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    pages = {
        FLOOR: "/bench/floor",
        BARE: "/bench/bare",
        "queue, first page": "/bandeja/",
        "queue, deep page (cursor 90% in)": f"/bandeja/?despues={cursor}",
        "queue, filtered page": (f"/bandeja/?tramite={facts['procedure']}&plazo=vencido"),
        "queue counts": "/bench/counts",
    }
    results = {}
    with serve("bench.queue:bench_app()", env) as (base, server):
        clerk = sign_in(base, CLERK)
        for concurrency in args.concurrency:
            print(f"gunicorn 2 workers, {concurrency} clients, {args.requests} requests per page")
            print(f"{'page':<36}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'req/s ×':>9}")
            floor = None
            for name, path in pages.items():
                client = opener() if path == "/bench/bare" else clerk
                result = measure(client, base + path, args.requests, concurrency)
                floor = floor or result
                results[(name, concurrency)] = result
                print(
                    f"{name:<36}{result['p50']:>9.1f}{result['p95']:>9.1f}{result['rps']:>9.0f}"
                    f"{result['rps'] / floor['rps']:>9.2f}"
                )
        print(f"gunicorn workers' peak resident memory: {peak_mib(server.pid):.0f} MiB (2 workers)")
    if args.explain:
        explain({k: v for k, v in pages.items() if k not in (FLOOR, BARE)})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--active", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", default="4,8")
    parser.add_argument("--no-explain", dest="explain", action="store_false")
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    logging.disable(logging.INFO)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (it is dropped and created)")
    instance = tempfile.mkdtemp(prefix="bench-queue-")
    os.environ.update(INSTANCE_PATH=instance, PYTHONPATH=str(ROOT))
    env = dict(os.environ)
    by_size = {size: run_size(size, args, url, env) for size in sizes}
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print(
            f"\n=== p50 at {large:,} cases over p50 at {small:,} (target ≤ 1.2); "
            f"throughput over the floor's at {large:,} (target ≥ 0.6)"
        )
        print(f"{'page':<36}{'clients':>8}{'p50 ratio':>11}{'× floor':>9}")
        for (name, concurrency), result in by_size[large].items():
            floor = by_size[large][(FLOOR, concurrency)]
            ratio = result["p50"] / by_size[small][(name, concurrency)]["p50"]
            print(f"{name:<36}{concurrency:>8}{ratio:>11.2f}{result['rps'] / floor['rps']:>9.2f}")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench script peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
