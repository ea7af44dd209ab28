"""Run a coroutine to completion from synchronous code, whoever owns the calling thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, or, when this thread already runs an event loop (a Tornado
    server, Playwright's sync API, a notebook), the same in a thread of its own so that
    neither loop blocks or re-enters the other. Exceptions propagate unchanged."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="run-coroutine") as pool:
        return pool.submit(asyncio.run, coro).result()
