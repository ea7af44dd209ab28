"""`academy grade watch` runs the grading jobs trainers ask for on the dashboards
(``grading.grading_jobs``), with the CLI's own functions and nothing mocked:

* a certificates job after a completion override: the learner's certificate is issued, as
  `academy hr override` does it (real signing, real registry, audited as the trainer);
* a grade job on an installation that is not running: failed with the CLI's own message;
* a grade job end to end: a learner's real submission in nbgrader's exchange, graded by the
  same ``autograde`` as `academy grade autograde` (sandboxed kernel, practical task scored
  from an evidence API on 127.0.0.1), progress written into the job, then done;
* the service's loop: jobs looked at every few seconds, submissions every interval.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from academy.cli import main
from academy.cli.grade import serve, service_job_runner
from grading.audit import read_entries
from grading.certificates import load_registry
from grading.grading_jobs import JobOutcome, JobRunner, JobSpool, JobState
from grading.installation_records import override_completion
from grading.on_submit import SubmissionWatcher
from installation.layout import DataLayout
from installation.settings import InstallSettings, Mode
from people.roster import Person, save_roster
from tests.dashboards.site_for_dashboards import (
    DS,
    DS_MODULE,
    build_installation,
    ds01_only_course_toml,
)
from tests.grading.ds01_submissions import (
    CORRECT,
    NBGRADER,
    NOTEBOOK,
    make_course,
    nbgrader_env,
    responses,
)
from tests.json_http import JsonHandler, serving


def _watch_once(data_dir: Path) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "grade", "watch", "--once"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DataLayout:
    """tests.dashboards.site_for_dashboards' installation, shared by the tests below: each
    works on its own learner or module."""
    return build_installation(tmp_path_factory.mktemp("site") / "academy")


def test_a_certificates_job_issues_the_certificate_the_override_earned(
        site: DataLayout) -> None:
    """Bình scored 3/10; giang overrides "completed" on the dashboards; the grading service
    issues the certificate, as `academy hr override` would have."""
    override_completion(site, DS, "binh", True, "Hoàn thành ở lớp trực tiếp", "giang",
                        via="dashboards")
    spool = JobSpool.of(site)
    job = spool.request_certificates(DS, "binh", "giang", "Hoàn thành ở lớp trực tiếp")
    result = _watch_once(site.root)
    assert result.exit_code == 0, result.output
    done = spool.get(job.job_id)
    assert done is not None and done.state is JobState.DONE, done
    [cert] = [c for c in load_registry(site.certificates_dir) if c.username == "binh"]
    assert done.outcome.certificates_issued == (cert.certificate_id,)
    [issue] = [e for e in read_entries(site.audit_log_file, action="certificate.issue")
               if e.details["user"] == "binh"]
    assert issue.actor == "giang" and issue.details["certificate"] == cert.certificate_id
    assert f"grading job {job.job_id} done" in result.output


def test_a_certificates_job_withdraws_after_an_override_to_not_completed(
        site: DataLayout) -> None:
    spool = JobSpool.of(site)
    spool.request_certificates(DS, "an", "giang", "An passed: 9/10")
    _watch_once(site.root)
    [cert] = [c for c in load_registry(site.certificates_dir) if c.username == "an"]
    override_completion(site, DS, "an", False, "Bài làm không phải của học viên", "giang",
                        via="dashboards")
    job = spool.request_certificates(DS, "an", "giang", "Bài làm không phải của học viên")
    assert _watch_once(site.root).exit_code == 0
    done = spool.get(job.job_id)
    assert done is not None and done.outcome.certificates_withdrawn == (cert.certificate_id,)
    [revoked] = [c for c in load_registry(site.certificates_dir) if c.username == "an"]
    assert revoked.revoked and revoked.revocation_reason == (
        "Completion overridden by giang: Bài làm không phải của học viên")


def test_a_grade_job_fails_with_the_cli_s_message_when_the_academy_is_not_running(
        site: DataLayout) -> None:
    spool = JobSpool.of(site)
    job, _ = spool.request_grading(DS, DS_MODULE, "giang")
    result = _watch_once(site.root)
    assert result.exit_code == 0, result.output  # the service goes on
    failed = spool.get(job.job_id)
    assert failed is not None and failed.state is JobState.FAILED
    assert "the academy is not running from this data directory" in failed.error
    unknown, _ = spool.request_grading(DS, "ds99-no-such-module", "giang")
    _watch_once(site.root)
    failed = spool.get(unknown.job_id)
    assert failed is not None and failed.state is JobState.FAILED and failed.error


# --- a whole grading run -------------------------------------------------------------------


class EvidenceHandler(JsonHandler):
    """The e-office's evidence API: every learner did the practical task of ds01."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        student = self.path.rstrip("/").rsplit("/", 1)[-1]
        task = {"done": True, "completed_at": None, "detail": "registered 12/STC"}
        self.send_json(200, {"username": student, "activity": [],
                             "tasks": {"register-incoming-from-so-tai-chinh": task}})


@pytest.fixture
def running_academy(tmp_path: Path) -> Iterator[DataLayout]:
    """An installation "running" as far as grading can tell (its run file names this
    process and the evidence API's port as the public one), with ds01 released in the
    exchange and An's correct submission waiting there."""
    layout = DataLayout.at(tmp_path / "academy")
    layout.root.mkdir()
    InstallSettings(Mode.SHARED, 1, [DS]).save(layout)
    save_roster(layout.roster_file, [
        Person("an", "Nguyễn Văn An", "learner", "CB-1", "Sở Tài chính", courses=(DS,)),
        Person("giang", "Đỗ Thị Giang", "trainer", "CB-10", courses=(DS,))])
    layout.catalog_dir.mkdir()
    toml = ds01_only_course_toml()
    # the grading service must not take the submission first: only the job grades it
    (layout.catalog_dir / f"{DS}.toml").write_text(
        toml.replace("grade_on_submit = true", "grade_on_submit = false"), encoding="utf-8")
    course = layout.course_dir(DS)
    course.mkdir(parents=True)
    make_course(course)
    layout.exchange_dir.mkdir()
    layout.exchange_dir.chmod(0o777)

    def nbgrader(*args: str, cwd: Path, data_dir: Path | None = None) -> None:
        env = nbgrader_env()
        if data_dir is not None:
            env["JUPYTER_DATA_DIR"] = str(data_dir)
        subprocess.run([str(NBGRADER), *args, f"--Exchange.root={layout.exchange_dir}",
                        "--Exchange.path_includes_course=True"],
                       cwd=cwd, env=env, check=True, capture_output=True)

    nbgrader("release_assignment", DS_MODULE, cwd=course)
    home = layout.home_dir("an")
    folder = home / DS / DS_MODULE
    folder.mkdir(parents=True)
    shutil.copy(course / "release" / DS_MODULE / f"{NOTEBOOK}.ipynb", folder)
    (folder / "responses.json").write_text(responses(CORRECT), encoding="utf-8")
    nbgrader("submit", DS_MODULE, "--student=an", f"--course={DS}", cwd=home,
             data_dir=home / ".jupyter-data")
    layout.secrets_dir.mkdir(exist_ok=True)
    layout.secret_file("grading_api_token").write_text("grader-token", encoding="utf-8")
    with serving(EvidenceHandler) as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        layout.hub_dir.mkdir(parents=True)
        (layout.hub_dir / "running.json").write_text(json.dumps({
            "pid": os.getpid(), "ports": {"public": port, "hub": 0, "proxy_api": 0,
                                          "eoffice": 0, "dashboards": 0, "courses": {}}}))
        yield layout


def test_a_grade_job_grades_like_the_cli_with_progress(running_academy: DataLayout) -> None:
    layout = running_academy
    spool = JobSpool.of(layout)
    job, _ = spool.request_grading(DS, DS_MODULE, "giang")
    progress: list[tuple[int, int]] = []
    original = spool.report_progress

    class WatchedSpool(JobSpool):  # the same spool, remembering what was reported
        def report_progress(self, job_id: str, done: int, total: int) -> None:
            progress.append((done, total))
            original(job_id, done, total)

    runner = service_job_runner(layout, workers=1, log=lambda _line: None)
    runner.spool = WatchedSpool(spool.directory)
    [finished] = runner.run_queued()
    assert finished.state is JobState.DONE, (finished.error, finished.summary)
    assert finished.outcome == JobOutcome(submissions=1)
    assert progress == [(1, 1)] and (finished.done, finished.total) == (1, 1)
    assert f"{DS} / {DS_MODULE}: 1 submission(s)" in finished.summary
    # the gradebook has An's grade, as after `academy grade autograde`
    from grading.gradebook_totals import read_course_totals

    totals = read_course_totals(InstallSettings.load(layout).gradebook_url(layout, DS),
                                [DS_MODULE])
    assert totals.results["an"][DS_MODULE].graded
    # and the run issued the certificate the grade earned (as the CLI's run does)
    assert [c.username for c in load_registry(layout.certificates_dir)] == ["an"]


# --- the service's loop -------------------------------------------------------------------


def test_the_service_looks_for_jobs_often_and_for_submissions_every_interval(
        tmp_path: Path) -> None:
    stop = threading.Event()
    calls: list[str] = []

    class Jobs(JobRunner):
        def run_queued(self) -> list:  # type: ignore[override]
            calls.append("jobs")
            if calls.count("jobs") == 2:
                raise OSError("disk full")  # logged; the service goes on
            if calls.count("jobs") == 4:
                stop.set()
            return []

    class Watcher(SubmissionWatcher):
        def tick(self) -> list:  # type: ignore[override]
            calls.append("tick")
            return []

    lines: list[str] = []
    serve(stop, Watcher(lambda: []), Jobs(JobSpool(tmp_path), lines.append),
          interval=600, job_poll=0.01)
    assert calls == ["jobs", "tick", "jobs", "jobs", "jobs"]
    assert lines == ["grading service: OSError: disk full"]
