"""Learner isolation (issue 3), as root in isolated mode, with a learner's own credentials.

Every attempt must fail with permission denied or 403/404, and nothing may change.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.learner_client import LearnerClient

# one path tried for reading, in a probe's loop: a folder listed, a file's first byte read
READ_ONE = r'''
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as fh:
                fh.read(1)
        results[label] = "READ"
    except PermissionError:
        results[label] = "denied"
    except FileNotFoundError:
        results[label] = "missing"
'''

PROBE = r'''
import json, os, glob
results = {}
for label, path in json.loads(%r).items():
''' + READ_ONE + r'''
    if label == "exchange-inbound":
        continue  # the drop box: learners may write there, by design
    try:
        target = path if not os.path.isdir(path) else os.path.join(path, "x")
        with open(target, "ab") as fh:
            fh.write(b"probe-was-here-7f3c")
        results[label + ":write"] = "WRITTEN"
    except (PermissionError, FileNotFoundError):
        results[label + ":write"] = "denied"
results["glob-submission"] = glob.glob(%r)
print(json.dumps(results))
'''


# Files the running platform itself writes at any moment: the hub's database (activity times,
# tokens, spawns). Their bytes may change while the probe runs, so "unchanged" is checked as
# "without the probe's mark" for them.
LIVE = {"hub-db"}


def _digest(path: Path) -> str:
    if path.is_dir():
        return "dir"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fake_submission(platform, owner: str) -> Path:
    """A submission of another learner, laid out and permissioned as nbgrader's submit does."""
    inbound = platform.layout.exchange_dir / "digital-signatures" / "inbound"
    folder = inbound / f"{owner}+ds01-what-a-signature-proves+2026-01-01 00:00:00 UTC+Zx81kQ2m"
    folder.mkdir()
    entry = pwd.getpwnam(owner)
    answers = folder / "responses.json"
    answers.write_text('{"answers": {}}')
    for path in (folder, answers):
        os.chown(path, entry.pw_uid, entry.pw_gid)
    os.chmod(answers, 0o644)
    os.chmod(folder, 0o777)
    return answers


@pytest.fixture(scope="module")
def intruder(isolated_platform):
    account = isolated_platform.accounts()["learner3"]
    client = LearnerClient(isolated_platform.url, "learner3", account.password)
    client.start_server()
    return client


def test_wrong_password_is_refused(isolated_platform):
    with pytest.raises(AssertionError, match="login of learner3 failed"):
        LearnerClient(isolated_platform.url, "learner3", "not-the-password")


def test_learner_cannot_use_another_learners_server(isolated_platform, intruder):
    victim = isolated_platform.accounts()["learner2"]
    LearnerClient(isolated_platform.url, "learner2", victim.password).start_server()
    for path in ("/user/learner2/api/contents", "/user/learner2/api/contents/digital-signatures",
                 "/user/learner2/api/kernels"):
        r = intruder.get(path)
        assert r.status_code in (403, 404), (path, r.status_code)
    r = intruder.post("/user/learner2/api/kernels", json={"name": "python3"})
    assert r.status_code in (403, 404)
    # the learner's own contents API is confined to their home
    r = intruder.get("/user/learner3/api/contents/../learner2")
    assert r.status_code in (400, 403, 404)


def test_no_terminals_for_learners(intruder):
    r = intruder.post("/user/learner3/api/terminals")
    assert r.status_code in (403, 404)


def test_kernel_code_cannot_read_keys_gradebook_or_others_work(isolated_platform, intruder):
    layout = isolated_platform.layout
    course = layout.course_dir("digital-signatures")
    submission = _fake_submission(isolated_platform, "learner2")
    targets = {
        "course-source": course / "source" / "ds01-what-a-signature-proves"
        / "what-a-signature-proves.ipynb",
        "course-dir": course / "source",
        "gradebook": layout.gradebook_file("digital-signatures"),
        "exchange-inbound": submission.parent.parent,
        "hub-db": layout.hub_db_file,
        "hub-secrets": layout.secret_file("cookie_secret"),
        "roster": layout.roster_file,
        "eoffice-db": layout.eoffice_db_file,
        "pki-key": layout.pki_dir / "signer.key.pem",
        "other-home": layout.home_dir("learner2"),
    }
    for label, path in targets.items():
        assert path.exists(), f"{label}: {path} should exist for this test to mean anything"
    before = {label: _digest(path) for label, path in targets.items() if label not in LIVE}
    glob_pattern = str(submission.parent.parent / "learner2+*")
    code = PROBE % (json.dumps({k: str(v) for k, v in targets.items()}), glob_pattern)
    results = json.loads(intruder.run_code(code).strip().splitlines()[-1])
    for label in targets:
        assert results[label] == "denied", (label, results[label])
        if label != "exchange-inbound":
            assert results[label + ":write"] == "denied", (label, results[label + ":write"])
    # nbgrader's drop box: the other learner's submission cannot even be found
    assert results["glob-submission"] == []
    assert {label: _digest(path) for label, path in targets.items() if label not in LIVE} == before
    for label, path in targets.items():
        if path.is_dir():
            assert not (path / "x").exists(), (label, "the probe wrote in it")
        else:
            assert b"probe-was-here-7f3c" not in path.read_bytes(), (label, "the probe wrote in it")
    shutil.rmtree(submission.parent)


def test_learner_token_cannot_read_evidence(isolated_platform, intruder):
    for whom in ("learner1", "learner3"):
        r = intruder.get(f"/services/eoffice/api/evidence/{whom}")
        assert r.status_code == 403, (whom, r.status_code, r.text[:200])


def test_learner_cannot_open_formgrader(isolated_platform, intruder):
    r = intruder.get("/services/digital-signatures/formgrader")
    assert r.status_code in (403, 404), r.status_code
    # nor with the browser cookie
    r = intruder.session.get(f"{isolated_platform.url}/services/digital-signatures/formgrader",
                             timeout=30)
    assert r.status_code in (403, 404) or "formgrader" not in r.url, (r.status_code, r.url)


READ_PROBE = r'''
import json, os
results = {}
for label, path in json.loads(%r).items():
''' + READ_ONE + r'''
print(json.dumps(results))
'''


def test_the_dashboards_run_as_their_own_account_that_reads_records_never_keys(
        isolated_platform):
    """The public verification page takes anyone's upload: the service behind it runs as
    academy-dashboards, which reads what its pages show (through its group) and none of
    the academy's signing keys, the service tokens, the database settings or the hub's
    and the e-office's databases (docs/architecture.md)."""
    import psutil

    from installation.settings import DASHBOARDS_ACCOUNT, runtime_file

    layout = isolated_platform.layout
    port = json.loads(runtime_file(layout).read_text())["ports"]["dashboards"]
    listening = {c.pid for c in psutil.net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port and c.pid}
    assert listening, f"nothing listens on the dashboards' port {port}"
    processes = [psutil.Process(pid) for pid in listening]
    processes += [child for p in processes for child in p.children(recursive=True)]
    assert {p.username() for p in processes} == {DASHBOARDS_ACCOUNT}
    assert all(p.uids().real != 0 and p.uids().effective != 0 for p in processes)

    denied = {
        "root-key": layout.pki_dir / "root.key.pem",
        "signer-key": layout.pki_dir / "signer.key.pem",
        "course-config": layout.course_dir("digital-signatures") / "nbgrader_config.py",
        "databases": layout.databases_file,
        "cookie-secret": layout.secret_file("cookie_secret"),
        "its-own-token-file": layout.secret_file("dashboards_api_token"),
        "hub-db": layout.hub_db_file,
        "eoffice-db": layout.eoffice_db_file,
        "eoffice-key": layout.eoffice_dir / "secret_key",
        "accounts": layout.accounts_file,
        # nbgrader makes each submission 0777: listing the drop box would let it change them
        "exchange-inbound": layout.exchange_dir / "digital-signatures" / "inbound",
        "secrets-listing": layout.secrets_dir,
    }
    readable = {
        "roster": layout.roster_file,
        "root-cert": layout.pki_dir / "root.cert.pem",
        "root-crl": layout.pki_dir / "root.crl.pem",
        "gradebook": layout.gradebook_file("digital-signatures"),
        "catalog": layout.catalog_dir / "digital-signatures.toml",
    }
    targets = denied | readable
    for label, path in targets.items():
        assert path.exists(), f"{label}: {path} should exist for this test to mean anything"
    probe = subprocess.run(
        ["runuser", "-u", DASHBOARDS_ACCOUNT, "--", sys.executable, "-c",
         READ_PROBE % json.dumps({k: str(v) for k, v in targets.items()})],
        capture_output=True, text=True, check=True, timeout=60, cwd="/")
    results = json.loads(probe.stdout.strip().splitlines()[-1])
    assert {label: results[label] for label in denied} == dict.fromkeys(denied, "denied")
    assert {label: results[label] for label in readable} == dict.fromkeys(readable, "READ")
