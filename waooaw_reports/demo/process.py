"""Processes named by pid files: is it still running, is it ours, stop it.

A pid can be reused by an unrelated process once ours has exited, so a pid alone never
authorises a signal: the caller also checks the command line in ``/proc/<pid>/cmdline``.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

log = logging.getLogger(__name__)


def read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def command_line(pid: int) -> list[str] | None:
    """The arguments of a live process, or None when there is none (zombies included)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    if not raw:
        return None
    return raw.rstrip(b"\0").decode("utf-8", errors="replace").split("\0")


def is_running(pid: int) -> bool:
    return command_line(pid) is not None


def flag_value(arguments: list[str], flag: str) -> str | None:
    """The value of ``--flag=value`` in ``arguments``."""
    prefix = f"{flag}="
    return next((arg[len(prefix) :] for arg in arguments if arg.startswith(prefix)), None)


def terminate(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM, wait up to ``timeout`` for the process to go, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not is_running(pid):
                return
            time.sleep(0.1)
        log.warning("Process %d did not exit within %.0f s of signal %s", pid, timeout, sig.name)
