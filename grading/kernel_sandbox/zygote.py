"""The grading zygote: runs inside the grading sandbox and forks one fresh kernel per notebook.

Started by ``grading.kernel_sandbox.Zygote`` inside bubblewrap, as the sandbox account. It
imports the kernel's libraries once (IPython, ipywidgets and the trainer's course kit) and
builds one IPython shell, but never runs a notebook cell and never reads a learner's file
itself. Every notebook runs in a new ``fork()`` of that state, so nothing one learner's
grading does can reach the next one: each kernel starts from the same, unused process
image, in its own folder, and ends when its notebook is done.

The kernel is IPython's own ``InteractiveShell``, the engine inside ipykernel, run in the
forked process itself: the cells go in with the request and their outputs come back as
nbformat outputs in ``results.json``, the way ipykernel would have reported them
(``stream`` for stdout and stderr, ``display_data``, ``execute_result`` through IPython's
display formatter, ``error`` with IPython's traceback). No kernel protocol, no socket.

Protocol: one JSON object per line on stdin, one reply per line on stdout.

* ``{"op": "run", "dir": D, "cells": [source or null, ...], "env": {...}, "limits": {...},
  "cell_timeout": S, "notebook_timeout": T}`` runs the code cells (null: not a code cell,
  or empty) in a fresh fork, in folder D (its cwd), with those resource limits; waits for
  it and replies ``{"status": N}`` (its exit status; negative: killed by that signal).
  The fork writes ``D/results.json``: ``{"cells": [{"execution_count": n, "outputs":
  [...]}, ...], "timeout": null}``, or with ``"timeout": i`` if cell i ran past its time.
  After the kernel has ended, whatever it left in the sandbox's writable folders (``/tmp``,
  ``/dev/shm``, and the folder of the job folders when that one is writable) is put back
  as it was before the first kernel, so the next kernel finds exactly what this one found.
* end of input: the zygote exits (bubblewrap then ends anything left).

This file runs with only the standard library and the kernel's packages on its path: it
must not import the academy's other packages.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import json
import os
import resource
import signal
import sys
import time
from typing import Any

LIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "file_bytes": resource.RLIMIT_FSIZE,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
}
RESULTS_FILE = "results.json"
TIMED_OUT = 3  # exit status of a kernel whose cell ran past its time

_outputs: list[dict[str, Any]] = []  # the outputs of the cell that is running


def _emit(output: dict[str, Any]) -> None:
    _outputs.append(output)


class _CapturedStream(io.TextIOBase):
    """sys.stdout / sys.stderr of the kernel: text becomes ``stream`` outputs, consecutive
    writes to the same stream joined into one, as ipykernel and nbclient do."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            last = _outputs[-1] if _outputs else None
            if last and last["output_type"] == "stream" and last["name"] == self.name:
                last["text"] += text
            else:
                _emit({"output_type": "stream", "name": self.name, "text": text})
        return len(text)


def _build_shell() -> Any:
    """The IPython shell every kernel starts from (made once, in the zygote)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type
    from traitlets.config import Config

    class CapturingDisplayHook(DisplayHook):
        """A cell's value: an ``execute_result``, formatted by IPython's formatters."""

        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict, md_dict: dict | None = None) -> None:
            _emit({"output_type": "execute_result", "data": format_dict,
                   "metadata": md_dict or {}, "execution_count": self.prompt_count})

        def finish_displayhook(self) -> None:
            pass

    class CapturingDisplayPublisher(DisplayPublisher):
        """``display(...)``: a ``display_data`` output."""

        def publish(self, data: dict, metadata: dict | None = None, *args: Any,
                    **kwargs: Any) -> None:
            _emit({"output_type": "display_data", "data": data, "metadata": metadata or {}})

        def clear_output(self, wait: bool = False) -> None:
            _outputs.clear()

    class GradingShell(InteractiveShell):
        displayhook_class = Type(CapturingDisplayHook)
        display_pub_class = Type(CapturingDisplayPublisher)

        def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
            _emit({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                   "evalue": str(evalue), "traceback": list(stb)})

    config = Config()
    config.HistoryManager.enabled = False  # no history database, no saving thread
    config.InteractiveShell.colors = "NoColor"
    return GradingShell.instance(config=config)


# --- what a kernel may write, put back as it was before the next one ---------------------
#: folders of the sandbox a kernel can write (all kernels run as the same account); after
#: each kernel they are restored to what they held when the zygote became ready
_WRITABLE = ("/tmp", "/dev/shm")  # noqa: S108 - the sandbox's own tmpfs mounts
_MAX_KEPT_FILE = 1024 * 1024

Snapshot = dict[str, tuple[str, int, bytes | None]]


def _writable_roots(jobs_parent: str) -> list[str]:
    """The writable folders, and the job folders' parent, which is never walked as part of
    /tmp: it is the grader's, and is put back only if this account can write it."""
    roots = [d for d in _WRITABLE if os.path.isdir(d) and os.access(d, os.W_OK)]
    return [*roots, jobs_parent] if os.access(jobs_parent, os.W_OK) else roots


_OUTSIDE: set[str] = set()  # folders under a root that are not the kernels' (the jobs' parent)


def _walk(roots: list[str]):  # noqa: ANN202 - os.walk's triples
    """os.walk over each root, staying on that root's own file system: never into what
    bubblewrap bound under it (the read-only Python environment when it lives under
    /tmp, the grader's job folders), nor into another root."""
    for root in roots:
        others = {r for r in roots if r != root} | (_OUTSIDE - {root})
        device = os.lstat(root).st_dev
        for dirpath, dirnames, filenames in os.walk(root):
            kept = []
            for name in dirnames:
                path = os.path.join(dirpath, name)
                try:
                    same = os.lstat(path).st_dev == device
                except OSError:
                    continue
                if same and path not in others:
                    kept.append(name)
            dirnames[:] = kept
            yield dirpath, dirnames, filenames


def _snapshot(roots: list[str]) -> Snapshot:
    """Every path under ``roots``: kind, mode and (for small files) content."""
    found: Snapshot = {}
    for dirpath, dirnames, filenames in _walk(roots):
        found[dirpath] = ("dir", os.lstat(dirpath).st_mode & 0o7777, None)
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(
                dirpath, d))]:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if os.path.islink(path) or not os.path.isfile(path):
                found[path] = ("other", st.st_mode & 0o7777, None)
                continue
            content = None
            if st.st_size <= _MAX_KEPT_FILE:
                with open(path, "rb") as fh:
                    content = fh.read()
            found[path] = ("file", st.st_mode & 0o7777, content)
    return found


def _restore(roots: list[str], baseline: Snapshot, keep: set[str]) -> None:
    """Put ``roots`` back as ``baseline``: remove what a kernel added (except the paths in
    ``keep``: the grader's job folder, the zygote's log), rewrite what it changed."""
    for path, (kind, _mode, _content) in sorted(baseline.items()):
        if kind == "dir":  # a kernel may have locked a folder: open it to walk it
            with contextlib.suppress(OSError):
                if os.path.isdir(path) and not os.path.islink(path):
                    os.chmod(path, 0o700)
    for dirpath, dirnames, filenames in _walk(roots):
        if any(dirpath == k or dirpath.startswith(k + os.sep) for k in keep):
            dirnames[:] = []
            continue
        for name in list(dirnames) + filenames:
            path = os.path.join(dirpath, name)
            if path in keep:
                if name in dirnames:
                    dirnames.remove(name)
                continue
            expected = baseline.get(path)
            is_dir = os.path.isdir(path) and not os.path.islink(path)
            if expected is None or (expected[0] == "dir") != is_dir:
                if is_dir:
                    _remove_tree(path)
                    if name in dirnames:
                        dirnames.remove(name)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)
            elif is_dir:
                with contextlib.suppress(OSError):
                    os.chmod(path, 0o700)
    for path, (kind, mode, content) in sorted(baseline.items()):
        if kind == "other":  # a symlink or device node of the sandbox itself: left alone
            continue
        with contextlib.suppress(OSError, NotImplementedError):
            if kind == "dir":
                os.makedirs(path, exist_ok=True)
            elif kind == "file" and content is not None:
                current = None
                with contextlib.suppress(OSError), open(path, "rb") as fh:
                    current = fh.read(_MAX_KEPT_FILE + 1)
                if current != content:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)
                    with open(path, "xb") as fh:
                        fh.write(content)
            if not os.path.islink(path):
                os.chmod(path, mode)


def _remove_tree(path: str) -> None:
    """Remove a folder a kernel made, even one it locked (mode 000) on the way down."""
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    with contextlib.suppress(OSError):
        for entry in os.scandir(path):
            if entry.is_dir(follow_symlinks=False):
                _remove_tree(entry.path)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _keep_widgets_local() -> None:
    """Widgets created while grading stay in the kernel: nobody displays them, so they get
    the ``comm`` package's own no-op comm. Widgets, their values and their callbacks behave
    as before; nbgrader grades from the cells' errors."""
    import comm

    comm.create_comm = comm.DummyComm


def _write_results(folder: str, cells: list[dict[str, Any]], timeout: int | None) -> None:
    path = os.path.join(folder, RESULTS_FILE)
    data = json.dumps({"cells": cells, "timeout": timeout}, default=repr)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(data)
    os.replace(path + ".tmp", path)


def _run_notebook(request: dict[str, Any], shell: Any) -> None:
    """In the forked child: run the cells, write the results, end. Never returns."""
    status = 0
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
        os.dup2(log, 1)  # what C code writes goes to the log, never to the grader
        os.dup2(log, 2)
        sys.stdout, sys.stderr = _CapturedStream("stdout"), _CapturedStream("stderr")
        _keep_widgets_local()
        cell_timeout = float(request.get("cell_timeout", 30))
        deadline = time.monotonic() + float(request.get("notebook_timeout", 300))
        done: list[dict[str, Any]] = []

        def out_of_time(_signum: int, _frame: Any) -> None:
            _write_results(folder, done, len(done))
            os._exit(TIMED_OUT)

        signal.signal(signal.SIGALRM, out_of_time)
        for source in request["cells"]:
            if source is None or not source.strip():
                done.append({"execution_count": None, "outputs": []})
                continue
            _outputs.clear()
            count = shell.execution_count
            left = deadline - time.monotonic()
            if left <= 0:
                out_of_time(signal.SIGALRM, None)
            signal.setitimer(signal.ITIMER_REAL, min(cell_timeout, left))
            shell.run_cell(source, store_history=True)
            signal.setitimer(signal.ITIMER_REAL, 0)
            done.append({"execution_count": count, "outputs": list(_outputs)})
        _write_results(folder, done, None)
    except BaseException as exc:  # noqa: BLE001 - report and end this kernel only
        with open(os.path.join(request.get("dir", "."), "kernel.log"), "a") as fh:
            fh.write(f"kernel failed: {exc!r}\n")
        status = 70
    os._exit(status)


def _end_every_other_process() -> None:
    """Kill every process of the sandbox but bubblewrap's init and this zygote: a kernel
    can leave a detached process behind (a double fork into its own session), which would
    otherwise still run, and write, while the next learner's notebook runs. The sandbox
    has its own pid namespace, so these are only its own processes."""
    spared = {1, os.getpid()}
    # until none is alive: a process may fork while being killed, and a killed one dies
    # only once it is scheduled again (a busy machine can take a while); a zombie is dead
    # already (it only waits for init, bubblewrap's, to reap it)
    for _round in range(5000):
        others = [pid for pid in _sandbox_pids() if pid not in spared and not _zombie(pid)]
        if not others:
            with contextlib.suppress(ChildProcessError):  # our own dead children, if any
                while os.waitpid(-1, os.WNOHANG)[0] > 0:
                    pass
            return
        for pid in others:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in others:  # our children are ours to reap; init reaps the orphans
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.001)
    raise RuntimeError("a process of the previous kernel could not be ended")


def _sandbox_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _zombie(pid: int) -> bool:
    """Dead, waiting to be reaped (or gone already)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # "pid (comm) S ...": the state follows the last ")" (comm may hold one)
            return stat.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _not_traceable() -> None:
    """Kernels run as the zygote's own account: without this, one could ptrace the zygote
    or write its memory (/proc/<pid>/mem) and so reach every later kernel. A process that
    is not dumpable cannot be traced or read by its account; forks inherit it."""
    import ctypes

    pr_set_dumpable = 4
    if ctypes.CDLL(None, use_errno=True).prctl(pr_set_dumpable, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def main() -> None:
    _not_traceable()
    preload = [m for m in sys.argv[1:] if m]
    for module in preload:
        importlib.import_module(module)
    shell = _build_shell()
    # what exists now is shared with every kernel: keep the garbage collector out of it,
    # so that a kernel neither scans it nor makes private copies of its pages (copy on write)
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    roots: list[str] | None = None
    baseline: Snapshot = {}
    kept: set[str] = set()
    out = sys.stdout
    out.write(json.dumps({"ready": True, "preloaded": preload}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        if op == "run":
            if roots is None:
                jobs_parent = os.path.dirname(request["dir"])
                _OUTSIDE.add(jobs_parent)
                kept = {os.path.join(jobs_parent, "zygote.log")}  # the grader reads it
                roots = _writable_roots(jobs_parent)
                baseline = {k: v for k, v in _snapshot(roots).items()
                            if not (k == request["dir"] or k.startswith(request["dir"] + "/")
                                    or k in kept)}
            out.flush()
            pid = os.fork()
            if pid == 0:
                _run_notebook(request, shell)
            _done, status = os.waitpid(pid, 0)
            _end_every_other_process()  # what the notebook left running, even detached
            # nothing for the next kernel
            _restore(roots, baseline, keep={request["dir"], *kept})
            reply: dict[str, Any] = {"status": os.waitstatus_to_exitcode(status)}
        else:
            reply = {"error": f"unknown op {op!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
