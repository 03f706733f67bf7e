"""Helpers for tests that run povmon in a child process and act while it is paused."""

from __future__ import annotations

import subprocess
import time


def wait_for_pause(proc: subprocess.Popen, what: str, *, marker: str = "paused", seconds: float = 60) -> None:
    """Read the child's stderr until it prints ``marker``; fail naming ``what`` if it ends or takes too long."""
    deadline = time.monotonic() + seconds
    line = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if marker in line or not line:
            break
    assert marker in line, f"{what} never reached its pause point"
