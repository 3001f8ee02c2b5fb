"""Time certificate PDF renders against a one-line HTML baseline and report peak memory.

Run: .venv/bin/python bench/pdf.py [--renders 20]

Prints, for the same process: the cold cost (importing WeasyPrint plus the first render), then
p50/p95/max over N warm renders of (a) a one-line HTML document through WeasyPrint with the
same fetcher, font configuration and options, and (b) templates/pdf/certificate.html through
portal.pdf.render_pdf (QR code made each time, as a job would), with peak RSS after each
phase, then the RSS growth over 5N more renders. Target (reliability-security-perf.md P4):
one-page certificate p95 <= 0.5 s in a warm worker.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
URL = "https://ventanilla.amss.gob.sv/verificar/7KQ2-M9XD-4TPA"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def timed(function: Callable[[], object], renders: int) -> list[float]:
    times = []
    for _ in range(renders):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def summary(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    return (
        f"{name:<34} p50 {statistics.median(times) * 1000:7.1f} ms   "
        f"p95 {p95 * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms   "
        f"peak RSS {peak_rss_mib():6.1f} MiB   RSS now {current_rss_mib():6.1f} MiB"
    )


def certificate_context(qr_svg_data_uri: Callable[[str], str]) -> dict[str, object]:
    return {
        "authority_name": "Oficina de Planificación del Área Metropolitana de San Salvador",
        "authority_code": "OPAMSS",
        "procedure_title": "Calificación de lugar",
        "tracking_number": "OPAMSS-CL-2026-000123",
        "holder_name": "José Ñúñez Peña",
        "decision_label": "FAVORABLE",
        "decision_comment": "Respetar los retiros.\nArborizar la franja verde.",
        "issued_at": datetime(2026, 11, 22, 16, 15, tzinfo=UTC),
        "district_name": "San Salvador Centro",
        "data_summary": [(f"Dato {i}", f"Valor {i}") for i in range(8)],
        "verification_code": "7KQ2-M9XD-4TPA",
        "verification_url": URL,
        "qr": qr_svg_data_uri(URL),
        "validity_text": "Tres años a partir de la fecha de emisión.",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20)
    renders = parser.parse_args().renders
    sys.path.insert(0, str(REPO))

    from flask import Flask
    from flask_babel import Babel

    from portal import pdf

    app = Flask(
        __name__, template_folder=str(REPO / "templates"), static_folder=str(REPO / "static")
    )
    app.config["BABEL_DEFAULT_LOCALE"] = "es"
    Babel(app)
    static_root = Path(app.static_folder).resolve()
    print(f"Python {sys.version.split()[0]}, {renders} warm renders per case")
    print(f"{'start':<34} peak RSS {peak_rss_mib():6.1f} MiB")

    with app.app_context():
        start = time.perf_counter()
        import weasyprint

        imported = time.perf_counter()
        size = len(pdf.render_pdf("pdf/certificate.html", certificate_context(pdf.qr_svg_data_uri)))
        first = time.perf_counter()
        print(
            f"{'cold: import weasyprint':<34} {(imported - start) * 1000:7.1f} ms; first "
            f"certificate {(first - imported) * 1000:7.1f} ms ({size} bytes); "
            f"peak RSS {peak_rss_mib():6.1f} MiB"
        )

        fetcher = pdf._fetcher_class()

        def baseline() -> bytes:
            html = weasyprint.HTML(
                string="<p>Hola</p>", base_url=str(static_root), url_fetcher=fetcher(static_root)
            )
            return html.write_pdf(font_config=pdf._font_config(), pdf_tags=True)

        def certificate() -> bytes:
            return pdf.render_pdf("pdf/certificate.html", certificate_context(pdf.qr_svg_data_uri))

        baseline()
        baseline_times = timed(baseline, renders)
        print(summary("baseline: one-line HTML", baseline_times))
        certificate_times = timed(certificate, renders)
        print(summary("certificate (render_pdf)", certificate_times))
        ratio = statistics.median(certificate_times) / statistics.median(baseline_times)
        print(f"certificate / baseline (p50): {ratio:.1f}x")

        before = current_rss_mib()
        timed(certificate, renders * 5)
        print(
            f"RSS after {renders * 5} more certificates: {current_rss_mib():.1f} MiB "
            f"({current_rss_mib() - before:+.1f} MiB)"
        )


if __name__ == "__main__":
    main()
