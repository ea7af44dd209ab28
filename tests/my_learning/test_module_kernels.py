"""Module pages run ahead (my_learning/module_kernels.py), on a learner's server configured
like the platform's, in headless Chromium: a reopened page is the one run ahead, and shows
the answer given since; a page in another language is run for it; a changed notebook is run
again, and the page run ahead of the old one is shut down."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests
from jupyter_client.manager import AsyncKernelManager
from ml_academy import TOKEN
from playwright.sync_api import Browser, Page, expect
from test_my_learning_frame_lib import (
    COURSE_ID,
    MODULE_ID,
    MODULE_TITLE,
    NOTEBOOK,
    NOTEBOOK_EN,
    QUESTIONS_ASKED,
    FrameSite,
    LearnerServer,
    write_answers,
)
from voila.utils import ENV_VARIABLE

from common.i18n import LANGUAGE_COOKIE
from my_learning.module_kernels import (
    ModulePageKernelManager,
    ReadyKernelClient,
    page_query,
    spare_fixup_code,
)

STATE_TIMEOUT = 20_000  # ms: waiting for a state, never for a time
RENDER_TIMEOUT = 90_000  # Voila starts a kernel and runs the module's cells
LOG_TIMEOUT = 90.0  # s: the server's log saying what it did
FIRST_OPTION = "The document was not changed after signing"
#: These tests are about pages run ahead, and run beside other tests: whatever the load
#: (the load rule has its own tests below).
WHATEVER_THE_LOAD = ("--ModulePageKernelManager.max_load=0",)


def test_page_query_keeps_the_language_only() -> None:
    assert page_query("lang=en&utm=x") == "lang=en"
    assert page_query("a=1&lang=xx&lang=vi") == "lang=xx&lang=vi"  # the kit takes the first known
    assert page_query("") == ""
    assert page_query("theme=dark") == ""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> FrameSite:
    site = FrameSite.create(tmp_path_factory.mktemp("module-kernels") / "site")
    site.release()
    return site


@pytest.fixture(scope="module")
def server(site: FrameSite) -> Iterator[LearnerServer]:
    server = LearnerServer(site, *WHATEVER_THE_LOAD).start()
    try:
        yield server
    finally:
        server.stop()


def wait_for_log(server: LearnerServer, found: Callable[[str], re.Match[str] | None],
                 what: str) -> re.Match[str]:
    """The server's log, once it says ``what`` (the state waited for)."""
    deadline = time.monotonic() + LOG_TIMEOUT
    while True:
        match = found(server.log())
        if match is not None:
            return match
        if time.monotonic() > deadline:
            pytest.fail(f"the server's log never said {what}:\n{server.log()[-4000:]}")
        time.sleep(0.2)


def ready(server: LearnerServer, notebook: str, query: str, after: int = 0) -> str:
    """The kernel of the page of ``notebook`` run ahead for ``query``, once it has run (a
    log line after the ``after``-th character)."""
    pattern = re.compile(rf"Module page: ready: {re.escape(f'{COURSE_ID}/{MODULE_ID}/{notebook}')}"
                         rf" \({re.escape(query)}\) in kernel (\S+)")
    match = wait_for_log(server, lambda log: pattern.search(log, after),
                         f"a page of {notebook} ({query}) was run ahead")
    return match.group(1)


def used_ahead(log: str) -> list[str]:
    return re.findall(r"Module page: run ahead in kernel (\S+):", log)


def spare_ready(server: LearnerServer, after: int = 0) -> str:
    """A spare kernel, once it is ready (a log line after the ``after``-th character)."""
    pattern = re.compile(r"Module page: spare kernel (\S+) ready")
    return wait_for_log(server, lambda log: pattern.search(log, after),
                        "a spare kernel was ready").group(1)


def spares_taken(log: str) -> list[str]:
    return re.findall(r"Module page: spare kernel (\S+) for ", log)


def kernel_processes(site: FrameSite) -> list[str]:
    """The command lines of the processes of kernels of ``site``'s server (their connection
    files are in its runtime folder)."""
    runtime = str(site.root / "runtime")
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if runtime in command and "kernel-" in command:
            found.append(command)
    return found


def open_module(page: Page, server: LearnerServer, notebook: str, lang: str) -> None:
    page.goto(f"{server.url}voila/render/{COURSE_ID}/{MODULE_ID}/{notebook}?lang={lang}")


@pytest.mark.timeout(400)
def test_a_page_run_ahead_shows_the_answers_as_they_are_now(
    browser: Browser, server: LearnerServer, site: FrameSite
) -> None:
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "en", "url": server.url}])
    page = context.new_page()
    try:
        page.goto(f"{server.url}learning?token={TOKEN}")
        row = page.locator(f"li.module[data-module='{MODULE_ID}']")
        expect(row.get_by_role("heading", level=3)).to_have_text(MODULE_TITLE)
        row.get_by_role("button", name="Start").click()
        page.wait_for_url(re.compile(rf"{re.escape(NOTEBOOK_EN)}\?lang=en$"),
                          timeout=RENDER_TIMEOUT)
        choice = page.get_by_role("radio", name=FIRST_OPTION)
        choice.wait_for(timeout=RENDER_TIMEOUT)
        assert used_ahead(server.log()) == []  # the first page of a notebook is run for it

        # the next page has run, then the learner answers in this one
        ahead = ready(server, NOTEBOOK_EN, "lang=en")
        choice.check()
        count = page.get_by_role("banner", name="The module and your progress") \
            .get_by_role("status")
        expect(count).to_have_text(f"1 of {QUESTIONS_ASKED} questions answered")

        # reopened: the page run ahead, with that answer
        mark = len(server.log())
        page.reload()
        choice = page.get_by_role("radio", name=FIRST_OPTION)
        choice.wait_for(timeout=RENDER_TIMEOUT)
        assert used_ahead(server.log()[mark:]) == [ahead]
        expect(choice).to_be_checked()
        card = page.locator(".ck-question").filter(has=choice)
        expect(card.get_by_role("status")).to_contain_text("Saved ✓: your earlier answer")
        expect(count).to_have_text(f"1 of {QUESTIONS_ASKED} questions answered")
        # another answer here is saved as usual
        second = page.get_by_role("radio", name="Report it at once to revoke the certificate")
        second.check()
        expect(count).to_have_text(f"2 of {QUESTIONS_ASKED} questions answered")

        # the same notebook in Vietnamese: not the English page run ahead
        ahead = ready(server, NOTEBOOK_EN, "lang=en", after=mark)
        mark = len(server.log())
        open_module(page, server, NOTEBOOK_EN, "vi")
        expect(page.locator(".ck-question").first).to_contain_text("Chọn một đáp án",
                                                                   timeout=RENDER_TIMEOUT)
        assert used_ahead(server.log()[mark:]) == []
        # ... and the English one gives way to a Vietnamese one
        wait_for_log(server, lambda log: re.search(rf"Kernel shutdown: {ahead}", log[mark:]),
                     f"kernel {ahead} was shut down")
        ahead = ready(server, NOTEBOOK_EN, "lang=vi", after=mark)

        # the notebook changes on disk: the page run ahead of the old one is not shown
        notebook = site.module_folder / NOTEBOOK_EN
        changed = nbformat.read(notebook, as_version=4)
        changed.cells.insert(0, nbformat.v4.new_markdown_cell("## Updated by the trainer"))
        nbformat.write(changed, notebook)
        mark = len(server.log())
        open_module(page, server, NOTEBOOK_EN, "vi")
        expect(page.get_by_text("Updated by the trainer")).to_be_visible(timeout=RENDER_TIMEOUT)
        expect(page.get_by_role("radio", name=FIRST_OPTION)).to_be_checked()
        assert used_ahead(server.log()[mark:]) == []
        wait_for_log(server, lambda log: re.search(rf"Kernel shutdown: {ahead}", log[mark:]),
                     f"kernel {ahead} was shut down")
    finally:
        context.close()


def start_module(server: LearnerServer) -> requests.Session:
    """The learner, reading English, starts the module on My learning (nbgrader fetches
    it) without opening it; their session."""
    session = server.session("en")
    started = session.post(server.url + "learning/fetch", allow_redirects=False, data={
        "course_id": COURSE_ID, "assignment_id": MODULE_ID,
        "_xsrf": session.cookies.get("_xsrf", ""),
    })
    assert started.status_code == 303, started.text
    return session


@pytest.fixture
def fetched_site(tmp_path: Path) -> FrameSite:
    """The module released to the learner, not started yet."""
    site = FrameSite.create(tmp_path / "site")
    site.release()
    return site


@pytest.mark.timeout(300)
def test_my_learning_runs_the_module_it_suggests_ahead(
    browser: Browser, fetched_site: FrameSite
) -> None:
    server = LearnerServer(fetched_site, *WHATEVER_THE_LOAD).start()
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    try:
        start_module(server)
        write_answers(fetched_site.module_folder, {"q1": "integrity"})
        assert used_ahead(server.log()) == []

        context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "en", "url": server.url}])
        page = context.new_page()
        page.goto(f"{server.url}learning?token={TOKEN}")
        ahead = ready(server, NOTEBOOK_EN, "lang=en")  # the page suggests "Continue"
        page.get_by_role("link", name="Continue").first.click()
        choice = page.get_by_role("radio", name=FIRST_OPTION)
        choice.wait_for(timeout=RENDER_TIMEOUT)
        assert used_ahead(server.log()) == [ahead]
        expect(choice).to_be_checked()
    finally:
        context.close()
        server.stop()


@pytest.mark.timeout(300)
def test_the_notebook_opened_longest_ago_gives_way(fetched_site: FrameSite) -> None:
    """One notebook kept (the option set to 1): opening the other language's notebook shuts
    the first one's page run ahead down."""
    server = LearnerServer(fetched_site, *WHATEVER_THE_LOAD,
                           "--ModulePageKernelManager.pooled_notebooks=1",
                           "--ModulePageKernelManager.fill_delay=0").start()
    try:
        session = start_module(server)
        base = f"{server.url}voila/render/{COURSE_ID}/{MODULE_ID}/"
        assert session.get(f"{base}{NOTEBOOK_EN}?lang=en", timeout=120).ok
        english = ready(server, NOTEBOOK_EN, "lang=en")
        mark = len(server.log())
        assert session.get(f"{base}{NOTEBOOK}?lang=vi", timeout=120).ok
        vietnamese = ready(server, NOTEBOOK, "lang=vi", after=mark)
        wait_for_log(server, lambda log: re.search(rf"Kernel shutdown: {english}", log[mark:]),
                     f"kernel {english} was shut down")
        assert f"Kernel shutdown: {vietnamese}" not in server.log()

        # its kernel shut down from outside (the kernels API): that page is not offered
        gone = session.delete(f"{server.url}api/kernels/{vietnamese}", timeout=60,
                              headers={"X-XSRFToken": session.cookies.get("_xsrf", "")})
        assert gone.status_code == 204, gone.text
        mark = len(server.log())
        page = session.get(f"{base}{NOTEBOOK}?lang=vi", timeout=120)
        assert page.ok and "lesson" in page.text
        assert used_ahead(server.log()[mark:]) == []

        # one restarted (the kernels API): its page named widgets the restart ended
        restarted = ready(server, NOTEBOOK, "lang=vi", after=mark)
        again = session.post(f"{server.url}api/kernels/{restarted}/restart", timeout=60,
                             headers={"X-XSRFToken": session.cookies.get("_xsrf", "")})
        assert again.status_code == 200, again.text
        mark = len(server.log())
        page = session.get(f"{base}{NOTEBOOK}?lang=vi", timeout=120)
        assert page.ok and used_ahead(server.log()[mark:]) == []

        # a learner's own notebook, opened in Voila, is never run ahead; a module's is
        own = fetched_site.home / "mine.ipynb"
        nbformat.write(nbformat.v4.new_notebook(), own)
        mark = len(server.log())
        assert session.get(f"{server.url}voila/render/mine.ipynb", timeout=120).ok
        assert session.get(f"{base}{NOTEBOOK_EN}?lang=en", timeout=120).ok
        ready(server, NOTEBOOK_EN, "lang=en", after=mark)  # scheduled after mine's would be
        assert "mine.ipynb" not in "".join(
            line for line in server.log()[mark:].splitlines() if "Module page" in line)
    finally:
        server.stop()


@pytest.mark.timeout(400)
def test_a_page_none_was_run_ahead_for_opens_in_a_spare_kernel(
    browser: Browser, fetched_site: FrameSite
) -> None:
    """The module's first open, and another language: no page was run ahead for them, and
    the spare kernel started when My learning was shown runs them, in the module's folder
    (the learner's saved answer is shown) with the request's language."""
    server = LearnerServer(fetched_site, *WHATEVER_THE_LOAD).start()
    context = browser.new_context()
    context.set_default_timeout(STATE_TIMEOUT)
    try:
        start_module(server)  # My learning was shown: a spare kernel is started
        write_answers(fetched_site.module_folder, {"q1": "integrity"})
        spare = spare_ready(server)

        page = context.new_page()
        page.goto(f"{server.url}learning?token={TOKEN}")  # logged in
        mark = len(server.log())
        open_module(page, server, NOTEBOOK_EN, "en")
        choice = page.get_by_role("radio", name=FIRST_OPTION)
        choice.wait_for(timeout=RENDER_TIMEOUT)
        assert spares_taken(server.log()[mark:]) == [spare]
        assert used_ahead(server.log()[mark:]) == []
        expect(choice).to_be_checked()  # the answers file of the module's folder
        card = page.locator(".ck-question").filter(has=choice)
        expect(card.get_by_role("status")).to_contain_text("Saved ✓: your earlier answer")
        # the page works in it: an answer is saved as usual
        page.get_by_role("radio", name="Report it at once to revoke the certificate").check()
        count = page.get_by_role("banner", name="The module and your progress") \
            .get_by_role("status")
        expect(count).to_have_text(f"2 of {QUESTIONS_ASKED} questions answered")

        # another spare is started, and the next English page is run ahead; the page in
        # Vietnamese was not: it opens in the new spare kernel
        again = spare_ready(server, after=mark)
        assert again != spare
        ready(server, NOTEBOOK_EN, "lang=en", after=mark)
        mark = len(server.log())
        open_module(page, server, NOTEBOOK_EN, "vi")
        expect(page.locator(".ck-question").first).to_contain_text("Chọn một đáp án",
                                                                   timeout=RENDER_TIMEOUT)
        expect(page.get_by_role("radio", name=FIRST_OPTION)).to_be_checked()
        assert spares_taken(server.log()[mark:]) == [again]
        assert used_ahead(server.log()[mark:]) == []

        # a spare kernel shut down from outside (the kernels API) is not used: the page
        # (none run ahead in English: My learning here was in Vietnamese) gets a kernel of
        # its own, and another spare is started
        third = spare_ready(server, after=mark)
        session = server.session("en")
        gone = session.delete(f"{server.url}api/kernels/{third}", timeout=60,
                              headers={"X-XSRFToken": session.cookies.get("_xsrf", "")})
        assert gone.status_code == 204, gone.text
        mark = len(server.log())
        fresh = session.get(f"{server.url}voila/render/{COURSE_ID}/{MODULE_ID}/{NOTEBOOK}"
                            "?lang=en", timeout=120)
        assert fresh.ok and "lesson" in fresh.text
        assert spares_taken(server.log()[mark:]) == []
        assert used_ahead(server.log()[mark:]) == []
        last = spare_ready(server, after=mark)
    finally:
        context.close()
        server.stop()
    # stopping the server ends its kernels, the spare one's too
    assert kernel_processes(fetched_site) == [], server.log()[-3000:]
    assert last not in "".join(kernel_processes(fetched_site))


def test_a_spare_kernel_takes_the_pages_folder_and_environment(tmp_path: Path) -> None:
    started_with = {"PATH": os.environ["PATH"], "KEPT": "1", "CHANGED": "old", "GONE": "x",
                    ENV_VARIABLE.VOILA_PREHEAT: "False"}
    # as Voila's handler gives it: some names are members of a StrEnum
    wanted = {"PATH": os.environ["PATH"], "KEPT": "1", "CHANGED": "new",
              ENV_VARIABLE.VOILA_PREHEAT: "False",
              ENV_VARIABLE.QUERY_STRING: "lang=en&x='\"\n\\"}
    folder = tmp_path / "m 1 'x'"
    folder.mkdir()
    code = spare_fixup_code(str(folder), started_with, wanted)
    check = (f"before = set(globals())\n{code}\nimport json, os\n"
             "print(json.dumps([os.getcwd(), dict(os.environ), "
             "sorted(set(globals()) - before - {'json', 'os'})]))")
    out = subprocess.run([sys.executable, "-c", check], env=started_with, cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    cwd, env, left = json.loads(out)
    assert cwd == str(folder)
    assert {k: env.get(k) for k in (*started_with, *wanted)} == {**wanted, "GONE": None}
    assert left == ["before"]  # nothing of its own left in the namespace


def in_own_loop(coroutine: Any) -> Any:
    """Run ``coroutine`` in an event loop of its own (Playwright's sync API may hold this
    thread's)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=120)


def test_a_ready_client_gets_the_first_requests_output() -> None:
    """Ready means both channels are connected: the output of the very first request after
    the wait comes on IOPub."""

    async def first_output() -> str:
        manager = AsyncKernelManager(kernel_name="python3",
                                     client_class=f"{ReadyKernelClient.__module__}."
                                                  "ReadyKernelClient")
        await manager.start_kernel()
        client = manager.client()
        try:
            assert isinstance(client, ReadyKernelClient)
            client.start_channels()
            await client.wait_for_ready(timeout=60)
            msg_id = client.execute("print('xin chào')")
            while True:
                message = await client.get_iopub_msg(timeout=60)
                if (message["parent_header"].get("msg_id") == msg_id
                        and message["msg_type"] == "stream"):
                    return str(message["content"]["text"])
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    assert in_own_loop(first_output()) == "xin chào\n"


def test_a_ready_client_of_a_dead_kernel_says_so() -> None:
    """At once (its kernel manager knows), not at the end of the wait."""

    async def wait_for_dead() -> str:
        manager = AsyncKernelManager(kernel_name="python3")
        await manager.start_kernel()
        connection = manager.get_connection_info(session=True)
        await manager.shutdown_kernel(now=True)  # the process is gone
        client = ReadyKernelClient(parent=manager, **connection)
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=600)
        except RuntimeError as exc:
            return str(exc)
        finally:
            client.stop_channels()
        return "ready"

    assert in_own_loop(wait_for_dead()) == "Kernel died before replying to kernel_info"


class ScriptedChannel:
    """A channel whose messages are given: each get_msg takes the next one, or finds none
    (queue.Empty, as a channel with nothing within its timeout)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.read = 0

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        self.read += 1
        if not self.messages:
            raise queue.Empty
        return self.messages.pop(0)


class ScriptedClient(ReadyKernelClient):
    """The real client's wait over scripted channels: ``iopub_script`` says, for each
    kernel_info request, what IOPub has when it is read (None: nothing yet)."""

    def __init__(self, iopub_script: list[list[str] | None]) -> None:
        super().__init__()
        self.shell = ScriptedChannel()
        self.iopub = ScriptedChannel()
        self.iopub_script = iopub_script
        self.requests: list[str] = []

    @property
    def shell_channel(self) -> ScriptedChannel:  # type: ignore[override]
        return self.shell

    @property
    def iopub_channel(self) -> ScriptedChannel:  # type: ignore[override]
        return self.iopub

    async def _async_is_alive(self) -> bool:
        return True

    def kernel_info(self) -> str:
        msg_id = f"info-{len(self.requests)}"
        self.requests.append(msg_id)
        self.shell.messages.append({"parent_header": {"msg_id": msg_id},
                                    "msg_type": "kernel_info_reply",
                                    "content": {"protocol_version": "4.1"}})
        parents = self.iopub_script.pop(0)
        for parent in parents or []:
            self.iopub.messages.append({"parent_header": {"msg_id": parent.format(msg_id)},
                                        "msg_type": "status"})
        return msg_id


def test_a_ready_client_asks_again_until_iopub_answers() -> None:
    # IOPub not yet subscribed when the kernel answered the first request: asked again
    client = ScriptedClient([None, ["{}"]])
    in_own_loop(client.wait_for_ready(timeout=60))
    assert client.requests == ["info-0", "info-1"]
    assert client.session.adapt_version == 4  # the reply was handled (protocol 4)

    # messages about other requests (the spare kernel's own) are passed over, and nothing
    # is read on IOPub after the one about this request
    client = ScriptedClient([["other", "{}", "after"]])
    in_own_loop(client.wait_for_ready(timeout=60))
    assert client.requests == ["info-0"]
    assert client.iopub.read == 2 and len(client.iopub.messages) == 1


def child_kernels() -> list[int]:
    """This process's kernel processes (not those that have ended)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (proc / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"ipykernel" in command:
            found.append(int(proc.name))
    return found


def test_a_spare_kernel_taken_for_a_page_restarts_as_that_pages_kernel(tmp_path: Path) -> None:
    """Taken, it is the page's: in the notebook's folder with the request's environment,
    and so after a restart (after a crash, or asked for) too."""
    (tmp_path / "course" / "module").mkdir(parents=True)
    folder = str(tmp_path / "course" / "module")
    check = (f"import os\nassert os.getcwd() == {folder!r}, os.getcwd()\n"
             "assert os.environ['QUERY_STRING'] == 'lang=en', os.environ.get('QUERY_STRING')")

    async def take_then_restart() -> list[str]:
        manager = ModulePageKernelManager(root_dir=str(tmp_path), max_load=0,
                                          connection_dir=str(tmp_path))
        try:
            manager.keep_spare_kernel()
            while not any(manager._ready(task) for task in manager._spares):
                await asyncio.sleep(0.01)
            env = {**os.environ, ENV_VARIABLE.QUERY_STRING: "lang=en"}
            kernel_id = await manager._take_spare("python3", "course/module", env)
            assert kernel_id is not None
            statuses = []
            for restart in (False, True):
                if restart:
                    await manager.restart_kernel(kernel_id)
                reply = await manager._execute(kernel_id, check, 60)
                assert reply is not None
                statuses.append(reply["content"]["status"] + reply["content"].get("evalue", ""))
            return statuses
        finally:
            await manager.shutdown_all()

    assert in_own_loop(take_then_restart()) == ["ok", "ok"]


def test_stopping_while_a_spare_kernel_starts_leaves_no_kernel(tmp_path: Path) -> None:
    async def stop_while_starting() -> tuple[list[bool], list[str]]:
        manager = ModulePageKernelManager(root_dir=str(tmp_path), max_load=0,
                                          connection_dir=str(tmp_path))
        manager.keep_spare_kernel()
        while not child_kernels():  # its process exists: the state waited for
            await asyncio.sleep(0.005)
        starting = [task.done() for task in manager._spares]
        await manager.shutdown_all()
        manager.keep_spare_kernel()  # asked for again while stopping: nothing starts
        return starting, manager.list_kernel_ids()

    starting, left = in_own_loop(stop_while_starting())
    assert starting == [False]
    assert left == []
    assert child_kernels() == []
    assert list(tmp_path.glob("kernel-*.json")) == []  # its connection file is gone too


class LoadedMachine(ModulePageKernelManager):
    """The real kernel manager on a machine whose load average and recent CPU use the test
    sets."""

    def __init__(self, load_per_cpu: float, cpu_busy: float = 0.0, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.load_per_cpu = load_per_cpu
        self.cpu_busy = cpu_busy
        self.asked = 0

    def load_average(self) -> float:
        self.asked += 1
        return self.load_per_cpu * (os.cpu_count() or 1)

    def recent_cpu_busy(self) -> float:
        return self.cpu_busy


def test_a_machine_busy_right_now_is_busy_before_its_load_average_says_so(
        tmp_path: Path) -> None:
    # a class arriving: the load average still low, every CPU busy since the last check
    assert LoadedMachine(0.2, cpu_busy=0.95, root_dir=str(tmp_path)).machine_busy()
    assert LoadedMachine(0.2, cpu_busy=0.8, root_dir=str(tmp_path)).machine_busy()
    assert not LoadedMachine(0.2, cpu_busy=0.3, root_dir=str(tmp_path)).machine_busy()
    assert not LoadedMachine(0.2, cpu_busy=0.95, root_dir=str(tmp_path),
                             max_load=0).machine_busy()


def test_the_recent_cpu_use_is_read_from_the_machine(tmp_path: Path) -> None:
    manager = ModulePageKernelManager(root_dir=str(tmp_path))
    spin_until = time.process_time() + 0.3
    while time.process_time() < spin_until:  # this process keeps one CPU busy meanwhile
        pass
    share = manager.recent_cpu_busy()
    assert 1 / (os.cpu_count() or 1) * 0.5 <= share <= 1.0


def test_a_busy_machine_is_judged_by_its_load_per_cpu(tmp_path: Path) -> None:
    assert LoadedMachine(1.5, root_dir=str(tmp_path)).machine_busy()
    assert LoadedMachine(1.0, root_dir=str(tmp_path)).machine_busy()
    assert not LoadedMachine(0.6, root_dir=str(tmp_path)).machine_busy()
    assert not LoadedMachine(9.0, root_dir=str(tmp_path), max_load=0).machine_busy()
    assert not LoadedMachine(1.5, root_dir=str(tmp_path), max_load=2.0).machine_busy()


def test_while_the_machine_is_busy_no_page_is_run_ahead(tmp_path: Path) -> None:
    folder = tmp_path / COURSE_ID / MODULE_ID
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), folder / NOTEBOOK)
    notebook = f"{COURSE_ID}/{MODULE_ID}/{NOTEBOOK}"

    async def busy_for_a_while() -> LoadedMachine:
        manager = LoadedMachine(2.0, root_dir=str(tmp_path), fill_delay=0.01)
        manager.preheat(notebook, "lang=vi")
        while manager.asked < 3:  # asked, put off, asked again: the state waited for
            await asyncio.sleep(0.01)
        return manager

    # a loop of its own: Playwright's sync API may hold this thread's
    with ThreadPoolExecutor(max_workers=1) as pool:
        manager = pool.submit(asyncio.run, busy_for_a_while()).result(timeout=60)
    assert manager.list_kernel_ids() == []
    assert manager.get_pool_size(notebook) == 0


def test_while_the_machine_is_busy_no_spare_kernel_is_started(tmp_path: Path) -> None:
    async def busy_for_a_while() -> LoadedMachine:
        manager = LoadedMachine(2.0, root_dir=str(tmp_path), fill_delay=0.01)
        manager.keep_spare_kernel()
        while manager.asked < 3:  # asked, put off, asked again: the state waited for
            await asyncio.sleep(0.01)
        return manager

    manager = in_own_loop(busy_for_a_while())
    assert manager.list_kernel_ids() == []
    assert manager._spares == []


def test_no_path_outside_the_root_or_with_a_nul_is_a_notebook(tmp_path: Path) -> None:
    manager = ModulePageKernelManager(root_dir=str(tmp_path))
    (tmp_path / "m").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "m" / "a.ipynb")
    (tmp_path / "m" / "out.ipynb").symlink_to(tmp_path.parent / "elsewhere.ipynb")
    assert manager.notebook_file("m/a.ipynb") == tmp_path / "m" / "a.ipynb"
    for bad in ("m/a\x00.ipynb", "../m/a.ipynb", "/m/a.ipynb", "m//a.ipynb", "m\\a.ipynb",
                "m/b.ipynb", "m/a.txt", "m/out.ipynb", "m/./a.ipynb"):
        assert manager.notebook_file(bad) is None, bad
        assert manager.get_pool_size(bad) == 0
