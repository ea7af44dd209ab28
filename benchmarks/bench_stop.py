"""Benchmark: how long Ctrl-C on `academy up` takes with a learner's server and kernel running.

Two ways of stopping the same running platform, alternated, each round on a freshly
started platform with one learner's server and a busy-free kernel:

* **baseline: JupyterHub's own stop** – SIGTERM to the hub process only, timed until the hub
  has exited. JupyterHub stops its managed services one after another (each with a 10 s
  SIGINT timeout), then the learners' servers: what `academy up` did before the guardian.
  (The guardian then cleans up what is left; that part is not timed.)
* **academy up (guardian)** – SIGINT to `academy up`, as Ctrl-C does, timed until
  `academy up` has exited and every process of the platform is gone.

Needs root (isolated mode, as in production). Reports medians and the ratio.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_stop.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import time

import psutil

from common.roles import Role
from tests.e2e.learner_client import LearnerClient
from tests.e2e.platform_process import new_data_dir, start_platform


def _running(data_dir):  # type: ignore[no-untyped-def]
    platform = start_platform(data_dir)
    learner = next(a for a in platform.accounts().values() if a.role == Role.LEARNER)
    client = LearnerClient(platform.url, learner.username, learner.password)
    client.start_server()
    assert client.run_code("print(6 * 7)").strip() == "42"
    up = psutil.Process(platform.proc.pid)
    tree = [up, *up.children(recursive=True)]
    hub = next(p for p in tree if "jupyterhub" in " ".join(p.cmdline()[:2]))
    return platform, tree, hub


def stop_hub_only(data_dir) -> float:  # type: ignore[no-untyped-def]
    platform, tree, hub = _running(data_dir)
    started = time.perf_counter()
    hub.send_signal(signal.SIGTERM)
    hub.wait(120)
    seconds = time.perf_counter() - started
    platform.stop()
    psutil.wait_procs(tree, timeout=60)
    return seconds


def stop_academy_up(data_dir) -> float:  # type: ignore[no-untyped-def]
    platform, tree, _hub = _running(data_dir)
    started = time.perf_counter()
    platform.proc.send_signal(signal.SIGINT)
    platform.proc.wait(120)
    _gone, alive = psutil.wait_procs(tree, timeout=60)
    seconds = time.perf_counter() - started
    assert not alive, alive
    if platform.output_file is not None:
        platform.output_file.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the benchmark uses isolated mode, as production does")
    data_dir = new_data_dir()
    results: dict[str, list[float]] = {"baseline: JupyterHub's own stop": [], "academy up": []}
    try:
        for _ in range(args.rounds):
            results["baseline: JupyterHub's own stop"].append(stop_hub_only(data_dir))
            results["academy up"].append(stop_academy_up(data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    base = statistics.median(results["baseline: JupyterHub's own stop"])
    for name, values in results.items():
        median = statistics.median(values)
        runs = ", ".join(f"{v:.1f}" for v in values)
        print(f"{name:34} median {median:5.1f} s  ({runs})  ratio {median / base:.2f}")


if __name__ == "__main__":
    main()
