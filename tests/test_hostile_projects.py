"""Hostile project trees: the checker reads only regular files inside the project, never hangs.

Each case is a tree a user (or an attacker's pull request) could commit or create: a FIFO or
/dev/zero in place of a definition file, links out of the project, an unreadable folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pytest_hsevents.checker import check_project

from ._projects import project_files, write_project


def _rules(root: Path) -> list[str]:
    return [d.rule_id for d in check_project(root)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_a_fifo_or_a_device_is_reported_not_read(tmp_path: Path) -> None:
    write_project(tmp_path, project_files())
    fifo = tmp_path / "src/app/app-events/pipe-hsmeta.json"
    os.mkfifo(fifo)
    (tmp_path / "src/app/app-events/zero-hsmeta.json").symlink_to("/dev/zero")
    started = time.perf_counter()
    diagnostics = check_project(tmp_path)
    assert time.perf_counter() - started < 5
    found = {(Path(d.path).name, d.rule_id) for d in diagnostics}
    assert ("pipe-hsmeta.json", "HSF011") in found
    assert ("zero-hsmeta.json", "HSF012") in found  # /dev/zero is outside the project


def test_links_out_of_the_project_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret-hsmeta.json"
    secret.write_text('{"uid": "stolen", "type": "app-event", "config": {"name": "TOPSECRET"}}')
    root = tmp_path / "project"
    write_project(root, project_files())
    (root / "src/app/app-events/leak-hsmeta.json").symlink_to(secret)
    diagnostics = check_project(root)
    assert "HSF012" in [d.rule_id for d in diagnostics]
    assert not any("TOPSECRET" in d.message or "stolen" in d.message for d in diagnostics)
    # a srcDir that links out of the project is not walked
    other = tmp_path / "linked"
    write_project(other, project_files())
    (other / "hsproject.json").write_text(
        '{"name": "x", "srcDir": "code", "platformVersion": "2025.2"}'
    )
    (other / "code").symlink_to(root / "src")
    assert "HSF010" in _rules(other)


@pytest.mark.skipif(
    shutil.which("setpriv") is None or os.geteuid() != 0,
    reason="needs root and setpriv to run the checker as nobody",
)
def _as_nobody(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": "/tmp"},
    )


def test_an_unreadable_folder_is_an_error_not_a_pass() -> None:
    if _as_nobody(sys.executable, "-c", "import pytest_hsevents").returncode != 0:
        pytest.skip("this interpreter or the package cannot be read by nobody (a root-only venv)")
    base = Path(tempfile.mkdtemp(prefix="hsevents-nobody-", dir="/tmp"))  # tmp_path is root-only
    root = base / "project"
    write_project(root, project_files())
    os.chmod(base, 0o755)
    for folder, _, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(Path(folder) / name, 0o644)
    os.chmod(root / "src/app/app-events", 0o000)
    done = subprocess.run(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            sys.executable,
            "-m",
            "pytest_hsevents",
            "check",
            str(root),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": "/tmp"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "HSF013" in done.stdout
    assert "Traceback" not in done.stderr
    os.chmod(root / "src/app/app-events", 0o755)
    shutil.rmtree(base)
