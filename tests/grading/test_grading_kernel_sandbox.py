"""The grading kernel's sandbox, tried from inside a kernel (defence in depth).

Even code that reaches a grading kernel (only the trainer's does) runs as an account that
owns nothing, with no network and a file system that holds none of the platform's data.
Kernels forked from one zygote share nothing: a later one never sees an earlier one's state.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grading.engine import AutogradeEngine, GradeStatus
from grading.kernel_sandbox import (
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


def run_code(zygote: Zygote, *cells: str) -> str:
    """Run ``cells`` in one fresh sandboxed kernel; their stdout (or errors) as text."""
    job = zygote.new_job_dir()
    try:
        result = zygote.run_notebook(job, list(cells), kernel_environment())
    finally:
        shutil.rmtree(job, ignore_errors=True)
    assert result.completed, result
    out = []
    for cell in result.cells:
        for output in cell.outputs:
            if output["output_type"] == "stream":
                out.append(output["text"])
            elif output["output_type"] == "error":
                out.append(f"{output['ename']}: {output['evalue']}")
    return "".join(out)


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
    """From inside a kernel: no course, no keys, no network, no way out of its folder."""
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
    assert result["files"] == ["kernel.log"]  # its own, otherwise empty, folder
    account = sandbox_account()
    if account is not None:  # as root: the sandbox account, never root or a grader
        assert result["uid"] == account.uid and account.uid != 0


OWN_FILES = """
import os
def own(folder):  # the files of that file system only, not what bubblewrap bound under it
    device = os.stat(folder).st_dev
    for d, ds, fs in os.walk(folder):
        ds[:] = [x for x in ds if os.lstat(os.path.join(d, x)).st_dev == device]
        yield from (os.path.join(d, f) for f in fs)
"""


def test_kernels_share_nothing(zygote: Zygote) -> None:
    """What one kernel changes (modules, files in every folder it can write) is gone for
    the next kernel of the same zygote."""
    first = run_code(zygote, OWN_FILES, (
        "import course_kit, sys\n"
        "course_kit.leaked = 'learner A'\n"
        "sys.modules['json'].leaked = 'A'\n"
        "leaks = 0\n"
        "for folder in ('/tmp', '/dev/shm', '/tmp/.ipython'):\n"
        "    if os.access(folder, os.W_OK):\n"
        "        open(os.path.join(folder, 'leak'), 'w').write('A was here'); leaks += 1\n"
        "for path in list(own('/tmp')):\n"
        "    try:\n"
        "        open(path, 'w').write('A was here')\n"
        "    except OSError:\n"
        "        pass\n"
        "os.symlink('/etc/passwd', '/tmp/link'); leaks += 1\n"
        "os.makedirs('/tmp/locked/deeper')\n"
        "open('/tmp/locked/deeper/leak', 'w').write('A was here')\n"
        "os.chmod('/tmp/locked/deeper', 0); os.chmod('/tmp/locked', 0); leaks += 1\n"
        "os.chmod('/tmp', 0o500)\n"
        "print(leaks)"
    ))
    second = run_code(zygote, OWN_FILES, (
        "import course_kit, json\n"
        "files = [f for folder in ('/tmp', '/dev/shm') if os.path.isdir(folder)\n"
        "         for f in own(folder) if os.path.isfile(f)]\n"
        "print(getattr(course_kit, 'leaked', None), getattr(json, 'leaked', None),\n"
        "      any('A was here' in open(f, errors='replace').read() for f in files),\n"
        "      any(f.endswith('leak') for f in files) or os.path.lexists('/tmp/link')\n"
        "      or os.path.lexists('/tmp/locked'),\n"
        "      os.access('/tmp', os.W_OK))"
    ))
    assert int(first) >= 4  # /tmp, /dev/shm, a symlink and a locked folder at least
    assert second.split() == ["None", "None", "False", "False", "True"]


def test_a_kernel_cannot_reach_into_the_zygote(zygote: Zygote) -> None:
    """The zygote (the parent of every kernel, same account) cannot be traced or written:
    otherwise one kernel could plant something in every later one."""
    out = run_code(zygote, (
        "import os, ctypes\n"
        "parent = os.getppid()\n"
        "try:\n"
        "    open(f'/proc/{parent}/mem', 'r+b'); print('mem: OPENED')\n"
        "except OSError as exc:\n"
        "    print('mem:', type(exc).__name__)\n"
        "    # only then: an attach that worked would stop the zygote (and this test)\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    print('ptrace:', libc.ptrace(16, parent, 0, 0))  # PTRACE_ATTACH\n"
    ))
    assert "mem: PermissionError" in out
    assert "ptrace: -1" in out


def test_nothing_a_kernel_started_outlives_it(zygote: Zygote) -> None:
    """A process a kernel detaches (double fork, own session) is gone before the next
    kernel runs: only bubblewrap's init, the zygote and the new kernel are left."""
    started = run_code(zygote, (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        while True:\n"
        "            time.sleep(0.01)\n"
        "    os._exit(0)\n"
        "os.wait()\n"
        "print(len([p for p in os.listdir('/proc') if p.isdigit()]))"
    ))
    assert int(started) >= 4  # init, zygote, this kernel and the detached one
    # alive, that is: a killed process may still wait for init (bubblewrap's) to reap it
    after = run_code(zygote, (
        "import os\n"
        "def alive(p):\n"
        "    try:\n"
        "        stat = open(f'/proc/{p}/stat', 'rb').read()\n"
        "    except OSError:\n"
        "        return False\n"
        "    return stat.rsplit(b')', 1)[1].split()[0] not in (b'Z', b'X')\n"
        "print(sorted({1, os.getppid(), os.getpid()}) == "
        "sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and alive(p)))"
    ))
    assert after.strip() == "True"


def test_cpu_limit_ends_a_runaway_kernel() -> None:
    z = start_zygote(SandboxLimits(cpu_seconds=1))
    job = z.new_job_dir()
    try:
        result = z.run_notebook(job, ["while True: pass"], kernel_environment(),
                                cell_timeout=120)  # the CPU limit ends it long before
        assert result.status in (-signal.SIGXCPU, -signal.SIGKILL)
        assert not result.completed and result.timed_out_cell is None
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
