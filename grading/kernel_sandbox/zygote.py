"""The kernel zygote: runs inside the grading sandbox and forks one fresh kernel per notebook.

Started by ``grading.kernel_sandbox.Zygote`` inside bubblewrap, as the sandbox account. It
imports the kernel's libraries once (ipykernel, IPython, ipywidgets and the trainer's
course kit), never runs a notebook cell and never reads a learner's file itself. Every
kernel is a new ``fork()`` of that state, so nothing one learner's grading does can reach
the next one: each kernel starts from the same, unused process image, in its own folder,
and dies when its notebook is done.

Protocol: one JSON object per line on stdin, one reply per line on stdout.

* ``{"op": "spawn", "dir": D, "connection": {...}, "env": {...}, "limits": {...},
  "local_widgets": true}`` forks a kernel in folder D (its cwd) with the given connection
  info (ipc transport) and resource limits, and with ``local_widgets`` widgets that send
  no comm messages; replies ``{"pid": P}`` (P in the sandbox's pid namespace).
* ``{"op": "poll", "pid": P}`` replies ``{"status": null}`` while it runs, else its exit code
  (negative: killed by that signal).
* ``{"op": "signal", "pid": P, "signum": N}`` replies ``{"ok": true}``.
* end of input: the zygote exits (bubblewrap then ends every kernel left).

This file runs with only the standard library and the kernel's packages on its path: it
must not import the academy's other packages.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import resource
import signal
import sys

LIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "file_bytes": resource.RLIMIT_FSIZE,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
}


def _keep_widgets_local() -> None:
    """Widgets created while grading stay in the kernel: nobody displays them, so their
    comm messages (a widget's whole state, at every creation and change) are not sent.
    The ``comm`` package's own no-op comm replaces ipykernel's; widgets, their values and
    their callbacks behave as before, and no test can tell (nbgrader grades from errors)."""
    import comm

    comm.create_comm = comm.DummyComm


def _child(request: dict) -> None:
    """In the forked child: become the kernel for one notebook. Never returns."""
    try:
        os.setsid()
        for name, value in request.get("limits", {}).items():
            resource.setrlimit(LIMITS[name], (int(value), int(value)))
        folder = request["dir"]
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(request.get("env", {}))
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(os.path.join(folder, "kernel.log"), os.O_WRONLY | os.O_CREAT, 0o600)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        connection_file = os.path.join(folder, "kernel.json")
        fd = os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(request["connection"], fh)
        sys.argv = ["ipykernel", "-f", connection_file]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(
            ["-f", connection_file, "--HistoryManager.hist_file=:memory:"]
        )
        if request.get("local_widgets"):
            _keep_widgets_local()
        app.start()
    except BaseException as exc:  # noqa: BLE001 - report and end this child only
        print(f"kernel failed: {exc!r}", file=sys.stderr, flush=True)
        os._exit(70)
    os._exit(0)


def main() -> None:
    preload = [m for m in sys.argv[1:] if m]
    for module in preload:
        importlib.import_module(module)
    # what is loaded now is shared with every kernel: keep the garbage collector out of it,
    # so that a kernel neither scans it nor makes private copies of its pages (copy on write)
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the kernels take interrupts
    exited: dict[int, int] = {}
    out = sys.stdout
    out.write(json.dumps({"ready": True, "preloaded": preload}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        if op == "spawn":
            out.flush()
            pid = os.fork()
            if pid == 0:
                _child(request)
            reply: dict = {"pid": pid}
        elif op == "poll":
            pid = int(request["pid"])
            if pid not in exited:
                try:
                    done, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done, status = pid, 0
                if done:
                    exited[pid] = os.waitstatus_to_exitcode(status)
            reply = {"status": exited.get(pid)}
        elif op == "signal":
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(request["pid"]), int(request["signum"]))
            reply = {"ok": True}
        else:
            reply = {"error": f"unknown op {op!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
