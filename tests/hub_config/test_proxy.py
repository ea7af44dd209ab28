"""The front proxy has room for a whole class (hub_config/proxy.py)."""

from __future__ import annotations

import subprocess
import sys

from tornado.httpclient import AsyncHTTPClient

from common.event_loop import run_coroutine
from hub_config.proxy import MAX_CONCURRENT_REQUESTS, configure_http_client


def test_the_proxys_http_client_runs_a_whole_class_at_once() -> None:
    async def max_clients() -> int:
        client = AsyncHTTPClient(force_instance=True)
        try:
            return client.max_clients  # type: ignore[attr-defined]
        finally:
            client.close()

    assert run_coroutine(max_clients()) == 10  # Tornado's default: what turned learners away
    try:
        configure_http_client()
        assert run_coroutine(max_clients()) == MAX_CONCURRENT_REQUESTS >= 200
    finally:
        AsyncHTTPClient.configure(None, max_clients=10)


def test_the_proxy_module_runs_the_real_proxy_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "hub_config.proxy", "--help"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "--proxy-timeout" in result.stdout and "--api-port" in result.stdout
