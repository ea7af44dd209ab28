"""The whole platform with its three stores on PostgreSQL, with SCRAM passwords and a role
per store, on a cluster of the test's own: the learner's journey, and what a learner's
kernel can do with everything it can read."""

from __future__ import annotations

import json
import os
import re
import shutil

import psycopg
import pytest
from sqlalchemy.engine import make_url

from installation.settings import InstallSettings
from tests.e2e.conftest import _stop_and_check, remember_ports
from tests.e2e.journey import run_journey
from tests.e2e.learner_client import LearnerClient
from tests.e2e.platform_process import new_data_dir, run_academy, start_platform
from tests.postgres_cluster import start_scram_cluster

PREFIX = "hocvien"
DATABASES = [f"{PREFIX}_hub", f"{PREFIX}_eoffice", f"{PREFIX}_gradebook_digital_signatures",
             "postgres"]
ROLES = [f"{PREFIX}_hub", f"{PREFIX}_eoffice", f"{PREFIX}_grader", f"{PREFIX}_reader",
         "postgres"]


@pytest.fixture(scope="module")
def cluster():
    if os.geteuid() != 0:
        pytest.fail("isolated mode is tested as root (CI runs as root)")
    started = start_scram_cluster()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def pg_platform(cluster):
    data_dir = new_data_dir()
    run_academy(data_dir, "init", "--postgres-admin-url", cluster.admin_url,
                "--postgres-prefix", PREFIX, check=True)
    platform = start_platform(data_dir)
    remember_ports(platform)
    yield platform
    _stop_and_check(platform)


def _connect(url: str, dbname: str | None = None) -> psycopg.Connection:
    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                           dbname=dbname or u.database, connect_timeout=5)


def test_database_urls_are_secret_and_each_role_reaches_only_its_database(pg_platform, cluster):
    layout = pg_platform.layout
    assert "postgresql" not in layout.settings_file.read_text()
    assert layout.settings_file.stat().st_mode & 0o777 == 0o644
    databases = layout.databases_file
    assert (databases.stat().st_mode & 0o777, databases.stat().st_uid) == (0o600, 0)
    settings = InstallSettings.load(layout)
    urls = {"hub": settings.hub_url(layout), "eoffice": settings.eoffice_url(layout),
            "gradebook": settings.gradebook_url(layout, "digital-signatures")}
    assert all(str(make_url(u).port) == str(cluster.port) for u in urls.values())
    for name, url in urls.items():  # its own database: yes (the positive control)
        with _connect(url) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0].startswith(PREFIX), name
    own = {name: make_url(url).database for name, url in urls.items()}
    for name, url in urls.items():  # anyone else's: no
        for other, database in own.items():
            if other != name:
                with pytest.raises(psycopg.OperationalError, match="permission denied"):
                    _connect(url, database)
    # the dashboards' role reads a gradebook's tables (nbgrader made them after the grant)
    # and writes none; it reaches no other store
    reader = settings.gradebook_reader_template().format(course_id="digital_signatures")
    assert make_url(reader).username == f"{PREFIX}_reader"
    with _connect(reader) as conn:
        assert conn.execute("SELECT count(*) FROM student").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE student SET first_name = 'x'")
    for other in ("hub", "eoffice"):
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            _connect(reader, own[other])
    with _connect(urls["hub"]) as conn:  # and SCRAM it is
        rows = conn.execute("SELECT rolname FROM pg_roles WHERE rolsuper").fetchall()
        assert [r[0] for r in rows] == ["postgres"]
    text = (cluster.folder / "data" / "pg_hba.conf").read_text()
    assert "trust" not in re.sub(r"#.*", "", text) and "scram-sha-256" in text


def test_learner_journey_with_every_store_on_postgresql(pg_platform, browser, tmp_path):
    run_journey(browser, pg_platform, "learner1", tmp_path)


KERNEL_PROBE = r'''
import json, os, re, psycopg
data_dir, port, roles, databases = json.loads(%r)
pattern = re.compile(r"postgres(?:ql)?(?:\+\w+)?://[^\s'\"\x00]+")
found, readable = set(), 0
def scan(text):
    found.update(pattern.findall(text))
scan(json.dumps(dict(os.environ)))
places = [data_dir, os.path.expanduser("~")]
for place in places:
    for folder, dirs, files in os.walk(place, onerror=lambda e: None):
        for name in files:
            try:
                with open(os.path.join(folder, name), "rb") as fh:
                    scan(fh.read(1 << 20).decode("utf-8", "replace"))
                readable += 1
            except OSError:
                pass
for pid in os.listdir("/proc"):
    for part in ("environ", "cmdline"):
        try:
            with open(f"/proc/{pid}/{part}", "rb") as fh:
                scan(fh.read().replace(b"\x00", b" ").decode("utf-8", "replace"))
        except OSError:
            pass
found = {u for u in found if f":{port}/" in u or u.endswith(f":{port}")}
passwords = {""}
for url in found:
    m = re.match(r"[^:]+://[^:/@]+:([^@]+)@", url)
    if m:
        passwords.add(m.group(1))
attempts, connected = 0, []
for role in roles:
    for database in databases:
        for password in passwords:
            attempts += 1
            try:
                psycopg.connect(host="127.0.0.1", port=port, user=role, password=password,
                                dbname=database, connect_timeout=3).close()
                connected.append([role, database])
            except psycopg.Error:
                pass
print(json.dumps({"found": sorted(found), "readable": readable, "attempts": attempts,
                  "connected": connected}))
'''


def test_a_learners_kernel_cannot_connect_with_anything_it_can_read(pg_platform, cluster):
    account = pg_platform.accounts()["learner2"]
    client = LearnerClient(pg_platform.url, "learner2", account.password)
    client.start_server()
    args = json.dumps([str(pg_platform.data_dir), cluster.port, ROLES, DATABASES])
    out = client.run_code(KERNEL_PROBE % args, timeout=180)
    result = json.loads(out.strip().splitlines()[-1])
    # it read files (the data directory's shared parts, its home) and every process's
    # environment and command line it may; it tried every role and database
    assert result["readable"] > 0 and result["attempts"] >= len(ROLES) * len(DATABASES)
    assert result["found"] == [], "a URL of the academy's databases is readable by a learner"
    assert result["connected"] == []

    # the control: had the URLs been readable (academy.json was 0644 before), the same probe
    # finds them and connects
    leaked = pg_platform.layout.home_dir("learner2") / "leaked.json"
    shutil.copy(pg_platform.layout.databases_file, leaked)
    os.chmod(leaked, 0o644)
    try:
        out = client.run_code(KERNEL_PROBE % args, timeout=180)
    finally:
        leaked.unlink()
    control = json.loads(out.strip().splitlines()[-1])
    assert len(control["found"]) == 4 and [f"{PREFIX}_eoffice", f"{PREFIX}_eoffice"] in \
        control["connected"]  # hub, e-office, gradebooks, the gradebooks' reader
