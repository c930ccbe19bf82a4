"""A local Prometheus over a TSDB built from OpenMetrics files, for the demo and the tests.

``load_openmetrics`` backfills files with promtool; ``PrometheusServer`` runs the server over
the result on a loopback port. The demo keeps its server running between commands; the tests
start one per fixture and stop it.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

import httpx

from waooaw_reports.demo.errors import SETUP_HINT, DemoError

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"

# promtool reads its whole input once for its time range, then once per block it writes
# (2h blocks by default: thirteen reads of a day's file). Up to 2.42 the flag is hidden but
# works; 162h blocks mean two reads of a day's file, and a third of the CPU. Daily files give
# overlapping blocks, which Prometheus merges when it compacts, a minute after it starts.
MAX_BLOCK_DURATION = "162h"

# Long enough that the default 15 days do not delete the history as soon as the server starts.
RETENTION = "3650d"

CONFIG = """\
# Demo Prometheus: it serves a backfilled history and scrapes nothing.
global:
  scrape_interval: 1m
  evaluation_interval: 1m
scrape_configs: []
"""


def binary(name: str) -> str:
    """The path of a Prometheus binary (``prometheus`` or ``promtool``)."""
    path = shutil.which(name)
    if path is None:
        raise DemoError(f"The {name} program is not on PATH; {SETUP_HINT}.")
    return path


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a server could bind ``127.0.0.1:port`` now (as Go does, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


class BlockLoader:
    """Backfills OpenMetrics files into one TSDB directory, ``jobs`` promtool runs at a time.

    Three runs keep two cores busy: a run spends part of its time writing blocks to disk.
    """

    def __init__(self, tsdb_dir: Path, jobs: int = 3) -> None:
        self.tsdb_dir = tsdb_dir
        self._promtool = binary("promtool")
        self._pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="promtool")
        self._pending: list[Future[None]] = []

    def submit(self, path: Path) -> None:
        self._pending.append(self._pool.submit(self._load, path))

    def wait(self) -> None:
        """Wait for every file submitted; raises the first failure."""
        try:
            for future in self._pending:
                future.result()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Drop the files not started yet and wait for the running ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()

    def _load(self, path: Path) -> None:
        command = [
            self._promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--quiet",
            f"--max-block-duration={MAX_BLOCK_DURATION}",
            str(path),
            str(self.tsdb_dir),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise DemoError(
                f"promtool could not load {path} into {self.tsdb_dir} (exit code "
                f"{done.returncode}): {done.stderr.strip()[-2000:]}"
            )


def load_openmetrics(files: Sequence[Path], tsdb_dir: Path, jobs: int = 3) -> None:
    """Backfill OpenMetrics ``files`` into ``tsdb_dir`` with promtool."""
    tsdb_dir.mkdir(parents=True, exist_ok=True)
    loader = BlockLoader(tsdb_dir, jobs)
    for path in files:
        loader.submit(path)
    loader.wait()


def write_config(path: Path) -> Path:
    path.write_text(CONFIG, encoding="utf-8")
    return path


def server_command(config: Path, tsdb_dir: Path, port: int) -> list[str]:
    return [
        binary("prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={tsdb_dir}",
        f"--storage.tsdb.retention.time={RETENTION}",
        f"--web.listen-address={LOOPBACK}:{port}",
    ]


def launch(config: Path, tsdb_dir: Path, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start Prometheus as a child of this process, for as long as this process needs it."""
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            server_command(config, tsdb_dir, port),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def launch_detached(config: Path, tsdb_dir: Path, port: int, log_path: Path) -> int:
    """Start Prometheus in its own session and not as our child, so it outlives this process
    and nothing here has to reap it; returns its pid."""
    command = shlex.join(server_command(config, tsdb_dir, port))
    script = f"{command} >>{shlex.quote(str(log_path))} 2>&1 </dev/null & echo $!"
    done = subprocess.run(
        ["/bin/sh", "-c", script], capture_output=True, text=True, check=False,
        start_new_session=True,
    )  # fmt: skip
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise DemoError(
            f"Could not start Prometheus on port {port}: {done.stderr.strip()}; see {log_path}."
        )
    return int(done.stdout.strip())


def is_ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait_ready(url: str, alive: Callable[[], bool], log_path: Path, timeout: float = 90.0) -> None:
    """Wait until Prometheus answers ``/-/ready``; fail naming the log if it does not.

    ``alive`` says whether the server process still exists, to stop waiting for a dead one.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_ready(url):
            return
        if not alive():
            raise DemoError(f"Prometheus exited before it was ready on {url}; see {log_path}.")
        time.sleep(0.2)
    raise DemoError(f"Prometheus was not ready on {url} after {timeout:.0f} s; see {log_path}.")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM, then SIGKILL if Prometheus has not shut down within ``timeout``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        log.warning(
            "Prometheus (pid %d) ignored SIGTERM for %.0f s; killing it", process.pid, timeout
        )
        process.kill()
        process.wait(timeout)


class PrometheusServer:
    """A Prometheus over ``tsdb_dir`` on a loopback port, for as long as it is needed.

    ``work_dir`` holds the configuration and the log (default: beside the TSDB).
    """

    def __init__(self, tsdb_dir: Path, work_dir: Path | None = None) -> None:
        self.tsdb_dir = tsdb_dir.resolve()
        self.work_dir = (work_dir or self.tsdb_dir.parent).resolve()
        self.log_path = self.work_dir / "prometheus.log"
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise DemoError("This Prometheus server has not been started; call start() first.")
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, port: int = 0, timeout: float = 90.0) -> str:
        """Start the server (``port=0`` picks a free one) and wait until it is ready."""
        if self._process is not None:
            raise DemoError(f"This Prometheus server is already running on {self.url}.")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        config = write_config(self.work_dir / "prometheus.yml")
        self._process = launch(config, self.tsdb_dir, self.port, self.log_path)
        try:
            process = self._process
            wait_ready(self.url, lambda: process.poll() is None, self.log_path, timeout)
        except DemoError:
            self.stop()
            raise
        log.info("Prometheus over %s is ready on %s", self.tsdb_dir, self.url)
        return self.url

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    def __enter__(self) -> PrometheusServer:
        if self._process is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
