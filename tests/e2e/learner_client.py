"""A learner's own HTTP access to the hub: log in with a password, get a token, run code."""

from __future__ import annotations

import json
import time
import uuid

import requests
import websocket


class LearnerClient:
    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url
        self.username = username
        self.session = requests.Session()
        self.session.get(f"{base_url}/hub/login", timeout=30)
        xsrf = self.session.cookies.get("_xsrf")
        r = self.session.post(
            f"{base_url}/hub/login?next=",
            data={"username": username, "password": password, "_xsrf": xsrf},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 302, f"login of {username} failed: {r.status_code}"
        r = self.session.post(
            f"{base_url}/hub/api/users/{username}/tokens",
            json={"note": "isolation test", "expires_in": 3600},
            headers={"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/")},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        self.token = r.json()["token"]
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"token {self.token}"

    def get(self, path: str, **kw) -> requests.Response:
        return self.api.get(f"{self.base_url}{path}", allow_redirects=False, timeout=30, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.api.post(f"{self.base_url}{path}", allow_redirects=False, timeout=60, **kw)

    def start_server(self, timeout: float = 120) -> None:
        """Start the learner's server and wait for the hub to say it is ready.

        The hub's progress event stream ends with a `ready` event once the server has
        started and the proxy routes to it (or with a `failed` one); it sends a ready event
        at once for a server that is already running. `timeout`: longest silence allowed
        (the hub sends a keep-alive every 8 s), not a time to wait.
        """
        r = self.post(f"/hub/api/users/{self.username}/server")
        already_running = r.status_code == 400 and "already running" in r.text
        assert r.status_code in (201, 202) or already_running, (
            f"starting the server of {self.username}: {r.status_code} {r.text[:300]}"
        )
        progress = f"{self.base_url}/hub/api/users/{self.username}/server/progress"
        with self.api.get(progress, stream=True, timeout=(30, timeout)) as events:
            assert events.status_code == 200, (events.status_code, events.text[:300])
            for line in events.iter_lines(chunk_size=1):
                if not line.startswith(b"data:"):
                    continue  # keep-alive
                event = json.loads(line[len(b"data:"):])
                if event.get("failed"):
                    raise AssertionError(f"server of {self.username} did not start: {event}")
                if event.get("ready"):
                    break
            else:
                raise AssertionError(f"server of {self.username}: progress ended, not ready")
        model = self.get(f"/hub/api/users/{self.username}").json()
        assert model.get("servers", {}).get("", {}).get("ready"), model

    def run_code(self, code: str, timeout: float = 60) -> str:
        """Start a kernel on the learner's own server, run `code`, return its stdout."""
        r = self.post(f"/user/{self.username}/api/kernels", json={"name": "python3"})
        assert r.status_code == 201, r.text
        kernel_id = r.json()["id"]
        ws_url = self.base_url.replace("http", "ws", 1)
        ws = websocket.create_connection(
            f"{ws_url}/user/{self.username}/api/kernels/{kernel_id}/channels",
            header=[f"Authorization: token {self.token}"],
            timeout=timeout,
        )
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.username, "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out: list[str] = []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    raise AssertionError("\n".join(msg["content"]["traceback"]))
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    return "".join(out)
        finally:
            ws.close()
            self.api.delete(f"{self.base_url}/user/{self.username}/api/kernels/{kernel_id}",
                            timeout=30)
        raise AssertionError("kernel did not finish")
