"""Locust scenario for the e-office at province scale: learners browsing and searching their
incoming documents on the pages and through the API, with a person's pauses (1–3 s).

Run by benchmarks/load_eoffice.py. Environment: ACADEMY_LOAD_PREFIX and ACADEMY_LOAD_USERS
(the seeded learners p-00001…), ACADEMY_LOAD_WIDTH (digits of their numbers).
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task

PREFIX = os.environ["ACADEMY_LOAD_PREFIX"]
USERS = int(os.environ["ACADEMY_LOAD_USERS"])
WIDTH = int(os.environ["ACADEMY_LOAD_WIDTH"])
BASE = "/services/eoffice"
SEARCHES = ("chu ky so", "an toan thong tin", "chuyển đổi số", "dự toán ngân sách",
            "bao cao", "hội nghị")


class Learner(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        name = f"{PREFIX}-{random.randint(1, USERS):0{WIDTH}d}"  # noqa: S311 (load, not secrets)
        self.client.headers["Authorization"] = f"Bearer token-{name}"
        listing = self.client.get(f"{BASE}/api/v1/incoming?page_size=50",
                                  name="API: incoming list").json()
        self.document_ids = [item["id"] for item in listing["items"]] or [0]

    @task(3)
    def incoming_page(self) -> None:
        self.client.get(f"{BASE}/documents/incoming", name="page: incoming list")

    @task(2)
    def search_page(self) -> None:
        self.client.get(f"{BASE}/documents/incoming",
                        params={"q": random.choice(SEARCHES)},  # noqa: S311
                        name="page: search")

    @task(3)
    def detail_page(self) -> None:
        document_id = random.choice(self.document_ids)  # noqa: S311
        self.client.get(f"{BASE}/documents/incoming/{document_id}", name="page: document")

    @task(1)
    def home_page(self) -> None:
        self.client.get(f"{BASE}/", name="page: home")

    @task(2)
    def api_list(self) -> None:
        self.client.get(f"{BASE}/api/v1/incoming", params={"status": "assigned"},
                        name="API: incoming list")

    @task(2)
    def api_document(self) -> None:
        document_id = random.choice(self.document_ids)  # noqa: S311
        self.client.get(f"{BASE}/api/v1/incoming/{document_id}", name="API: document")

    @task(2)
    def bare(self) -> None:
        self.client.get(f"{BASE}/bare", name="baseline: bare Flask endpoint")
