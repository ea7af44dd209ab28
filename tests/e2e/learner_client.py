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
        self.post(f"/hub/api/users/{self.username}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.get(f"/hub/api/users/{self.username}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"server of {self.username} did not start")

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
