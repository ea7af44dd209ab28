"""The grading kernel's sandbox, tried from inside a kernel (defence in depth).

Even code that reaches a grading kernel (only the trainer's does) runs as an account that
owns nothing, with no network and a file system that holds none of the platform's data.
Kernels forked from one zygote share nothing: a later one never sees an earlier one's state.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.event_loop import run_coroutine
from grading.engine import AutogradeEngine, GradeStatus
from grading.kernel_sandbox import (
    SandboxKernelManager,
    SandboxLimits,
    Zygote,
    kernel_environment,
    sandbox_account,
)


def start_zygote(limits: SandboxLimits) -> Zygote:
    """A zygote whose scratch folder the sandbox account can reach (pytest's tmp is 0700)."""
    scratch = Path(tempfile.mkdtemp(prefix="academy-test-sandbox-"))
    os.chmod(scratch, 0o711)  # noqa: S103
    account = sandbox_account()
    if account is not None:
        os.chown(scratch, account.uid, account.gid)
    return Zygote(scratch, account, limits)


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    z = start_zygote(SandboxLimits())
    try:
        yield z
    finally:
        z.close()
        shutil.rmtree(z.scratch, ignore_errors=True)


def run_code(zygote: Zygote, code: str) -> str:
    """Run `code` in a fresh sandboxed kernel; its stdout (or error) as text."""

    async def go() -> str:
        job = zygote.new_job_dir()
        km = SandboxKernelManager(zygote, job, kernel_environment())
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        out: list[str] = []

        def hook(msg: dict) -> None:
            content = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(content["text"])
            elif msg["msg_type"] == "error":
                out.append(f"{content['ename']}: {content['evalue']}")

        try:
            await kc.execute_interactive(code, timeout=30, output_hook=hook)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return "".join(out)

    return run_coroutine(go())


PROBE = """
import json, os, socket
result = dict(uid=os.getuid(), cwd=os.getcwd(), files=sorted(os.listdir(".")))
for name, path in {paths!r}.items():
    try:
        open(path, "rb").read(1); result[name] = "READ"
    except OSError as exc:
        result[name] = type(exc).__name__
try:
    open({outside!r}, "w").write("x"); result["write_outside"] = "WROTE"
except OSError as exc:
    result["write_outside"] = type(exc).__name__
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2); result["tcp"] = "CONNECTED"
except OSError as exc:
    result["tcp"] = type(exc).__name__
print(json.dumps(result))
"""


def test_kernel_cannot_see_the_platform(zygote: Zygote, tmp_path: Path) -> None:
    secret = tmp_path / "course" / "source" / "answers.ipynb"
    secret.parent.mkdir(parents=True)
    secret.write_text("answer key")
    secret.chmod(0o644)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    paths = {"course": str(secret), "shadow": "/etc/shadow", "passwd": "/etc/passwd",
             "root_home": "/root/.bashrc"}
    code = PROBE.format(paths=paths, outside=str(tmp_path / "planted"),
                        port=listener.getsockname()[1])
    try:
        result = json.loads(run_code(zygote, code).strip().splitlines()[-1])
    finally:
        listener.close()
    assert result["course"] == "FileNotFoundError"  # not even there
    assert result["shadow"] == "FileNotFoundError" and result["root_home"] == "FileNotFoundError"
    assert result["write_outside"] in {"FileNotFoundError", "PermissionError", "OSError"}
    assert result["tcp"] in {"ConnectionRefusedError", "OSError"}  # own, empty network
    assert not (tmp_path / "planted").exists()
    assert result["files"] == sorted(["kernel.json", "kernel.log"] + [
        f for f in result["files"] if f.startswith("k-")  # the ipc sockets
    ])
    account = sandbox_account()
    if account is not None:  # as root: the sandbox account, never root or a grader
        assert result["uid"] == account.uid and account.uid != 0


def test_kernels_share_nothing(zygote: Zygote) -> None:
    first = run_code(zygote, (
        "import course_kit, sys, os\n"
        "course_kit.leaked = 'learner A'\n"
        "sys.modules['json'].leaked = 'A'\n"
        "open('/tmp/leak', 'w').write('A')\n"
        "print(os.getpid())"
    ))
    second = run_code(zygote, (
        "import course_kit, json, os\n"
        "print(getattr(course_kit, 'leaked', None), getattr(json, 'leaked', None),"
        " os.path.exists('/tmp/leak'), os.listdir('..') if os.access('..', os.R_OK) else '-')"
    ))
    assert first.strip().isdigit()
    assert second.startswith("None None")


def test_cpu_limit_ends_a_runaway_kernel() -> None:
    z = start_zygote(SandboxLimits(cpu_seconds=1))

    async def go() -> int | None:
        km = SandboxKernelManager(z, z.new_job_dir(), kernel_environment())
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        kc.execute("while True: pass")
        async with asyncio.timeout(120):  # a guard only: the kernel ends after 1 s of CPU
            while await km.is_alive():
                await asyncio.sleep(0.1)
        kc.stop_channels()
        status = await km.provisioner.poll()
        await km.shutdown_kernel(now=True)
        return status

    try:
        status = run_coroutine(go())
        assert status in (-signal.SIGXCPU, -signal.SIGKILL)
    finally:
        z.close()
        shutil.rmtree(z.scratch, ignore_errors=True)


LOOP_SOURCE = [
    ("code", "from course_kit.widgets import question", {"grade": False}),
    ("code", 'question("q1", "Pick one", ["ok", "spin"])', {"grade": False}),
    ("code", 'from course_kit.grading import answer\nwhile answer("q1") == "spin":\n    pass\n'
             'assert answer("q1") == "ok"', {"grade": True, "points": 1}),
]


def test_endless_loop_is_not_graded_and_the_run_goes_on(tmp_path: Path) -> None:
    """A cell that never ends hits the time limit; that learner 'could not be graded'."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from tests.grading.ds01_submissions import NBGRADER, nbgrader_env, responses

    root = tmp_path / "course"
    (root / "source" / "m1").mkdir(parents=True)
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    for i, (_kind, src, meta) in enumerate(LOOP_SOURCE):
        nb.cells.append(new_code_cell(src, metadata={"nbgrader": {
            "grade_id": f"c{i}", "locked": True, "solution": False, "schema_version": 3,
            "task": False, "points": meta.get("points", 0), "grade": meta["grade"]}}))
    nbformat.write(nb, root / "source" / "m1" / "m1.ipynb")
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'loop'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n")
    import subprocess

    subprocess.run([str(NBGRADER), "generate_assignment", "m1"], cwd=root, env=nbgrader_env(),
                   check=True, capture_output=True)
    for student, choice in (("looper", "spin"), ("steady", "ok")):
        folder = root / "submitted" / student / "m1"
        folder.mkdir(parents=True)
        (folder / "responses.json").write_text(responses({"q1": choice}))
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    engine = AutogradeEngine(root, "loop", f"sqlite:///{root}/gradebook.db", "m1",
                             limits=SandboxLimits(cell_timeout=2), account=sandbox_account())
    outcomes = {o.student_id: o for o in engine.run(["looper", "steady"])}
    assert outcomes["looper"].status is GradeStatus.NOT_GRADED
    assert "cell c2 ran past the 2 s time limit" in (outcomes["looper"].reason or "")
    assert outcomes["steady"].status is GradeStatus.GRADED and outcomes["steady"].score == 1.0
    notes = json.loads((root / "autograded" / "looper" / "m1" / "grading-notes.json").read_text())
    assert "time limit" in notes["not_graded_reason"]
    # not marked as graded: the next run tries it again
    assert engine.pending(["looper", "steady"]) == (["looper"], ["steady"])
