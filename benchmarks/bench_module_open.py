"""Benchmark: from a click on "Continue" in My learning to the module's first interactive
question, with the page run ahead (my_learning/module_kernels.py) and without.

Starts a real platform (`academy up`, isolated mode, as root) on a fresh data directory,
logs a learner in with Debian's Chromium (Playwright) and starts the module from My learning
(nbgrader fetches it; the server and Voila are then warm). Then N rounds, each of two
clicks on the module's "Continue" on My learning, each timed from the click to the moment
the first question's first option can be clicked (visible and enabled: the widget is live):

1. **run ahead**: once the learner's server says the module's page has been run ahead
   ("Module page: ready" in the hub's log, the state waited for), the click;
2. **not run ahead**: the notebook's modification time is touched first, so the page run
   ahead is stale and dropped, and Voila runs the module for the click (a fresh kernel),
   as every page view did before run-ahead pages.

The moment the option can be clicked is taken in the page, on every animation frame, with
the page's clock (the same wall clock as the click's).

Both are interleaved on the same server, so they see the same machine's noise. The log is
also read after each click to check which way the page came (a round that did not go the
way meant is counted and reported). Prints medians and p95 as Markdown.

Usage (as root): PYTHONPATH=. .venv/bin/python benchmarks/bench_module_open.py [N] [MODULE]
(MODULE: course/module, default digital-signatures/ds01-what-a-signature-proves)
"""

from __future__ import annotations

import os
import platform as machine
import re
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from course_kit.catalog import load_course
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.journey import log_in
from tests.e2e.platform_process import REPO, new_data_dir, start_platform

LEARNER = "learner2"
FIRST_OPTION = ".ck-question input[type=radio], .ck-question input[type=checkbox]"
CONTINUE = ".next-step.continue a.button.primary"
LOG_TIMEOUT = 120.0  # s: a safety net, not a wait


def _log_after(log: Path, mark: int) -> str:
    return log.read_text(errors="replace")[mark:]


def _wait_for_log(log: Path, pattern: re.Pattern[str], mark: int) -> None:
    deadline = time.monotonic() + LOG_TIMEOUT
    while pattern.search(_log_after(log, mark)) is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"the hub's log never matched {pattern.pattern}")
        time.sleep(0.1)


#: In the page: the moment (ms since the epoch) the first option can be clicked, else false.
#: Polled on every animation frame: Playwright's own waits (locator.wait_for) poll visibility
#: at growing intervals, up to 500 ms apart, which would round the times up by as much.
READY = """s => { const i = document.querySelector(s);
  if (!i || i.disabled || !i.getClientRects().length) return false;
  return performance.timeOrigin + performance.now(); }"""


def _click_to_first_option(page: Page, learning_url: str) -> float:
    page.goto(learning_url)
    link = page.locator(CONTINUE).first
    link.wait_for(state="visible", timeout=120_000)
    clicked = time.time() * 1000  # the page's clock is the same wall clock
    link.click()
    page.wait_for_url("**/voila/render/**", wait_until="commit", timeout=120_000)
    ready = page.wait_for_function(READY, arg=FIRST_OPTION, polling="raf", timeout=120_000)
    return (float(ready.json_value()) - clicked) / 1000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main(n: int = 15, module_ref: str = "digital-signatures/ds01-what-a-signature-proves"
         ) -> None:
    course_id, module_id = module_ref.split("/")
    course = load_course(REPO / "courses" / course_id / "course.toml")
    module = next(m for m in course.modules if m.id == module_id)
    notebook = f"{course_id}/{module_id}/{module.notebook}"
    ready = re.compile(rf"Module page: ready: {re.escape(notebook)} \(lang=vi\)")
    used = re.compile(r"Module page: run ahead in kernel")
    data_dir = new_data_dir()
    platform = start_platform(data_dir)
    log = platform.layout.logs_dir / "hub.log"
    ahead_times: list[float] = []
    fresh_times: list[float] = []
    astray = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = log_in(browser, platform, LEARNER)
            learning_url = page.url
            row = page.locator(f"li.module[data-module='{module_id}']")
            row.locator("[data-action=start], [data-action=open]").first.click()
            page.wait_for_url("**/voila/render/**", timeout=120_000)
            page.locator(FIRST_OPTION).first.wait_for(state="visible", timeout=120_000)
            path = platform.layout.home_dir(LEARNER) / notebook
            mark = 0
            for _ in range(n):
                _wait_for_log(log, ready, mark)
                mark = len(log.read_text(errors="replace"))
                ahead_times.append(_click_to_first_option(page, learning_url))
                astray += used.search(_log_after(log, mark)) is None
                stamp = time.time_ns()
                os.utime(path, ns=(stamp, stamp))  # the page run ahead is now stale
                mark = len(log.read_text(errors="replace"))
                fresh_times.append(_click_to_first_option(page, learning_url))
                astray += used.search(_log_after(log, mark)) is not None
            browser.close()
    finally:
        platform.stop()
    print(f"Machine: {os.cpu_count()} cores, {machine.platform()}, Python "
          f"{sys.version.split()[0]}; {n} clicks each, interleaved; {astray} astray\n")
    print("| module page | median | p95 | max | median ratio to not run ahead |")
    print("|---|---|---|---|---|")
    base_median = statistics.median(fresh_times)
    for name, values in (("run ahead", ahead_times), ("not run ahead", fresh_times)):
        print(f"| {module_ref}, {name} | {statistics.median(values):.2f} s | "
              f"{_p95(values):.2f} s | {max(values):.2f} s | "
              f"{statistics.median(values) / base_median:.2f}× |")


if __name__ == "__main__":
    main(*(int(a) if a.isdigit() else a for a in sys.argv[1:]))
