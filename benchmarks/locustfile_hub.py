"""Locust scenario: a learner logs in at the hub, their server starts, they open a module.

Run by benchmarks/load_hub.py (which prepares the learners and the platform). Each simulated
learner does the journey once, then stops; the run ends when all have.
Environment: ACADEMY_LOAD_ACCOUNTS (JSON {username: password}), ACADEMY_LOAD_COURSE,
ACADEMY_LOAD_MODULE.
"""

from __future__ import annotations

import itertools
import json
import os
import time

import gevent
from locust import HttpUser, task
from locust.exception import StopUser

ACCOUNTS = list(json.loads(os.environ["ACADEMY_LOAD_ACCOUNTS"]).items())
COURSE = os.environ["ACADEMY_LOAD_COURSE"]
MODULE = os.environ["ACADEMY_LOAD_MODULE"]
_next = itertools.count()
_done = itertools.count(1)


class Learner(HttpUser):
    wait_time = staticmethod(lambda: 0)

    @task
    def journey(self) -> None:
        try:
            self._journey(*ACCOUNTS[next(_next) % len(ACCOUNTS)])
        except StopUser:
            pass
        except Exception as exc:  # noqa: BLE001 (counted as a failure, not retried)
            self._record("journey", 0, exc)
        finally:
            if next(_done) >= self.environment.parsed_options.num_users:
                # after this greenlet has returned, so that the last request is in the stats
                gevent.spawn_later(1, self.environment.runner.quit)
        raise StopUser

    def _record(self, name: str, seconds: float, exc: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type="STEP", name=name, response_time=seconds * 1000, response_length=0,
            response=None, context={}, exception=exc)

    def _journey(self, username: str, password: str) -> None:
        c = self.client
        c.get("/hub/login", name="login page")
        with c.post("/hub/login?next=", name="log in", allow_redirects=False,
                    data={"username": username, "password": password,
                          "_xsrf": c.cookies.get("_xsrf", path="/hub/")},
                    catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"login: {r.status_code}")
                raise StopUser
        xsrf = c.cookies.get("_xsrf", path="/hub/")
        token = c.post(f"/hub/api/users/{username}/tokens", name="token",
                       json={"note": "load test", "expires_in": 3600},
                       headers={"X-XSRFToken": xsrf}).json()["token"]
        auth = {"Authorization": f"token {token}"}
        started = time.perf_counter()
        c.post(f"/hub/api/users/{username}/server", name="start server", headers=auth)
        ready = False
        with c.get(f"/hub/api/users/{username}/server/progress", name="server progress",
                   headers=auth, stream=True, timeout=(30, 300),
                   catch_response=True) as progress:
            for line in progress.iter_lines(chunk_size=1):
                if line.startswith(b"data:"):
                    event = json.loads(line[5:])
                    if event.get("failed"):
                        break
                    if event.get("ready"):
                        ready = True
                        break
            progress.success()
        self._record("server ready", time.perf_counter() - started,
                     None if ready else RuntimeError("the server did not start"))
        if not ready:
            raise StopUser
        c.get(f"/user/{username}/learning", name="My learning")
        # open the module: nbgrader fetches it, then Voila renders it (runs its kernel)
        with c.post(f"/user/{username}/learning/fetch", name="open module",
                    data={"course_id": COURSE, "assignment_id": MODULE,
                          "_xsrf": c.cookies.get("_xsrf", path=f"/user/{username}/")},
                    timeout=300, catch_response=True) as r:
            if "/voila/render/" not in r.url or r.status_code != 200:
                r.failure(f"open module: {r.status_code} {r.url}")
