"""Benchmark: from a click on a module to its first interactive question, on a warm server.

Starts a real platform (`academy up`, isolated mode, as root) on a fresh data directory,
logs a learner in with Debian's Chromium (Playwright), opens the module once from My
learning (nbgrader fetches it; the server and Voila are then warm), then opens the module
page N times. Each time is measured from the navigation's start to the moment the first
question's first option can be clicked (visible and enabled: the kernel has run the cell
and the widget is live). Baseline, same run, same server: a notebook with one markdown
cell and one ipywidgets radio button group, rendered by the same Voila. Prints medians and
p95 as Markdown.

Usage (as root): PYTHONPATH=. .venv/bin/python benchmarks/bench_module_open.py [N] [MODULE]
(MODULE: course/module, default digital-signatures/ds01-what-a-signature-proves)
"""

from __future__ import annotations

import os
import platform as machine
import pwd
import statistics
import sys
import time
from pathlib import Path

import nbformat
from playwright.sync_api import Page, sync_playwright

from course_kit.catalog import load_course
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.journey import log_in
from tests.e2e.platform_process import REPO, new_data_dir, start_platform

LEARNER = "learner2"
FIRST_OPTION = ".ck-question input[type=radio], .ck-question input[type=checkbox]"
BASELINE_OPTION = ".widget-radio-box input[type=radio]"


def _baseline_notebook(path: Path, owner: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Baseline\n\nOne question, no kit."),
        nbformat.v4.new_code_cell(
            "import ipywidgets as w\n"
            "w.RadioButtons(options=['a', 'b', 'c'], value=None, description='?')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    account = pwd.getpwnam(owner)
    os.chown(path, account.pw_uid, account.pw_gid)


def _time_to_first_option(page: Page, url: str, selector: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(selector).first.wait_for(state="visible", timeout=120_000)
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && !i.disabled; }",
        arg=selector, timeout=120_000)
    return time.perf_counter() - start


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main(n: int = 20, module_ref: str = "digital-signatures/ds01-what-a-signature-proves"
         ) -> None:
    course_id, module_id = module_ref.split("/")
    course = load_course(REPO / "courses" / course_id / "course.toml")
    module = next(m for m in course.modules if m.id == module_id)
    data_dir = new_data_dir()
    platform = start_platform(data_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = log_in(browser, platform, LEARNER)
            row = page.locator(f"li.module[data-module='{module_id}']")
            row.locator("[data-action=start], [data-action=open]").first.click()
            page.wait_for_url("**/voila/render/**", timeout=120_000)
            page.locator(FIRST_OPTION).first.wait_for(state="visible", timeout=120_000)
            base = f"{platform.url}/user/{LEARNER}/voila/render"
            module_url = f"{base}/{course_id}/{module_id}/{module.notebook}?lang=vi"
            home = platform.layout.home_dir(LEARNER)
            _baseline_notebook(home / "baseline.ipynb", LEARNER)
            baseline_url = f"{base}/baseline.ipynb"
            _time_to_first_option(page, baseline_url, BASELINE_OPTION)  # warm-up
            module_times, baseline_times = [], []
            for _ in range(n):  # interleaved: both see the same machine's noise
                baseline_times.append(_time_to_first_option(page, baseline_url,
                                                            BASELINE_OPTION))
                module_times.append(_time_to_first_option(page, module_url, FIRST_OPTION))
            browser.close()
    finally:
        platform.stop()
    print(f"Machine: {os.cpu_count()} cores, {machine.platform()}, Python "
          f"{sys.version.split()[0]}; {n} opens each, interleaved\n")
    print("| page | median | p95 | max | median ratio to baseline |")
    print("|---|---|---|---|---|")
    base_median = statistics.median(baseline_times)
    for name, values in ((f"module {module_ref}", module_times),
                         ("baseline: one radio group", baseline_times)):
        print(f"| {name} | {statistics.median(values):.2f} s | {_p95(values):.2f} s | "
              f"{max(values):.2f} s | {statistics.median(values) / base_median:.2f}× |")


if __name__ == "__main__":
    main(*(int(a) if a.isdigit() else a for a in sys.argv[1:]))
