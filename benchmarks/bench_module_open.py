"""Benchmark: from a click on "Continue" in My learning to the module's first interactive
question: with the page run ahead, in a spare kernel, and in a kernel started for the click
(my_learning/module_kernels.py); and, once, the module's first open.

Starts a real platform (`academy up`, isolated mode, as root) on a fresh data directory,
logs a learner in with Debian's Chromium (Playwright) and starts the module from My learning
(nbgrader fetches it; the server and Voila are then warm). Then N rounds, each of three
clicks on the module's "Continue" on My learning, each timed from the click to the moment
the first question's first option can be clicked (visible and enabled: the widget is live):

1. **run ahead**: once the learner's server says the module's page has been run ahead
   ("Module page: ready" in the hub's log, the state waited for), the click;
2. **spare kernel**: once a spare kernel is ready ("Module page: spare kernel K ready"),
   the notebook's modification time is touched, so the page run ahead is stale and dropped,
   and the click: Voila runs the module in the spare kernel, as for a module's first open;
3. **fresh kernel**: once a spare kernel is ready, it is shut down through the kernels API
   (as the learner, in the browser), the notebook is touched, and the click: Voila starts a
   kernel for it, as every page view did before run-ahead pages and spare kernels.

The moment the option can be clicked is taken in the page, on every animation frame, with
the page's clock (the same wall clock as the click's).

All three are interleaved on the same server, so they see the same machine's noise. The log
is also read after each click to check which way the page came (a click that did not go the
way meant is counted and reported). Prints medians and p95 as Markdown.

Usage (as root): PYTHONPATH=. .venv/bin/python benchmarks/bench_module_open.py [N] [MODULE]
(MODULE: course/module, default digital-signatures/ds01-what-a-signature-proves)
"""

from __future__ import annotations

import os
import platform as machine
import pwd
import re
import statistics
import sys
import time
from collections.abc import Callable
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


def _wait_for_log(log: Path, found: Callable[[str], str | None], what: str) -> str:
    deadline = time.monotonic() + LOG_TIMEOUT
    while (value := found(log.read_text(errors="replace"))) is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"the hub's log never said {what}")
        time.sleep(0.05)
    return value


def _waiting_spare(text: str) -> str | None:
    """The id of a spare kernel that is ready and was neither taken nor shut down."""
    waiting = [k for k in re.findall(r"Module page: spare kernel (\S+) ready", text)
               if f"spare kernel {k} for" not in text and f"Kernel shutdown: {k}" not in text]
    return waiting[-1] if waiting else None


#: In the page: the moment (ms since the epoch) the first option can be clicked, else false.
#: Polled on every animation frame: Playwright's own waits (locator.wait_for) poll visibility
#: at growing intervals, up to 500 ms apart, which would round the times up by as much.
READY = """s => { const i = document.querySelector(s);
  if (!i || i.disabled || !i.getClientRects().length) return false;
  return performance.timeOrigin + performance.now(); }"""


def _click_to_first_option(page: Page, learning_url: str, log: Path,
                           before_click: Callable[[], None]) -> tuple[float, int]:
    """The seconds from the click to the first option, and how long the log was at the
    click."""
    page.goto(learning_url)
    link = page.locator(CONTINUE).first
    link.wait_for(state="visible", timeout=120_000)
    before_click()
    mark = len(log.read_text(errors="replace"))
    clicked = time.time() * 1000  # the page's clock is the same wall clock
    link.click()
    page.wait_for_url("**/voila/render/**", wait_until="commit", timeout=120_000)
    ready = page.wait_for_function(READY, arg=FIRST_OPTION, polling="raf", timeout=120_000)
    return (float(ready.json_value()) - clicked) / 1000, mark


def _kernel_memory(uid: int) -> list[tuple[int, int]]:
    """(RSS, PSS) in KiB of each kernel process of the unix account ``uid``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or proc.stat().st_uid != uid:
                continue
            if b"ipykernel" not in (proc / "cmdline").read_bytes():
                continue
            rollup = (proc / "smaps_rollup").read_text()
        except OSError:
            continue
        sizes = dict(re.findall(r"^(Rss|Pss):\s+(\d+) kB", rollup, re.MULTILINE))
        found.append((int(sizes["Rss"]), int(sizes["Pss"])))
    return found


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
    spare_used = re.compile(r"Module page: spare kernel \S+ for ")
    data_dir = new_data_dir()
    platform = start_platform(data_dir)
    log = platform.layout.logs_dir / "hub.log"
    times: dict[str, list[float]] = {"run ahead": [], "spare kernel": [], "fresh kernel": []}
    astray = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = log_in(browser, platform, LEARNER)
            learning_url = page.url
            row = page.locator(f"li.module[data-module='{module_id}']")
            start = row.locator("[data-action=start], [data-action=open]").first
            # the module's first open (Start: nbgrader fetches it), in a browser whose cache
            # is empty and a server that has rendered no page yet: once a run, not a median
            _wait_for_log(log, _waiting_spare, "a spare kernel was ready")
            mark = len(log.read_text(errors="replace"))
            clicked = time.time() * 1000
            start.click()
            page.wait_for_url("**/voila/render/**", timeout=120_000)
            ready_at = page.wait_for_function(READY, arg=FIRST_OPTION, polling="raf",
                                              timeout=120_000)
            first_open = (float(ready_at.json_value()) - clicked) / 1000
            first_way = "spare kernel" if spare_used.search(_log_after(log, mark)) else "other"
            path = platform.layout.home_dir(LEARNER) / notebook
            server_url = learning_url.split("/learning")[0]

            def touch() -> None:  # the page run ahead is now stale
                stamp = time.time_ns()
                os.utime(path, ns=(stamp, stamp))

            def page_ready(since: int) -> None:
                _wait_for_log(log, lambda text: "ok" if ready.search(text, since) else None,
                              "the page was run ahead")

            def spare_then_touch() -> None:
                _wait_for_log(log, _waiting_spare, "a spare kernel was ready")
                touch()

            def no_spare_then_touch() -> None:
                spare = _wait_for_log(log, _waiting_spare, "a spare kernel was ready")
                xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_xsrf")
                gone = page.request.delete(f"{server_url}/api/kernels/{spare}",
                                           headers={"X-XSRFToken": xsrf})
                if gone.status != 204:
                    raise SystemExit(f"the spare kernel was not shut down: {gone.status}")
                _wait_for_log(log, lambda text: "ok" if f"Kernel shutdown: {spare}" in text
                              else None, "the spare kernel was shut down")
                touch()

            mark = 0
            for _ in range(n):
                # the page run ahead after the last click (the module's start, or the
                # previous round's fresh kernel: a page run ahead before its touch is stale)
                for name, before, expected in (
                    ("run ahead", lambda since=mark: page_ready(since), used),
                    ("spare kernel", spare_then_touch, spare_used),
                    ("fresh kernel", no_spare_then_touch, None),
                ):
                    seconds, mark = _click_to_first_option(page, learning_url, log, before)
                    times[name].append(seconds)
                    after = _log_after(log, mark)
                    came = [p for p in (used, spare_used) if p.search(after)]
                    if came != ([expected] if expected is not None else []):
                        astray += 1
                        print(f"astray: {name}:", *(line for line in after.splitlines()
                                                   if "Module page" in line),
                              sep="\n  ", file=sys.stderr)
            # memory: the learner's kernels once the last page's next page and a spare
            # kernel wait beside it
            page_ready(mark)
            _wait_for_log(log, _waiting_spare, "a spare kernel was ready")
            kernels = _kernel_memory(pwd.getpwnam(LEARNER).pw_uid)
            browser.close()
    finally:
        platform.stop()
    print(f"Machine: {os.cpu_count()} cores, {machine.platform()}, Python "
          f"{sys.version.split()[0]}; {n} clicks each, interleaved; {astray} astray\n")
    print(f"The learner's kernels at the end (the page open, its next page run ahead, a "
          f"spare): {len(kernels)}; RSS "
          + ", ".join(f"{rss / 1024:.0f}" for rss, _ in kernels) + " MiB; PSS "
          + ", ".join(f"{pss / 1024:.0f}" for _, pss in kernels) + " MiB\n")
    print(f"The module's first open (Start, nbgrader's fetch, an empty browser cache, the "
          f"server's first page): {first_open:.2f} s, in a {first_way}\n")
    print("| module page | median | p95 | max | median ratio to a fresh kernel |")
    print("|---|---|---|---|---|")
    base_median = statistics.median(times["fresh kernel"])
    for name, values in times.items():
        print(f"| {module_ref}, {name} | {statistics.median(values):.2f} s | "
              f"{_p95(values):.2f} s | {max(values):.2f} s | "
              f"{statistics.median(values) / base_median:.2f}× |")


if __name__ == "__main__":
    main(*(int(a) if a.isdigit() else a for a in sys.argv[1:]))
