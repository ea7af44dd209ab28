"""The academy's front proxy: the Python configurable-http-proxy, with room for a whole class.

The proxy forwards every request with Tornado's HTTP client, which by default runs only 10
requests at once and queues the rest for at most 20 s, then answers 503 "Timeout in request
queue". A learner's server start holds one of those 10 for its whole start (the progress
stream). In the load benchmark, 22 of 49 learners who arrived in the same second got that 503
(docs/performance.md). Here the client may run a whole class's requests at once, and a
proxied request may take as long as a server start under load (PROXY_TIMEOUT_MS, passed by
hub_config/jupyterhub_config.py) instead of being cut at 20 s.

Run by JupyterHub as `python -m hub_config.proxy <configurable-http-proxy options>`.
"""

from __future__ import annotations

from tornado.httpclient import AsyncHTTPClient

# requests forwarded at once (each is a socket to the hub or a learner's server, not a thread)
MAX_CONCURRENT_REQUESTS = 1000
# how long a proxied request may take, in ms: a server start in a burst took up to 46 s
PROXY_TIMEOUT_MS = 300_000


def configure_http_client() -> None:
    """Let the proxy's HTTP client forward MAX_CONCURRENT_REQUESTS requests at once."""
    AsyncHTTPClient.configure(None, max_clients=MAX_CONCURRENT_REQUESTS)


def main() -> None:
    configure_http_client()
    from configurable_http_proxy.cli import main as proxy_main

    proxy_main()


if __name__ == "__main__":
    main()
