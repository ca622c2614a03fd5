"""`hsevents serve`: a real process serving a project, as other languages' tests use it."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pytest_hsevents.cli import main

from ._projects import EXAMPLE
from ._server import AUTH, V4, WEBINAR, webinar

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT/SIGTERM")


def serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest_hsevents", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """The process, its URL, and what it printed before "Press Ctrl-C to stop."."""
    process = serve(str(EXAMPLE), "--port", "0")
    assert process.stdout is not None
    banner = [process.stdout.readline()]
    while banner[-1] and "Ctrl-C" not in banner[-1]:
        banner.append(process.stdout.readline())
    found = re.search(r"at (http://127\.0\.0\.1:\d+)$", banner[0].strip())
    assert found, banner
    yield process, found.group(1), "".join(banner)
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_serve_prints_the_url_and_event_type_names_then_logs_verdicts(
    running: tuple[subprocess.Popen[str], str, str],
) -> None:
    process, url, banner = running
    assert requests.post(url + V4 + "/events", json=webinar("c-1"), headers=AUTH).status_code == 200
    refused = requests.post(url + V4 + "/events", json=webinar("c-2", minutes="x"), headers=AUTH)
    assert refused.status_code == 400
    assert requests.get(url + "/_hsevents/occurrences").json()[0]["id"] == "c-1"

    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)

    assert process.returncode == 0
    assert f"webinar_attended: eventTypeName {WEBINAR}" in banner
    assert f"control endpoints: {url}/_hsevents/" in banner
    assert out.rstrip().endswith("hsevents: server stopped")
    assert f"POST {V4}/events -> 200 accepted" in err
    assert f"POST {V4}/events -> 400 rejected HSO013: " in err
    assert "GET /_hsevents/occurrences -> 200 control" in err
    assert "Traceback" not in err


def test_sigterm_stops_it_cleanly_too(running: tuple[subprocess.Popen[str], str, str]) -> None:
    process, url, _ = running
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "hsevents: server stopped" in out
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/_hsevents/state", timeout=2)


def test_a_path_that_is_no_project_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("hsevents: error: ")


def test_a_port_in_use_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(EXAMPLE), "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
