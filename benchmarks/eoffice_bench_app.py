"""The e-office as the load benchmark serves it: the real app (gunicorn, the real database),
with a fake hub that accepts "token-<username>" for any seeded learner, so that the hub's own
token check is not what is measured, and a bare Flask endpoint (/services/eoffice/bare) on the
same server, in the same workers: the baseline.

    gunicorn --workers 2 'benchmarks.eoffice_bench_app:create()'   (EOFFICE_DATABASE_URL set)
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from sandbox_eoffice import create_app
from tests.service_auth.fake_hub import ACCESS_SCOPE, PREFIX, FakeHubOAuth


class AnyLearnerHub(FakeHubOAuth):
    def user_for_token(self, token: str, use_cache: bool = True, session_id: str = "", *,
                       sync: bool = True) -> dict[str, Any] | None:
        if not token.startswith("token-"):
            return None
        name = token.removeprefix("token-")
        return {"kind": "user", "name": name, "admin": False, "groups": [], "roles": [],
                "scopes": [ACCESS_SCOPE, f"read:users:name!user={name}"]}


def create() -> Flask:
    hub = AnyLearnerHub(api_token="load-benchmark", oauth_client_id="service-eoffice",  # noqa: S106 (no hub)
                        base_url=PREFIX, hub_prefix="/hub/", access_scopes={ACCESS_SCOPE},
                        cache_max_age=0)
    app = create_app({
        "DATABASE_URL": os.environ["EOFFICE_DATABASE_URL"],
        "DATA_DIR": os.environ["EOFFICE_DATA_DIR"],
        "SECRET_KEY": "load-benchmark-only",
        "URL_PREFIX": PREFIX,
        "HUB_AUTH": hub,
    })

    @app.get("/bare")
    def bare() -> str:
        return "ok"

    return app
