"""Module pages that open at once: a learner's next page of a module is run before the click.

Voila starts a fresh kernel for every page view and sends the page once the kernel has run
the notebook; on this platform's machines that is most of the time from a click to the
first question (docs/performance.md). Voila can keep pages run ahead ("preheated kernels":
``voila/voila_kernel_manager.py``), and its handler uses them in the server extension too:
it asks the server's kernel manager for ``notebook_data``, ``get_pool_size(path)`` and
``get_rendered_notebook(...)`` (``voila/handler.py``, ``get_generator``). But Voila's pool
is made for the standalone ``voila`` application: it reads that application's settings and
runs every notebook under the root at start. `ModulePageKernelManager` is that kernel
manager for a learner's server (``c.ServerApp.kernel_manager_class``):

- **Which pages.** After a learner opens a module page, the next page of that notebook is
  run ahead (``fill_delay`` seconds later, so that it does not compete with the page just
  opened): reloading the page, or coming back from the e-office, is then at once. At most
  ``pooled_notebooks`` notebooks keep a page (one kernel each, about 60 MiB); the one
  opened longest ago gives way. While every CPU is busy (the load average, ``max_load``,
  or the CPU time used since the last look, ``max_cpu_busy``), pages wait to be run ahead,
  and are tried again at a random moment: a class that starts together is not slowed down
  by them.
  My learning also asks for the page of the module it says to continue (`preheat`). A
  page is offered once it has run to the end; one still running is not (the request gets
  a page run for it, as without run-ahead pages).
- **Its language.** A page is run for one query string: its ``lang=`` (what the kit's texts
  are translated by: ``course_kit.i18n``). A request in another language gets a page run
  for it, as without a pool.
- **Only modules.** Only a catalog module's notebook is run ahead (``is_module_notebook``,
  set by My learning's extension), never a learner's own.
- **Never stale.** A page whose notebook changed on disk since it was run is dropped, and
  so is one whose kernel was shut down or restarted, or whose run failed.
  The learner may have answered in another page since this one ran: before a page is
  handed over, its (idle) kernel runs ``course_kit.responses.RELOAD_CODE``, and the kit's
  widgets show the answers file as it is then; a kernel that does not answer that it did
  is shut down and the page is run for the request. The rest of the page is the
  notebook's own output, the same for every run.
- **A spare kernel for the rest.** A page none was run ahead for (a module's first open,
  a reopen before its next page has run, another language) still needs a kernel: one is
  kept started, with the course kit imported (``spare_kernels``, ``spare_code``), from
  when My learning is shown, and started again ``spare_delay`` seconds after it is taken.
  Taken for a page, it first moves to the notebook's folder and takes the request's
  environment (what Voila would have started a kernel with), then Voila runs the notebook
  in it as in a kernel of its own: the page skips the kernel's start. A spare kernel that
  was shut down, or that does not confirm the move, is not used (one restarted is: it
  moves all the same, and the notebook imports the kit itself).
- **Isolation** is unchanged: the kernels are the learner's server's, run as the learner.

Kernels run ahead are started with ``VOILA_PREHEAT=False``: Voila's standalone pool sets it
to ``True`` and hands the request's query string to the kernel later, over a websocket the
server extension does not have (``voila.utils.wait_for_request``); here the kernel gets its
query string (the language) in its environment at start, like a kernel Voila starts for a
request.
"""

from __future__ import annotations

import asyncio
import math
import os
import queue
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager
from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from traitlets import Float, Integer, Unicode
from voila.configuration import VoilaConfiguration
from voila.notebook_renderer import NotebookRenderer
from voila.paths import collect_template_paths
from voila.server_extension import load_config_file
from voila.utils import ENV_VARIABLE, get_page_config
from voila.voila_kernel_manager import voila_kernel_manager_factory

from course_kit.i18n import LANGUAGE_PARAMETER
from course_kit.responses import RELOAD_CODE

from .frame import root_relative_parts

#: Voila's pooling kernel manager over jupyter_server's: shutdown, culling and the running of
#: a page are Voila's; which pages, when, and for whom are this module's.
_VoilaPool: type[AsyncMappingKernelManager] = voila_kernel_manager_factory(
    AsyncMappingKernelManager, preheat_kernel=True, default_pool_size=0
)

#: How long the answers' reload may take before the page is handed over regardless.
RELOAD_TIMEOUT = 10.0
#: How long a spare kernel may take to start and import the kit, and to take a request's
#: folder and environment, before it is given up.
SPARE_START_TIMEOUT = 60.0
SPARE_TAKE_TIMEOUT = 10.0


def spare_fixup_code(cwd: str, started_with: dict[str, str], wanted: dict[str, str]) -> str:
    """Code that turns a kernel started in another folder with the environment
    ``started_with`` into one started in ``cwd`` with ``wanted``, leaving no name behind in
    the notebook's namespace (the strings are Python literals: ``repr``)."""
    # str(): Voila's names are a StrEnum's members, whose repr is no literal
    changed = {str(name): str(value) for name, value in wanted.items()
               if started_with.get(name) != value}
    removed = sorted(str(name) for name in set(started_with) - set(wanted))
    return (
        f"(lambda os: (os.chdir({cwd!r}), os.environ.update({changed!r}), "
        f"[os.environ.pop(name, None) for name in {removed!r}]))(__import__('os'))"
    )


class ReadyKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel has answered on both channels
    (``c.ServerKernelManager.client_class`` of a learner's server).

    Voila's renderer runs a page's notebook through nbclient, which waits for its client to
    be ready (``wait_for_ready``). jupyter_client's wait, after the kernel's reply, waits
    for a message on IOPub (0.2 s at most), then reads IOPub until nothing has come for
    0.2 s: a fifth of a second or more spent on every page, with nothing to wait for. This
    one sends ``kernel_info`` and is ready once both its reply (shell) and a message about
    it (IOPub: the kernel's busy or idle status) have come, which proves both channels
    connected; without the IOPub message (a subscription not yet in place when the kernel
    published), it asks again. Messages about other requests read meanwhile are dropped, as
    jupyter_client's flush drops them: nbclient reads only the ones about its own."""

    #: How long the IOPub message about a kernel_info request may take, once replied to.
    status_wait = 0.2

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        # a client of a kernel manager asks it whether the kernel lives (below); another
        # waits for the heartbeat, as jupyter_client's does
        while not isinstance(self.parent, KernelManager) and not await self._async_is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond to heartbeats in {timeout} seconds")
            await asyncio.sleep(0.05)
        while True:
            msg_id = self.kernel_info()
            reply = await self._message_about(
                self.shell_channel, msg_id, min(1.0, max(0.0, deadline - time.monotonic()))
            )
            if reply is not None and await self._message_about(
                self.iopub_channel, msg_id, self.status_wait
            ) is not None:
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    @staticmethod
    async def _message_about(channel: Any, msg_id: str,
                             timeout: float) -> dict[str, Any] | None:
        """The first message on ``channel`` about the request ``msg_id`` within ``timeout``
        seconds (others read meanwhile are dropped), or None."""
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                message: dict[str, Any] = await channel.get_msg(timeout=left)
            except queue.Empty:
                return None
            if message.get("parent_header", {}).get("msg_id") == msg_id:
                return message
        return None


def page_query(query: str) -> str:
    """The part of a module page's query string that its kernel depends on: its ``lang=``
    values, in order (``course_kit.i18n.current_language`` takes the first it knows)."""
    values = parse_qs(query).get(LANGUAGE_PARAMETER, [])
    return urlencode([(LANGUAGE_PARAMETER, value) for value in values])


@dataclass(frozen=True)
class NotebookStamp:
    """A notebook file as it was when a page of it was run."""

    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> NotebookStamp | None:
        try:
            status = path.stat()
        except OSError:
            return None
        return cls(status.st_mtime_ns, status.st_size)


@dataclass(frozen=True)
class SpareKernel:
    """A kernel started ahead of any page, and the environment it was started with."""

    kernel_id: str
    env: dict[str, str]


@dataclass(frozen=True)
class RunAhead:
    """A page of a notebook being run, or run, before anyone asked for it."""

    query: str
    stamp: NotebookStamp


def _cpu_times() -> tuple[int, int] | None:
    """The machine's CPU time so far, busy and in all, in clock ticks (``/proc/stat``);
    None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(fields) < 4:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user time
    return total - idle, total


def _started(task: asyncio.Future[Any]) -> bool:
    """The page's kernel is up and running the notebook (or has run it)."""
    return task.done() and not task.cancelled() and task.exception() is None


def _has_run(task: asyncio.Future[Any]) -> bool:
    """The page's kernel has run the whole notebook: the page is all there, and the
    kernel is idle and has answered its renderer (ready for another client)."""
    if not _started(task):
        return False
    render: asyncio.Future[Any] = task.result()["task"]
    return render.done() and not render.cancelled() and render.exception() is None


class ModulePageKernelManager(_VoilaPool):  # type: ignore[misc, valid-type]
    """The kernel manager of a learner's server: Voila's, with module pages run ahead."""

    pooled_notebooks = Integer(
        1,
        config=True,
        help="How many notebooks keep a page run ahead (one kernel each); the one opened "
        "longest ago gives way. 0: none.",
    )
    fill_delay = Float(
        5.0,
        config=True,
        help="Seconds after a page of a notebook is handed over before the next one is run.",
    )
    spare_kernels = Integer(
        1,
        config=True,
        help="How many kernels are kept started, with spare_code run, for a module page "
        "none was run ahead for (one kernel each). 0: none.",
    )
    spare_delay = Float(
        1.0,
        config=True,
        help="Seconds after a spare kernel is taken before the next one is started (the "
        "page taken for has been run by then: a spare kernel runs a page in about 0.2 s).",
    )
    spare_code = Unicode(
        "__import__('course_kit.widgets')",
        config=True,
        help="What a spare kernel runs once started: the imports every module page makes.",
    )
    max_load = Float(
        1.0,
        config=True,
        help="A page is run ahead only while the machine's load average (1 minute) per CPU "
        "is below this; otherwise it is tried again fill_delay seconds later. 0: whatever "
        "the load.",
    )

    max_cpu_busy = Float(
        0.8,
        config=True,
        help="Nor while the share of the machine's CPU time spent busy since the last "
        "check is at or above this (the load average lags behind a class arriving at "
        "once). Off with max_load=0.",
    )

    def __init__(self, **kwargs: Any) -> None:
        # Not Voila's __init__: it reads the standalone application's notebook_path and
        # runs every notebook under the root.
        AsyncMappingKernelManager.__init__(self, **kwargs)
        self.notebook_data: dict[str, dict[str, Any]] = {}
        self._pools: dict[str, list[asyncio.Task[dict[str, Any]]]] = {}
        self.notebook_path = None
        self._run_ahead: dict[asyncio.Task[dict[str, Any]], RunAhead] = {}
        self._timers: dict[str, tuple[asyncio.TimerHandle, str]] = {}
        self._discarded: set[asyncio.Task[dict[str, Any]]] = set()  # still starting
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._voila: tuple[VoilaConfiguration, list[str]] | None = None
        #: Which notebooks are modules' (a path under the root -> yes or no): only those
        #: are run ahead, never a learner's own notebook. My learning's extension sets it
        #: (my_learning/__init__.py); until then, none is.
        self.is_module_notebook: Callable[[str], bool] = lambda _notebook: False
        #: spare kernels starting or waiting (their ids), and the timer of the next one
        self._spares: list[asyncio.Task[SpareKernel]] = []
        self._spare_timer: asyncio.TimerHandle | None = None
        self._closing = False  # shutdown_all has begun: nothing more is started
        self._cpu_sample = _cpu_times()  # (busy, total) clock ticks: see recent_cpu_busy
        self._spare_starts: set[asyncio.Future[str]] = set()  # spare kernels' starts

    # -- what Voila's handler asks ------------------------------------------------------
    def get_pool_size(self, notebook_name: str) -> int:
        """Pages of ``notebook_name`` run ahead to the end, from the notebook as it is. A
        page still running is not offered: the request gets a page run for it."""
        self._drop_stale(notebook_name)
        return sum(1 for task in self._pools.get(notebook_name, ()) if _has_run(task))

    async def get_rendered_notebook(
        self,
        notebook_name: str,
        extra_kernel_env_variables: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[asyncio.Task[Any], list[str], str]:
        """A page of ``notebook_name`` for this request: the one run ahead for its language,
        else one run now. Its answers are reloaded first; then the next one is run ahead."""
        url = (extra_kernel_env_variables or {}).get(ENV_VARIABLE.VOILA_REQUEST_URL, "")
        query = page_query(urlsplit(url).query)
        task = self._take(notebook_name, query)
        page = task.result() if task is not None else None
        # its kernel is idle: the reload is answered at once, and the page goes out with
        # the answers as they are now; a page that cannot say so is not shown
        if page is not None:
            try:
                reloaded = await self._reload_answers(page["kernel_id"])
            except asyncio.CancelledError:  # the request went away: so does the page
                asyncio.ensure_future(self._shut_down(page["kernel_id"]))
                raise
            except Exception:
                self.log.exception("Module page: reloading the answers in kernel %s",
                                   page["kernel_id"])
                reloaded = False
            if not reloaded:
                await self._shut_down(page["kernel_id"])
                page = None
        if page is not None:
            self.log.info("Module page: run ahead in kernel %s: %s", page["kernel_id"],
                          notebook_name)
        else:
            # none run ahead in this language: run it for this request, as Voila does (its
            # cells read the answers as they are now), in a spare kernel if there is one
            arguments = self._start_arguments(notebook_name, query)
            kernel_name = self.notebook_data.get(notebook_name, {}).get("kernel_name")
            spare = await self._take_spare(kernel_name, arguments["path"], arguments["env"])
            page = await self._initialize(notebook_name, spare, **arguments)
        renderer: NotebookRenderer = page["renderer"]
        renderer.stop_generator = True  # the handler renders what is left, if anything
        self.preheat(notebook_name, query, delay=self.fill_delay)
        self.keep_spare_kernel(delay=self.spare_delay)
        return page["task"], renderer.rendered_cache, page["kernel_id"]

    async def start_kernel(self, **kwargs: Any) -> str:
        """A kernel as asked. When Voila's handler asks for one for a module page it had no
        page run ahead for, it is a spare kernel if one is ready, and the next page of that
        notebook is run ahead."""
        env = kwargs.get("env") or {}
        notebook = None
        if env.get(ENV_VARIABLE.VOILA_PREHEAT) == "False":
            notebook = self.notebook_of(env.get(ENV_VARIABLE.SCRIPT_NAME, ""))
            if notebook is not None and not self.is_module_notebook(notebook):
                notebook = None
        kernel_id: str | None = None
        if notebook is not None and kwargs.get("kernel_id") is None:
            kernel_id = await self._take_spare(kwargs.get("kernel_name"),
                                               kwargs.get("path") or "", env)
        if kernel_id is None:
            kernel_id = await super().start_kernel(**kwargs)
        if notebook is not None:
            query = page_query(env.get(ENV_VARIABLE.QUERY_STRING, ""))
            self.preheat(notebook, query, delay=self.fill_delay)
            self.keep_spare_kernel(delay=self.spare_delay)
        return kernel_id

    # -- spare kernels -------------------------------------------------------------------
    def keep_spare_kernel(self, delay: float = 0.0) -> None:
        """Have ``spare_kernels`` kernels started and waiting for a module page, the next
        one starting in ``delay`` seconds (later while the machine is busy)."""
        if self._closing or self.spare_kernels <= 0 or self._spare_timer is not None:
            return
        if self._spare_count() >= self.spare_kernels:
            return
        self._spare_timer = asyncio.get_running_loop().call_later(delay, self._start_spare)

    def _spare_count(self) -> int:
        """Spare kernels starting or ready (those shut down or failed forgotten)."""
        self._spares = [task for task in self._spares if not task.done() or self._ready(task)]
        return len(self._spares)

    def _ready(self, task: asyncio.Future[SpareKernel]) -> bool:
        """A spare kernel that started, ran ``spare_code`` and is still there."""
        return _started(task) and task.result().kernel_id in self

    def _start_spare(self) -> None:
        self._spare_timer = None
        if self._closing or self._spare_count() >= self.spare_kernels:
            return
        if self.machine_busy():
            self._spare_timer = asyncio.get_running_loop().call_later(
                self.busy_retry_delay(), self._start_spare
            )
            return
        task = asyncio.ensure_future(self._spare_kernel())
        self._spares.append(task)

        def started(done: asyncio.Task[SpareKernel]) -> None:
            if _started(done):
                self.log.info("Module page: spare kernel %s ready", done.result().kernel_id)
            elif not done.cancelled():
                self.log.warning("Module page: a spare kernel did not start: %s",
                                 done.exception())
                if done in self._spares:
                    self._spares.remove(done)

        task.add_done_callback(started)

    async def _spare_kernel(self) -> SpareKernel:
        """Start a kernel in the server's root, with the server's environment, and have it
        run ``spare_code``."""
        env = {**os.environ, ENV_VARIABLE.VOILA_PREHEAT: "False"}
        # shielded: a cancel (shutdown_all) must not cut jupyter_client's start between the
        # kernel's process and its registration, which would leave the process behind; the
        # start goes on, and shutdown_all waits for it and shuts the kernel down
        start = asyncio.ensure_future(super().start_kernel(
            kernel_name=self.default_kernel_name, path="", env=env
        ))
        self._spare_starts.add(start)
        start.add_done_callback(self._spare_starts.discard)
        kernel_id: str = await asyncio.shield(start)
        try:
            message = await self._execute(kernel_id, self.spare_code, SPARE_START_TIMEOUT)
        except BaseException:
            await self._shut_down(kernel_id)
            raise
        if message is None or message["content"].get("status") != "ok":
            await self._shut_down(kernel_id)
            raise RuntimeError(
                "its code did not run: "
                + ("no answer" if message is None else message["content"].get("evalue", ""))
            )
        return SpareKernel(kernel_id, env)

    async def _take_spare(self, kernel_name: str | None, path: str,
                          env: dict[str, str]) -> str | None:
        """A spare kernel of ``kernel_name`` moved to ``path`` (under the root) with the
        environment ``env``, taken from the spares; None when none is ready."""
        if kernel_name != self.default_kernel_name:
            return None
        for task in list(self._spares):
            if not self._ready(task) or task not in self._spares:
                continue
            self._spares.remove(task)
            kernel_id, started_with = task.result().kernel_id, task.result().env
            cwd = self.cwd_for_path(path)
            code = spare_fixup_code(cwd, started_with, env)
            try:
                message = await self._execute(kernel_id, code, SPARE_TAKE_TIMEOUT)
            except asyncio.CancelledError:  # the request went away: so does the kernel
                asyncio.ensure_future(self._shut_down(kernel_id))
                raise
            except Exception:
                self.log.exception("Module page: spare kernel %s", kernel_id)
                message = None
            if message is None or message["content"].get("status") != "ok":
                self.log.warning("Module page: spare kernel %s did not take the page: %s",
                                 kernel_id, "no answer" if message is None
                                 else message["content"].get("evalue", ""))
                await self._shut_down(kernel_id)
                continue
            # a restart (after a crash, or asked for) brings it back as the page's kernel,
            # in the notebook's folder with the request's environment
            manager = self.get_kernel(kernel_id)
            manager.update_env(env=dict(env))
            if isinstance(manager._launch_args, dict):
                manager._launch_args["cwd"] = cwd
            self.log.info("Module page: spare kernel %s for %s", kernel_id,
                          env.get(ENV_VARIABLE.SCRIPT_NAME, path))
            return kernel_id
        return None

    # -- running pages ahead -------------------------------------------------------------
    def preheat(self, notebook_name: str, query: str = "", delay: float = 0.0) -> None:
        """Have a page of ``notebook_name`` (a path under the server's root) run for
        ``query`` and waiting, starting in ``delay`` seconds, unless one is already."""
        if (self._closing or self.pooled_notebooks <= 0
                or self.notebook_file(notebook_name) is None):
            return
        self._recent.pop(notebook_name, None)
        self._recent[notebook_name] = None
        while len(self._recent) > self.pooled_notebooks:
            oldest = next(iter(self._recent))
            del self._recent[oldest]
            self._discard(oldest)
        for task in list(self._pools.get(notebook_name, ())):
            entry = self._run_ahead.get(task)
            if entry is None or entry.query != query:  # one page per notebook: the latest
                self._discard_page(notebook_name, task)
        if self._pools.get(notebook_name):
            return
        scheduled = self._timers.get(notebook_name)
        if scheduled is not None:
            if scheduled[1] == query:
                return
            scheduled[0].cancel()
        timer = asyncio.get_running_loop().call_later(
            delay, self._run_page, notebook_name, query
        )
        self._timers[notebook_name] = (timer, query)

    def load_average(self) -> float:
        """The machine's load average over the last minute (0 where it is not known)."""
        try:
            return os.getloadavg()[0]
        except OSError:
            return 0.0

    def recent_cpu_busy(self) -> float:
        """The share of the machine's CPU time spent busy since this was last asked (or
        since the server started): 0 to 1, 0 where it is not known (no ``/proc/stat``).
        The load average lags by tens of seconds; this sees a class arriving at once."""
        sample = _cpu_times()
        if sample is None:
            return 0.0
        previous, self._cpu_sample = self._cpu_sample, sample
        if previous is None:
            return 0.0
        busy, total = sample[0] - previous[0], sample[1] - previous[1]
        return busy / total if total > 0 else 0.0

    def busy_retry_delay(self) -> float:
        """When to ask again after the machine was busy: ``fill_delay`` seconds, give or
        take half, at random, so that the servers of a class that arrived together do not
        all start their pages and spare kernels in the same moment once it is over (those
        that ask later see the CPU the first ones use)."""
        return self.fill_delay * random.uniform(0.5, 1.5)  # noqa: S311 - spreading, not secrecy

    def machine_busy(self) -> bool:
        """Every CPU has work already, now (``recent_cpu_busy`` at ``max_cpu_busy`` or
        more) or over the last minute (the load average at ``max_load`` per CPU or more):
        running a page ahead would slow the pages being opened (a class that starts
        together), so it waits."""
        if self.max_load <= 0:
            return False
        if self.load_average() >= self.max_load * (os.cpu_count() or 1):
            return True
        return self.recent_cpu_busy() >= self.max_cpu_busy

    def _run_page(self, notebook_name: str, query: str) -> None:
        self._timers.pop(notebook_name, None)
        path = self.notebook_file(notebook_name)
        stamp = NotebookStamp.of(path) if path is not None else None
        if stamp is None or notebook_name not in self._recent:
            return
        if self.machine_busy():
            self.log.debug("Module page: the machine is busy, %s is run ahead later",
                           notebook_name)
            timer = asyncio.get_running_loop().call_later(
                self.busy_retry_delay(), self._run_page, notebook_name, query
            )
            self._timers[notebook_name] = (timer, query)
            return
        task = asyncio.ensure_future(
            self._initialize(notebook_name, None, **self._start_arguments(notebook_name, query))
        )
        self._pools.setdefault(notebook_name, []).append(task)
        self._run_ahead[task] = RunAhead(query, stamp)
        task.add_done_callback(lambda done: self._page_started(notebook_name, done))

    def _page_started(self, notebook_name: str, task: asyncio.Task[dict[str, Any]]) -> None:
        if _started(task):
            page = task.result()
            entry = self._run_ahead.get(task)
            query = entry.query if entry is not None else ""

            def ran(render: asyncio.Task[Any]) -> None:
                if not render.cancelled() and render.exception() is None:
                    self.log.info("Module page: ready: %s (%s) in kernel %s", notebook_name,
                                  query, page["kernel_id"])
                    return
                if task not in self._pools.get(notebook_name, ()):
                    return  # discarded while it ran: its kernel was shut down under it
                # a page that could not be run is never offered: it gives way to the next
                self._discard_page(notebook_name, task)
                if not render.cancelled():
                    self.log.warning("Module page: running %s ahead failed: %s",
                                     notebook_name, render.exception())

            page["task"].add_done_callback(ran)
            return
        if task.cancelled() or task.exception() is not None:
            # Voila's own bookkeeping reads every finished task's result: none may fail
            pool = self._pools.get(notebook_name, [])
            if task in pool:
                pool.remove(task)
            self._run_ahead.pop(task, None)
            if not task.cancelled():
                self.log.warning("Module page: running %s ahead failed: %s", notebook_name,
                                 task.exception())

    def _start_arguments(self, notebook_name: str, query: str) -> dict[str, Any]:
        """What Voila's handler starts a page's kernel with (voila/handler.py), for a
        request of ``notebook_name`` with ``query``."""
        server = self.parent
        env = {
            **os.environ,
            ENV_VARIABLE.SCRIPT_NAME: url_path_join(
                server.base_url, "voila", "render", quote(notebook_name)
            ),
            ENV_VARIABLE.PATH_INFO: "",
            ENV_VARIABLE.QUERY_STRING: query,
            ENV_VARIABLE.VOILA_PREHEAT: "False",
            ENV_VARIABLE.VOILA_BASE_URL: server.base_url,
            ENV_VARIABLE.VOILA_SERVER_URL: server.web_app.settings.get("server_url", "/"),
            ENV_VARIABLE.VOILA_APP_PORT: str(server.port),
        }
        return {"path": os.path.dirname(notebook_name), "env": env}

    def _take(self, notebook_name: str, query: str) -> asyncio.Task[dict[str, Any]] | None:
        self._drop_stale(notebook_name)
        pool = self._pools.get(notebook_name, [])
        for task in pool:
            entry = self._run_ahead.get(task)
            if _has_run(task) and entry is not None and entry.query == query:
                pool.remove(task)
                del self._run_ahead[task]
                return task
        return None

    def _drop_stale(self, notebook_name: str) -> None:
        path = self.notebook_file(notebook_name)
        now = NotebookStamp.of(path) if path is not None else None
        for task in list(self._pools.get(notebook_name, ())):
            entry = self._run_ahead.get(task)
            gone = _started(task) and task.result()["kernel_id"] not in self  # shut down
            if entry is None or entry.stamp != now or gone:
                self._discard_page(notebook_name, task)

    def _discard(self, notebook_name: str) -> None:
        scheduled = self._timers.pop(notebook_name, None)
        if scheduled is not None:
            scheduled[0].cancel()
        for task in list(self._pools.get(notebook_name, ())):
            self._discard_page(notebook_name, task)

    def _discard_page(self, notebook_name: str, task: asyncio.Task[dict[str, Any]]) -> None:
        """Forget a page run ahead; its kernel is shut down once it has started."""
        self._pools[notebook_name].remove(task)
        self._run_ahead.pop(task, None)
        if _started(task):
            page = task.result()
            if not page["task"].done():  # still running: its renderer's client goes too
                client = getattr(getattr(page["renderer"], "executor", None), "kc", None)
                if client is not None:
                    client.stop_channels()
            asyncio.ensure_future(self._shut_down(page["kernel_id"]))
        elif not task.done():
            self._discarded.add(task)

            def shut_down(started: asyncio.Task[dict[str, Any]]) -> None:
                self._discarded.discard(started)
                if _started(started):
                    asyncio.ensure_future(self._shut_down(started.result()["kernel_id"]))

            task.add_done_callback(shut_down)

    async def _shut_down(self, kernel_id: str) -> None:
        if kernel_id in self:
            try:
                await ensure_async(self.shutdown_kernel(kernel_id))
            except (KeyError, RuntimeError) as exc:  # already gone
                self.log.debug("Module page: kernel %s: %s", kernel_id, exc)

    async def _execute(self, kernel_id: str, code: str,
                       timeout: float) -> dict[str, Any] | None:
        """Run ``code`` silently in the kernel; its execute reply, or None when there was
        none within ``timeout`` seconds."""
        client = self.get_kernel(kernel_id).client()
        client.start_channels(iopub=False, stdin=False, hb=False, control=False)  # shell only

        async def reply() -> dict[str, Any]:
            msg_id = client.execute(code, silent=True, store_history=False)
            while True:
                message: dict[str, Any] = await client.get_shell_msg()
                if message.get("parent_header", {}).get("msg_id") == msg_id:
                    return message

        try:
            return await asyncio.wait_for(reply(), timeout)
        except (TimeoutError, queue.Empty):
            return None
        finally:
            client.stop_channels()

    async def _reload_answers(self, kernel_id: str) -> bool:
        """Run the kit's reload in the page's kernel (see course_kit.responses); False when
        the kernel did not answer that it did, within RELOAD_TIMEOUT."""
        # the kernel that ran the page, not one restarted since under the same id (its
        # widgets would be gone): Voila's renderer set VOILA_KERNEL_ID in it
        code = (
            f"if __import__('os').environ.get({ENV_VARIABLE.VOILA_KERNEL_ID.value!r}) != "
            f"{kernel_id!r}:\n"
            "    raise RuntimeError('this kernel did not run the page')\n"
            f"{RELOAD_CODE}\n"
        )
        message = await self._execute(kernel_id, code, RELOAD_TIMEOUT)
        if message is None:
            self.log.warning("Module page: kernel %s did not reload the answers within %s s",
                             kernel_id, RELOAD_TIMEOUT)
            return False
        if message["content"].get("status") != "ok":
            self.log.warning("Module page: reloading the answers in kernel %s failed: %s",
                             kernel_id, message["content"].get("evalue", ""))
            return False
        return True

    async def restart_kernel(self, kernel_id: str, now: bool = False) -> None:
        """jupyter_server's restart. A page run ahead in that kernel is dropped first (its
        page names widgets the restart ends), and the notebook is not run again in it
        (Voila's own restart does that, for its pool)."""
        for pool in self._pools.values():
            for task in list(pool):
                if _started(task) and task.result()["kernel_id"] == kernel_id:
                    pool.remove(task)
                    self._run_ahead.pop(task, None)
        await ensure_async(AsyncMappingKernelManager.restart_kernel(self, kernel_id, now=now))

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        """Voila's, which forgets the kernel's page run ahead, if any: so does this."""
        for task in [t for t in self._run_ahead
                     if _started(t) and t.result()["kernel_id"] == kernel_id]:
            del self._run_ahead[task]
        await super().shutdown_kernel(kernel_id, *args, **kwargs)

    async def shutdown_all(self, now: bool = False) -> None:
        self._closing = True
        for timer, _query in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._spare_timer is not None:
            self._spare_timer.cancel()
            self._spare_timer = None
        spares, self._spares = self._spares, []
        for spare in spares:
            spare.cancel()  # one that is done stays done: its kernel is shut down below
        # kernels still starting (spare kernels', pages') finish their start first:
        # jupyter_server shuts down only the kernels it has registered, and a kernel still
        # starting would end its shutdown_all early (a 404) with its process left running
        starting_kernels = [*self._spare_starts, *self._discarded,
                            *(task for pool in self._pools.values() for task in pool)]
        pending = [task for task in starting_kernels if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=SPARE_START_TIMEOUT)
        self._recent.clear()
        self._run_ahead.clear()
        starting, self._discarded = set(self._discarded), set()
        await super().shutdown_all(now=now)
        for task in starting:  # discarded while their kernel started: shut down here
            try:
                kernel_id = (await task)["kernel_id"]
            except Exception:  # noqa: S112 - it never started: nothing to shut down
                continue
            await self._shut_down(kernel_id)
        # spare kernels: their kernels went with the rest; cancelled, they end at once
        await asyncio.gather(*spares, return_exceptions=True)

    # -- paths ---------------------------------------------------------------------------
    def notebook_of(self, script_name: str) -> str | None:
        """The notebook (a path under the server's root) of a Voila page's URL path."""
        prefix = url_path_join(self.parent.base_url, "voila", "render") + "/"
        if not script_name.startswith(prefix):
            return None
        notebook_name = unquote(script_name[len(prefix):])
        return notebook_name if self.notebook_file(notebook_name) is not None else None

    def notebook_file(self, notebook_name: str) -> Path | None:
        """``notebook_name`` on disk: a notebook inside the server's root, or None."""
        parts = root_relative_parts(notebook_name)
        if parts is None or not notebook_name.endswith(".ipynb"):
            return None
        root = Path(self.root_dir).resolve()
        path = root.joinpath(*parts)
        try:
            inside = path.resolve().is_relative_to(root)
        except (OSError, ValueError):  # ValueError: a NUL in the path
            return None
        return path if inside and path.is_file() else None

    # -- Voila's renderer, with the server's settings ------------------------------------
    def _voila_settings(self) -> tuple[VoilaConfiguration, list[str]]:
        """The Voila configuration and templates of this server, as its Voila extension
        reads them (voila/server_extension.py)."""
        if self._voila is None:
            configuration = VoilaConfiguration(parent=self.parent)
            local = load_config_file()
            if local is not None:
                configuration.update_config(local)
            paths = collect_template_paths(["voila", "nbconvert"], configuration.template)
            self._voila = configuration, paths
        return self._voila

    def _notebook_renderer_factory(self, notebook_path: str | None = None) -> NotebookRenderer:
        server = self.parent
        configuration, template_paths = self._voila_settings()
        settings = server.web_app.settings
        return NotebookRenderer(
            voila_configuration=configuration,
            traitlet_config=server.config,
            notebook_path=notebook_path,
            template_paths=template_paths,
            config_manager=settings["config_manager"],
            contents_manager=server.contents_manager,
            base_url=server.base_url,
            kernel_spec_manager=server.kernel_spec_manager,
            page_config=get_page_config(
                base_url=server.base_url, settings=settings, log=self.log,
                voila_configuration=configuration,
            ),
            mathjax_config=settings.get("mathjax_config"),
            mathjax_url=settings.get("mathjax_url"),
        )

