"""Faults: the real server is SIGKILLed again and again while clients submit reports and retry
with their idempotency keys. Afterwards, every submission that was answered 2xx is there
exactly once, none is there twice, and `truceline ledger verify` passes.

It runs on the database of the suite's run: SQLite, or a scratch database on the PostgreSQL
server of TRUCELINE_DATABASE_URL.
"""

from __future__ import annotations

import http.client
import os
import random
import threading
import time
from collections import Counter

import pytest

from truceline.core.harness import Client, Deployment
from truceline.testing.story import REPORT

SUBMISSIONS = int(os.environ.get("TRUCELINE_FAULT_SUBMISSIONS", "2000"))
CLIENTS = 8
KILLS = (0.15, 0.4, 0.65, 0.85)  # share of the submissions answered when the server dies
pytestmark = pytest.mark.processes


def test_sigkill_during_submissions_loses_nothing_and_doubles_nothing() -> None:
    with Deployment(
        os.environ.get("TRUCELINE_DATABASE_URL") or None,
        workers=2,
        # thousands of submissions from three clients in minutes: no rate limit
        env_extra={"TRUCELINE_IDEMPOTENCY_LEASE": "1", "TRUCELINE_RATE_SUBMIT": ""},
    ) as deployment:
        tokens = {u: deployment.token(u) for u in ("pk-liaison", "af-liaison", "qa-monitor")}
        deployment.start()
        answered: dict[str, str] = {}  # narrative -> the report id its 2xx carried
        answered_lock = threading.Lock()
        seen = {"done": 0, "replayed": 0, "in_flight": 0, "errors": 0}
        failures: list[str] = []
        deadline = time.monotonic() + 600

        def submit(client_no: int) -> None:
            party = "pk-liaison" if client_no % 2 == 0 else "af-liaison"
            accused = "afghanistan" if party == "pk-liaison" else "pakistan"
            client = Client(deployment.port, tokens[party], timeout=20)
            rng = random.Random(client_no)
            for i in range(client_no, SUBMISSIONS, CLIENTS):
                narrative = f"Fault test submission {i}: militants fired on the post."
                body = {**REPORT, "narrative": narrative, "accused_party": accused}
                body["origin"] = accused
                key = f"fault-{i}"
                while True:
                    if time.monotonic() > deadline:
                        failures.append(f"submission {i} never succeeded")
                        return
                    try:
                        status, payload, headers = client.request(
                            "POST", "/reports", body, {"Idempotency-Key": key}
                        )
                    except (OSError, http.client.HTTPException):
                        time.sleep(rng.uniform(0.02, 0.1))  # the server is down: retry
                        continue
                    if status == 201:
                        with answered_lock:
                            if (
                                narrative in answered
                                and answered[narrative] != payload["report"]["id"]
                            ):
                                failures.append(f"{key} answered with two report ids")
                            answered[narrative] = payload["report"]["id"]
                            seen["replayed"] += headers.get("Idempotent-Replayed") == "true"
                        break
                    if status == 409:
                        seen["in_flight"] += 1
                    elif status >= 500:
                        seen["errors"] += 1
                    else:
                        failures.append(f"{key}: unexpected {status} {payload}")
                        return
                    time.sleep(rng.uniform(0.05, 0.2))
            client.close()

        threads = [threading.Thread(target=submit, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for share in KILLS:
            while len(answered) < share * SUBMISSIONS and any(t.is_alive() for t in threads):
                time.sleep(0.01)
            deployment.kill()
            seen["done"] += 1
            deployment.start()
        for thread in threads:
            thread.join()

        assert not failures, failures[:10]
        assert seen["done"] == len(KILLS)
        assert len(answered) == SUBMISSIONS

        # What the database holds, read back through the API as a monitor.
        monitor = Client(deployment.port, tokens["qa-monitor"])
        narratives: Counter[str] = Counter()
        ids: dict[str, str] = {}
        offset = 0
        while True:
            status, page, _h = monitor.request("GET", f"/reports?limit=500&offset={offset}")
            assert status == 200, page
            for item in page["items"]:
                narratives[item["narrative"]] += 1
                ids[item["narrative"]] = item["id"]
            offset += 500
            if offset >= page["count"]:
                break
        doubled = [n for n, count in narratives.items() if count > 1]
        assert not doubled, doubled[:5]
        assert set(narratives) == set(answered), "a report exists that no client submitted"
        assert all(ids[n] == report_id for n, report_id in answered.items())
        deployment.stop()
        verified = deployment.manage("ledger", "verify")
        assert verified.startswith("OK"), verified
        print(f"\n{deployment.engine}: {SUBMISSIONS} submissions, {seen}")
