"""`tsengine serve` as a process, driven by influxdb-client as a program written for InfluxDB
would; `tsengine setup` and `tsengine auth` in-process with click's runner."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from influxdb_client import InfluxDBClient, OrganizationsApi
from influxdb_client.domain.onboarding_request import OnboardingRequest
from influxdb_client.service.setup_service import SetupService

from tsengine import Engine
from tsengine.cli.main import cli
from tsengine.cli.serve import parse_size

START_TIMEOUT = 30.0


@dataclass
class Served:
    """A running `tsengine serve` and what it printed."""

    process: subprocess.Popen[str]
    url: str = ""
    token: str | None = None
    lines: list[str] = field(default_factory=list)  # stderr, appended as it comes
    reader: threading.Thread | None = None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send `sig`; the exit status, once stderr has been read to its end."""
        self.process.send_signal(sig)
        status = self.process.wait(timeout)
        if self.reader is not None:
            self.reader.join(timeout)
        return status


def serve(data_dir: Path, *args: str) -> Served:
    """Start `tsengine --data-dir D serve --port 0 ...`; return once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from tsengine.cli.main import main; main()",
         "--data-dir", str(data_dir), "serve", "--port", "0", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"})
    served = Served(process)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            served.lines.append(line.rstrip("\n"))
            lines.put(served.lines[-1])
        lines.put(None)

    served.reader = threading.Thread(target=read, daemon=True)
    served.reader.start()
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            raise AssertionError(f"tsengine serve did not start: {served.lines}") from None
        if line is None:
            raise AssertionError(f"tsengine serve exited {process.wait()}: {served.lines}")
        if line.startswith("operator token: "):
            served.token = line.removeprefix("operator token: ")
        m = re.match(r"tsengine serving on (http://127\.0\.0\.1:\d+) \(data directory ", line)
        if m:
            served.url = m.group(1)
            return served


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def server(data_dir) -> Iterator[Served]:
    served = serve(data_dir, "--no-tasks")
    yield served
    if served.process.poll() is None:
        served.process.kill()
        served.process.wait()


def tse(data_dir: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], obj={})
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def test_the_official_client_pings_checks_health_and_lists_orgs(server, data_dir):
    assert server.token and len(server.token) > 40
    with InfluxDBClient(url=server.url, token=server.token, org="default") as client:
        assert client.ping() is True
        assert client.version() == "v2.7.11" and client.build() == "OSS"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert client.health().status == "pass"
        assert client.ready().status == "ready"
        orgs = OrganizationsApi(client).find_organizations()
        assert [o.name for o in orgs] == ["default"]
    with InfluxDBClient(url=server.url, token="wrong", org="default") as client:
        assert client.ping() is True  # needs no token
        with pytest.raises(Exception, match="unauthorized access"):
            OrganizationsApi(client).find_organizations()

    assert server.stop() == 0
    assert server.lines[-1] == "tsengine stopped"
    Engine.open(data_dir).close()  # the data directory was released


def test_sigint_stops_cleanly_and_the_token_is_printed_only_once(server, data_dir):
    assert server.stop(signal.SIGINT) == 0
    again = serve(data_dir)  # with the scheduler, which stops with the server
    try:
        assert again.token is None
        with InfluxDBClient(url=again.url, token=server.token, org="default") as client:
            assert [o.name for o in OrganizationsApi(client).find_organizations()] == ["default"]
    finally:
        started = time.monotonic()
        assert again.stop() == 0
        assert time.monotonic() - started < 5


def test_onboarding_through_the_official_client(server):
    with InfluxDBClient(url=server.url, token=server.token, org="default") as client:
        setup = SetupService(client.api_client)
        assert setup.get_setup().allowed is True
        done = setup.post_setup(onboarding_request=OnboardingRequest(
            username="ada", password="correct horse", org="acme", bucket="metrics",
            retention_period_seconds=3600))
        assert (done.org.name, done.bucket.name, done.user.name) == ("acme", "metrics", "ada")
        assert done.bucket.retention_rules[0].every_seconds == 3600
        assert setup.get_setup().allowed is False
    with InfluxDBClient(url=server.url, token=done.auth.token, org="acme") as client:
        assert OrganizationsApi(client).me().name == "ada"
        assert [o.id for o in OrganizationsApi(client).find_organizations(org="acme")] == [
            done.org.id]
    assert server.stop() == 0


def test_setup_on_the_command_line_then_serve_with_its_token(data_dir):
    tse(data_dir, "bucket", "create", "older")
    result = tse(data_dir, "setup", "-u", "ada", "-o", "acme", "-b", "metrics", "-r", "7d",
                 "-t", "cli-token", "-f")
    assert result.stdout.split("\n")[1].split() == ["ada", "acme", "metrics", "cli-token"]
    assert "shown only this once" in result.stderr
    served = serve(data_dir, "--no-tasks")
    try:
        assert served.token is None  # setup made one: serve makes none
        with InfluxDBClient(url=served.url, token="cli-token", org="acme") as client:
            orgs = OrganizationsApi(client).find_organizations()
            assert [o.name for o in orgs] == ["acme"]
            assert OrganizationsApi(client).me().name == "ada"
            with pytest.raises(Exception, match="onboarding has already been completed"):
                SetupService(client.api_client).post_setup(onboarding_request=OnboardingRequest(
                    username="bob", org="other", bucket="b"))
    finally:
        assert served.stop() == 0
    with Engine.open(data_dir) as engine:
        assert [b.name for b in engine.buckets("acme")] == ["metrics", "older"]
        assert engine.bucket("metrics", "acme").retention == 7 * 24 * 3600 * 10**9


def test_setup_twice_is_an_error(data_dir):
    tse(data_dir, "setup", "-u", "ada", "-o", "acme", "-b", "metrics")
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "setup", "-u", "bob", "-o",
                                      "other", "-b", "b"], obj={})
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: onboarding has already been completed"


def test_auth_create_list_delete(data_dir):
    created = tse(data_dir, "auth", "create", "--description", "grafana")
    header, row = created.stdout.splitlines()
    assert header.split() == ["ID", "Description", "Token", "Organization"]
    auth_id, description, token, org = row.split()
    assert (description, org) == ("grafana", "default") and len(token) > 40
    assert "shown only this once" in created.stderr

    listed = tse(data_dir, "auth", "list").stdout
    assert auth_id in listed and "grafana" in listed and token not in listed
    as_json = tse(data_dir, "auth", "list", "--json").stdout
    assert f'"id": "{auth_id}"' in as_json and token not in as_json

    assert tse(data_dir, "auth", "delete", "--id", auth_id).stderr.strip() == (
        f"deleted token {auth_id}")
    assert auth_id not in tse(data_dir, "auth", "list").stdout
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "auth", "delete", "-i",
                                      auth_id], obj={})
    assert result.exit_code == 1 and f"no token with id {auth_id}" in result.stderr


def test_serve_refuses_a_data_directory_in_use(server, data_dir):
    second = subprocess.run(
        [sys.executable, "-c", "from tsengine.cli.main import main; main()",
         "--data-dir", str(data_dir), "serve", "--port", "0"],
        capture_output=True, text=True, timeout=START_TIMEOUT)
    assert second.returncode == 1
    assert second.stderr.strip().endswith("is in use by another tsengine process")
    assert server.stop() == 0


def test_serve_refuses_a_taken_port(data_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "serve", "--port",
                                          str(port)], obj={})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")


@pytest.mark.parametrize(("text", "size"), [
    ("50MB", 50 * 2**20), ("512KB", 512 * 2**10), ("1GiB", 2**30), ("1000", 1000),
    ("10m", 10 * 2**20), ("7B", 7),
])
def test_body_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "1.5MB", "10 TB", "5iB"])
def test_bad_body_sizes(text):
    with pytest.raises(ValueError, match="invalid size"):
        parse_size(text)
