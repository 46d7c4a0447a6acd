"""A real Synapse homeserver for tests, started from the `matrix-synapse` package.

Use it from any test module:

    from tests.synapse import synapse  # noqa: F401  (the fixture)

    async def test_something(synapse: Synapse) -> None:
        user_id, password, token = synapse.register("alice")
        ...  # talk to synapse.url with a real matrix-nio client

API (kept small on purpose; the Slack tests reuse it):
- `synapse.url`: the homeserver base URL (http://127.0.0.1:<port>)
- `synapse.server_name`: the homeserver's name (user ids end in `:<server_name>`)
- `synapse.register(localpart, admin=False) -> (user_id, password, access_token)` through the
  shared-secret admin API; registering the same localpart twice logs in again instead
- `synapse.stop()` / `synapse.start()`: restart on the same port and data (for outage tests)

One Synapse per test module that imports the fixture, in each test process (pytest makes
an imported fixture the module's own), for the rest of the run: it takes ~1.5 s to start
and is CPU-bound on two cores. It runs on SQLite in a temp directory, with bcrypt_rounds 4,
logging at WARNING and the rate limits raised. Under CI=true a Synapse that cannot start
fails the tests; elsewhere they are skipped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
SERVER_NAME = "test"
START_TIMEOUT_S = 60.0

_RATE = {"per_second": 1000, "burst_count": 1000}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _config(directory: Path, port: int, shared_secret: str) -> dict[str, Any]:
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(directory / "log.yaml"),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": shared_secret,
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "bcrypt_rounds": 4,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "enable_metrics": False,
        "federation_domain_whitelist": [],
        "rc_message": _RATE,
        "rc_registration": _RATE,
        "rc_login": {"address": _RATE, "account": _RATE, "failed_attempts": _RATE},
        "rc_joins": {"local": _RATE, "remote": _RATE},
        "rc_joins_per_room": _RATE,
        "rc_invites": {"per_room": _RATE, "per_user": _RATE, "per_issuer": _RATE},
        "rc_admin_redaction": _RATE,
        "rc_3pid_validation": _RATE,
        "rc_key_requests": _RATE,
        "rc_room_creation": _RATE,
        "rc_delayed_event_mgmt": _RATE,
        "rc_presence": {"per_user": _RATE},
    }


_LOG_CONFIG = """\
version: 1
formatters:
  plain:
    format: '%(asctime)s %(levelname)s %(name)s: %(message)s'
handlers:
  file:
    class: logging.FileHandler
    filename: {path}
    formatter: plain
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
"""


class Synapse:
    """One homeserver process. Construct, then `start()`; see the module docstring."""

    def __init__(self, directory: Path, *, port: int | None = None) -> None:
        from signedjson.key import generate_signing_key, write_signing_keys

        self.directory = directory
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server_name = SERVER_NAME
        self._shared_secret = secrets.token_hex(16)
        self._process: subprocess.Popen[bytes] | None = None
        self._passwords: dict[str, str] = {}
        self.startup_seconds: float | None = None
        (directory / "media").mkdir(parents=True, exist_ok=True)
        (directory / "log.yaml").write_text(
            _LOG_CONFIG.format(path=directory / "homeserver.log"), encoding="utf-8"
        )
        # JSON is valid YAML: no YAML writer needed.
        (directory / "homeserver.yaml").write_text(
            json.dumps(_config(directory, self.port, self._shared_secret), indent=1),
            encoding="utf-8",
        )
        with (directory / "signing.key").open("w", encoding="utf-8") as handle:
            write_signing_keys(handle, [generate_signing_key("a_test")])

    def start(self) -> None:
        if self._process is not None:
            return
        launched = time.monotonic()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", "homeserver.yaml"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "stderr.log").open("ab"),
        )
        deadline = launched + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"Synapse exited at start; see {self.directory}/stderr.log")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                    if answer.status == 200:
                        self.startup_seconds = time.monotonic() - launched
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Synapse did not answer within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """SIGKILL: at the end of the run, nothing of this homeserver is needed any more."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            result: dict[str, Any] = json.loads(answer.read())
            return result

    def register(self, localpart: str, admin: bool = False) -> tuple[str, str, str]:
        """A user on this homeserver: (user_id, password, a fresh access token)."""
        user_id = f"@{localpart}:{self.server_name}"
        if localpart in self._passwords:
            password = self._passwords[localpart]
            login = self._request(
                "POST",
                "/_matrix/client/v3/login",
                {
                    "type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": localpart},
                    "password": password,
                },
            )
            return user_id, password, str(login["access_token"])
        password = secrets.token_urlsafe(12)
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        # HMAC-SHA1 over nonce, user, password and admin flag, NUL-separated (Synapse docs).
        message = b"\x00".join(
            part.encode() for part in (nonce, localpart, password, "admin" if admin else "notadmin")
        )
        mac = hmac.new(self._shared_secret.encode(), message, hashlib.sha1)
        answer = self._request(
            "POST",
            "/_synapse/admin/v1/register",
            {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        self._passwords[localpart] = password
        return str(answer["user_id"]), password, str(answer["access_token"])


def start_synapse(directory: Path) -> Synapse:
    """Start one homeserver; under CI=true a failure fails, elsewhere it skips."""
    server = Synapse(directory)
    try:
        server.start()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"Synapse is required under CI=true and did not start: {exc}")
        pytest.skip(f"Synapse did not start: {exc}")
    return server


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One homeserver for a module's tests (see the module docstring), killed at the end of
    the run: starting one takes seconds. Tests keep out of each other's way by their own
    rooms and users; the rate-limited bots have names of their own, so their throttling
    touches no other test."""
    server = start_synapse(tmp_path_factory.mktemp("synapse"))
    try:
        yield server
    finally:
        server.kill()  # a graceful stop takes a second or more, for a throwaway directory
