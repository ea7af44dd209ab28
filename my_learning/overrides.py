"""The learner's completion overrides (a trainer's "completed: yes/no, because …"), asked of
the dashboards service with the server's own hub token: the platform's records folder is
not readable from a learner's server. The answer feeds the one completion rule
(``grading.completion.course_completion``), so that My learning says what the HR export and
the certificates say.

When the dashboards cannot be asked (not configured, down, an answer that is not theirs),
My learning shows what the grades say and logs why; it never fails the page for this.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

import requests

from common.roles import DASHBOARDS_SERVICE, DASHBOARDS_URL_ENV
from grading.completion import CompletionOverride

log = logging.getLogger(__name__)

#: seconds to connect, then to read: the page waits at most this long for the answer
TIMEOUT = (1.0, 2.0)
PATH = f"services/{DASHBOARDS_SERVICE}/api/v1/me/completion-overrides"


def overrides_url(environ: Mapping[str, str]) -> str | None:
    """The endpoint on the dashboards' own address (``DASHBOARDS_URL_ENV``, set by the hub's
    spawner) below the hub's base URL; None when the spawner did not say where."""
    base = environ.get(DASHBOARDS_URL_ENV, "").strip().rstrip("/")
    if not base:
        return None
    prefix = (environ.get("JUPYTERHUB_BASE_URL") or "/").strip("/")
    return "/".join(part for part in (base, prefix, PATH) if part)


def fetch_overrides(username: str, environ: Mapping[str, str]) -> dict[str, CompletionOverride]:
    """The latest override of each of the learner's courses, by course id; {} when there is
    none or when the dashboards cannot be asked (logged)."""
    url = overrides_url(environ)
    token = environ.get("JUPYTERHUB_API_TOKEN", "")
    if url is None or not token:
        log.info("my_learning: completion overrides not asked (no address or token)")
        return {}
    try:
        with requests.Session() as session:
            session.trust_env = False  # loopback: never through a proxy of the environment
            response = session.get(url, headers={"Authorization": f"token {token}"},
                                   timeout=TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        items = response.json()["overrides"]
        return {item["course_id"]: CompletionOverride(
            username, item["course_id"], bool(item["completed"]), str(item["reason"]),
            str(item["by"]), datetime.fromisoformat(item["at"])) for item in items}
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        log.warning("my_learning: completion overrides could not be read from %s: %s",
                    url, error)
        return {}
