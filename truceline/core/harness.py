"""A scratch deployment for tests and benchmarks that need the real server.

Its own data directory and database (SQLite in the directory, or a fresh database on the
PostgreSQL server ``TRUCELINE_DATABASE_URL`` names), set up by ``truceline demo --no-serve``,
served by ``truceline serve`` in a process group of its own, so that it can be killed whole.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CLI = [sys.executable, "-m", "truceline"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _shared_static() -> str:
    from django.conf import settings

    return str(settings.STATIC_ROOT)


def _pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


@dataclass
class Deployment:
    """``with Deployment(server_url) as d: d.start(); ...``: everything is removed at the end."""

    postgres_url: str | None = None  # a server to make a scratch database on; None: SQLite
    workers: int = 2
    env_extra: dict[str, str] = field(default_factory=dict)
    demo_args: tuple[str, ...] | None = ("--incidents", "0")  # None: empty, not even migrated
    port: int = 0
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="truceline-")))
    database_url: str = ""
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def __enter__(self) -> Deployment:
        env = dict(os.environ)
        env.pop("TRUCELINE_DATABASE_URL", None)
        env.update(
            TRUCELINE_DATA_DIR=str(self.data_dir),
            TRUCELINE_HTTPS="0",
            TRUCELINE_DEMO_PASSWORD=secrets.token_urlsafe(16),
        )
        env.update(self.env_extra)
        env.setdefault("TRUCELINE_SECRET_KEY", secrets.token_urlsafe(50))
        # collected static files are the same for every scratch deployment: collect them once
        env.setdefault("TRUCELINE_STATIC_ROOT", _shared_static())
        if self.postgres_url:
            name = "truceline_scratch_" + secrets.token_hex(4)
            _pg_admin(self.postgres_url, f"CREATE DATABASE {name}")
            parts = urlsplit(self.postgres_url)
            self.database_url = urlunsplit(parts._replace(path="/" + name))
            env["TRUCELINE_DATABASE_URL"] = self.database_url
        self.env = env
        if self.demo_args is not None:
            self.manage("demo", "--no-serve", *self.demo_args)
        self.log = self.data_dir / "server.log"
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self.postgres_url and self.database_url:
            name = urlsplit(self.database_url).path.lstrip("/")
            _pg_admin(self.postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def engine(self) -> str:
        return "postgresql" if self.postgres_url else "sqlite"

    def manage(self, *args: str) -> str:
        """Run ``truceline ARGS`` against this deployment; its output (raises on failure)."""
        done = subprocess.run(
            [*CLI, *args], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"truceline {' '.join(args)}: {done.stderr or done.stdout}")
        return done.stdout

    def token(self, username: str) -> str:
        return self.manage("token", "create", username).strip()

    def start(self, timeout: float = 60) -> None:
        """Serve, and wait until /healthz answers."""
        self.port = self.port or free_port()
        assert self.log is not None
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*CLI, "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches every worker
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {self.log}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the server and all its workers: no clean-up of any kind."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.process = None


class Client:
    """One API client on a keep-alive connection; reconnects after any connection error."""

    def __init__(self, port: int, token: str, timeout: float = 30) -> None:
        self.port, self.token, self.timeout = port, token, timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        """Status, decoded JSON (or text) and headers. Connection errors raise OSError or
        http.client.HTTPException, after the connection was dropped."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, self.timeout)
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, "/api/v1" + path, data, all_headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        try:
            payload: Any = json.loads(raw)
        except ValueError:
            payload = raw.decode(errors="replace")
        return response.status, payload, dict(response.getheaders())

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
