"""Bring the demo platform up and down: history, TSDB, database and a Prometheus on loopback.

Everything lives under one state directory::

    openmetrics/YYYY-MM-DD.om   the generated input, one file per day, removed once loaded
    tsdb/                       the Prometheus data directory
    demo.db                     the SQLite platform database
    stamp.json                  what was generated: the end and the generator version
    prometheus.yml, prometheus.pid, prometheus.log
    .lock                       held by the demo command working in the directory

A second ``demo_up`` with the same end reuses all of it; a different end regenerates it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from waooaw_reports.demo.customers import active_agent_levels
from waooaw_reports.demo.database import database_url, write_database
from waooaw_reports.demo.errors import DemoError
from waooaw_reports.demo.history import GENERATOR_VERSION, generate_history, write_day_files
from waooaw_reports.demo.process import command_line, flag_value, read_pid, terminate
from waooaw_reports.demo.prometheus_server import (
    LOOPBACK,
    BlockLoader,
    binary,
    is_ready,
    launch_detached,
    port_is_free,
    wait_ready,
    write_config,
)
from waooaw_reports.demo.schedule import HISTORY_DAYS, check_end

log = logging.getLogger(__name__)

DEFAULT_PORT = 19090


@dataclass(frozen=True)
class DemoStatus:
    prometheus_url: str
    database_url: str
    end: dt.datetime
    generated: bool
    started: bool


@dataclass(frozen=True)
class DemoPaths:
    root: Path

    @property
    def openmetrics(self) -> Path:
        return self.root / "openmetrics"

    @property
    def tsdb(self) -> Path:
        return self.root / "tsdb"

    @property
    def database(self) -> Path:
        return self.root / "demo.db"

    @property
    def stamp(self) -> Path:
        return self.root / "stamp.json"

    @property
    def config(self) -> Path:
        return self.root / "prometheus.yml"

    @property
    def pid(self) -> Path:
        return self.root / "prometheus.pid"

    @property
    def log(self) -> Path:
        return self.root / "prometheus.log"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"


@contextmanager
def _exclusive(paths: DemoPaths) -> Iterator[None]:
    """One demo_up or demo_down at a time per state directory; others wait their turn."""
    with paths.lock.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("Waiting for another demo command working in %s", paths.root)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _url(port: int) -> str:
    return f"http://{LOOPBACK}:{port}"


def _stamp(end: dt.datetime) -> dict[str, str]:
    return {"end": end.isoformat(), "generator": GENERATOR_VERSION}


def _is_current(paths: DemoPaths, end: dt.datetime) -> bool:
    """Whether the state directory holds a complete history for ``end``."""
    try:
        recorded = json.loads(paths.stamp.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return False
    expected = _stamp(end)
    matches = all(recorded.get(key) == value for key, value in expected.items())
    return matches and paths.tsdb.is_dir() and paths.database.is_file()


def _serves(arguments: list[str], tsdb: Path) -> bool:
    return Path(arguments[0]).name == "prometheus" and flag_value(
        arguments, "--storage.tsdb.path"
    ) == str(tsdb)


def _our_server(paths: DemoPaths) -> tuple[int, int] | None:
    """The pid and port of the Prometheus we started over this state's TSDB, if it runs.

    A pid file naming any other process is stale (the pid was reused) and is removed.
    """
    pid = read_pid(paths.pid)
    if pid is None:
        return None
    arguments = command_line(pid)
    if arguments is None or not _serves(arguments, paths.tsdb):
        if arguments is not None:
            log.warning(
                "The pid file %s names process %d, which is not the demo Prometheus over %s; "
                "leaving that process alone",
                paths.pid,
                pid,
                paths.tsdb,
            )
        paths.pid.unlink(missing_ok=True)
        return None
    address = flag_value(arguments, "--web.listen-address") or ""
    port = address.rpartition(":")[2]
    return pid, int(port) if port.isdigit() else 0


def _stop(paths: DemoPaths, pid: int) -> None:
    log.info("Stopping the demo Prometheus (pid %d) over %s", pid, paths.tsdb)
    terminate(pid)
    paths.pid.unlink(missing_ok=True)


def _generate(paths: DemoPaths, end: dt.datetime) -> None:
    for directory in (paths.openmetrics, paths.tsdb):
        shutil.rmtree(directory, ignore_errors=True)
    paths.stamp.unlink(missing_ok=True)

    log.info("Generating %d days of demo history ending %s", HISTORY_DAYS, end.date())
    history = generate_history(end)
    log.info(
        "Writing and loading %d samples as daily OpenMetrics files into %s",
        history.samples,
        paths.tsdb,
    )
    paths.tsdb.mkdir(parents=True)
    loader = BlockLoader(paths.tsdb)
    try:
        files = write_day_files(history, paths.openmetrics, loader.submit)
    except BaseException:
        loader.cancel()
        raise
    loader.wait()
    # The input is 1.3 GB of text and the generator is deterministic: keep only the blocks.
    shutil.rmtree(paths.openmetrics, ignore_errors=True)
    log.info("Loaded %d daily files into %s", len(files), paths.tsdb)

    incidents, items = write_database(
        paths.database, history.schedule, active_agent_levels(history)
    )
    log.info("Wrote %d incidents and %d action items to %s", incidents, items, paths.database)
    stamp = {**_stamp(end), "samples": history.samples, "days": HISTORY_DAYS}
    paths.stamp.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")


def _start(paths: DemoPaths, port: int) -> None:
    config = write_config(paths.config)
    pid = launch_detached(config, paths.tsdb, port, paths.log)
    paths.pid.write_text(f"{pid}\n", encoding="utf-8")
    log.info("Starting Prometheus on %s (pid %d, log %s)", _url(port), pid, paths.log)
    wait_ready(_url(port), lambda: command_line(pid) is not None, paths.log)


def _today() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def demo_up(
    state_dir: Path, end: dt.datetime | None = None, port: int = DEFAULT_PORT
) -> DemoStatus:
    """Make sure the demo history for ``end`` (default: today, 00:00 UTC) is loaded and served.

    Reuses what is already there; regenerates when the end or the generator changed.
    """
    end = _today() if end is None else end
    check_end(end)
    end = end.astimezone(dt.UTC)
    paths = DemoPaths(state_dir.resolve())
    paths.root.mkdir(parents=True, exist_ok=True)
    binary("promtool")
    binary("prometheus")
    with _exclusive(paths):
        return _up(paths, end, port)


def _up(paths: DemoPaths, end: dt.datetime, port: int) -> DemoStatus:
    current = _is_current(paths, end)
    server = _our_server(paths)
    if server is not None and (not current or server[1] != port):
        _stop(paths, server[0])
        server = None
    if server is None and not port_is_free(port):
        raise DemoError(
            f"Port {port} on {LOOPBACK} is already in use by another program, not by the demo "
            f"Prometheus of {paths.root}; pick another port with --port or "
            "WAOOAW_DEMO_PROMETHEUS_PORT."
        )

    if not current:
        _generate(paths, end)
    else:
        log.info("Reusing the demo history ending %s in %s", end.date(), paths.root)
    if server is None:
        _start(paths, port)
    elif not is_ready(_url(port)):
        pid = server[0]
        wait_ready(_url(port), lambda: command_line(pid) is not None, paths.log)
    return DemoStatus(_url(port), database_url(paths.database), end, not current, server is None)


def demo_down(state_dir: Path) -> bool:
    """Stop the demo Prometheus of ``state_dir``; True if there was one to stop.

    Only the process named by the pid file whose command line serves this state's TSDB is
    signalled, never anything else.
    """
    paths = DemoPaths(state_dir.resolve())
    if not paths.root.is_dir():
        return False
    with _exclusive(paths):
        server = _our_server(paths)
        if server is None:
            return False
        _stop(paths, server[0])
        return True
