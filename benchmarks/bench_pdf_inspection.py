"""Benchmark: what reading a certificate PDF in the sandbox costs (signing.pdf_inspection).

The public verification page and `academy certificate verify` read the PDF in a fresh
bubblewrap process (as the sandbox account when run as root); the baseline, in the same
run, is the same inspection in this process, as it was before. A real certificate-sized
PDF signed by a fresh academy identity (timestamped), N rounds each, interleaved.
Prints medians as Markdown.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_pdf_inspection.py [N]
"""

from __future__ import annotations

import datetime as dt
import platform as machine
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sandbox_eoffice.official_pdf import FONT_DIR, OfficialDocumentLayout, render_official_document
from signing.academy_identity import academy_trust, load_identity, sign_with_identity
from signing.pdf_inspection import inspect_pdf, inspect_pdf_isolated


def main(rounds: int) -> None:
    now = dt.datetime.now(dt.UTC)
    pki_dir = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    identity = load_identity(pki_dir, now)
    pdf = render_official_document(OfficialDocumentLayout(
        agency="Học viện Công vụ số", superior_agency=None, number_symbol="12/GCN-HV",
        place="Phú Thọ", issued_on=None, document_type="Giấy chứng nhận",
        summary="Hoàn thành khóa học Chữ ký số", body="Chứng nhận ông Nguyễn Văn An.",
        signer_name="Lê Minh Tuấn", signer_title="Giám đốc"))
    signed = sign_with_identity(pdf, identity, holder="Học viện Công vụ số", placement=None,
                                font_file=FONT_DIR / "LiberationSerif-Regular.ttf",
                                reason="benchmark", now=now)
    trust = academy_trust(pki_dir, now)
    times: dict[str, list[float]] = {"in this process (baseline)": [], "in the sandbox": []}
    inspect_pdf_isolated(signed, trust, now)  # the page cache warm for both
    for _ in range(rounds):
        for name, inspect in (("in this process (baseline)", inspect_pdf),
                              ("in the sandbox", inspect_pdf_isolated)):
            start = time.perf_counter()
            assert inspect(signed, trust, now).all_passed
            times[name].append(time.perf_counter() - start)
    baseline = statistics.median(times["in this process (baseline)"])
    print(f"{machine.node()} {machine.python_version()} {len(signed)} bytes, {rounds} rounds\n")
    print("| reading one certificate PDF | median | ratio |\n|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1000:.0f} ms | {median / baseline:.1f}× |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
