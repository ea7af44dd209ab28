"""Fixtures of the my_learning tests: a real nbgrader course and a real jupyter server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import requests
from ml_academy import (
    BIN,
    COURSE_ID,
    FRESH_ID,
    GRADED_ID,
    NOTEBOOK,
    TOKEN,
    Academy,
    Server,
    run_nbgrader,
    source_notebook,
)

from academy.supervisor import free_port


@pytest.fixture(scope="session")
def generated_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course folder after `nbgrader generate_assignment` (once: it is slow).

    The second module is a copy of the first one's release: same notebook, new name."""
    course = tmp_path_factory.mktemp("generated") / "course"
    (course / "source" / GRADED_ID).mkdir(parents=True)
    nbformat.write(source_notebook(), course / "source" / GRADED_ID / NOTEBOOK)
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
    )
    config_dir = course.parent / "config"
    config_dir.mkdir()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(config_dir))
    run_nbgrader("generate_assignment", GRADED_ID, cwd=course, env=env)
    shutil.copytree(course / "release" / GRADED_ID, course / "release" / FRESH_ID)
    return course


@pytest.fixture(scope="session")
def template_academy(tmp_path_factory: pytest.TempPathFactory, generated_course: Path) -> Academy:
    """Released modules, the first one submitted and graded with feedback released."""
    return Academy.create(tmp_path_factory.mktemp("template") / "academy", generated_course)


@pytest.fixture
def academy(tmp_path: Path, template_academy: Academy) -> Academy:
    return template_academy.clone(tmp_path / "academy")


@pytest.fixture(scope="module")
def server_academy(tmp_path_factory: pytest.TempPathFactory, template_academy: Academy) -> Academy:
    return template_academy.clone(tmp_path_factory.mktemp("server") / "academy")


@pytest.fixture(scope="module")
def server(server_academy: Academy) -> Iterator[Server]:
    port = free_port()
    log_path = server_academy.root / "server.log"
    args = [
        str(BIN / "jupyter-server"),
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={server_academy.home}",
        f"--IdentityProvider.token={TOKEN}",
        '--ServerApp.jpserver_extensions={"my_learning": True}',
        "--ServerApp.contents_manager_class="
        "jupyter_server.services.contents.filemanager.FileContentsManager",
        "--ServerApp.default_url=/learning",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            args, cwd=server_academy.home, env=server_academy.env(), stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    srv = Server(url, proc, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter server exited early:\n{srv.log()}")
            try:
                if requests.get(url + "api/status", params={"token": TOKEN}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter server did not start:\n{srv.log()}")
            time.sleep(0.2)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
