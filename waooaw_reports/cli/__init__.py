"""The ``waooaw-reports`` command: run a report through Dagster, and run the demo platform.

This is the outermost face of the library: it reads the settings once, may import Dagster and
the code location in ``assets/``, and turns errors into messages for the person at the terminal.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

import click

from waooaw_reports.catalog import CatalogError, load_catalog
from waooaw_reports.periods import KINDS, PeriodError, last_complete, period_for
from waooaw_reports.settings import DEMO_PROMETHEUS_PORT, Settings, SettingsError

log = logging.getLogger("waooaw_reports")

AS_OF_HELP = "The instant incident state is read at, ISO 8601 with a zone (default: now)."


class ConfigurationError(click.ClickException):
    """The configuration cannot work, e.g. an invalid catalog: nothing was queried."""

    exit_code = 2


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(os.environ, Path(".env")).with_overrides(**overrides)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc


def _export(settings: Settings) -> None:
    """Hand the non-secret settings to the code location, which reads the environment once."""
    os.environ["WAOOAW_PROMETHEUS_URL"] = settings.prometheus_url
    os.environ["WAOOAW_TIMEZONE"] = settings.timezone
    os.environ["WAOOAW_REPORTS_DIR"] = str(settings.reports_dir)
    if settings.catalog is not None:
        os.environ["WAOOAW_CATALOG"] = str(settings.catalog)


def _parse_as_of(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time.", param_hint="--as-of"
        ) from exc
    if instant.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no zone; write it like 2026-11-30T08:00:00+00:00.",
            param_hint="--as-of",
        )
    return instant.astimezone(dt.UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log every step, not only progress.")
def main(verbose: bool) -> None:
    """Weekly health reviews and monthly health audits of the WAOOAW platform.

    Run from the repository root. Settings come from the environment and a .env file
    (see README.md); the flags below override the non-secret ones.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "fontTools", "weasyprint", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@main.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--period",
    "key",
    help="Period key: a Monday (weekly) or a first of month "
    "(monthly), YYYY-MM-DD. Default: the last complete period.",
)
@click.option("--as-of", "as_of", help=AS_OF_HELP)
@click.option("--prometheus-url", help="Prometheus base URL [WAOOAW_PROMETHEUS_URL].")
@click.option("--timezone", help="IANA zone of the periods [WAOOAW_TIMEZONE, default UTC].")
@click.option(
    "--reports-dir",
    type=click.Path(path_type=Path),
    help="Where reports are written [WAOOAW_REPORTS_DIR, default reports/].",
)
@click.option(
    "--catalog",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Catalog file extending the default [WAOOAW_CATALOG].",
)
@click.option(
    "--maintenance-windows",
    "maintenance_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="YAML file of maintenance windows (start, end, reason) [WAOOAW_MAINTENANCE_WINDOWS].",
)
def run(
    kind: str,
    key: str | None,
    as_of: str | None,
    maintenance_file: Path | None,
    **overrides: Any,
) -> None:
    """Materialise one period's report through Dagster and print where it went.

    The database URL is a secret: it is read only from WAOOAW_DATABASE_URL or
    WAOOAW_DATABASE_URL_FILE.
    """
    if maintenance_file is not None:
        # The code location reads its settings from the environment, like the other flags.
        os.environ["WAOOAW_MAINTENANCE_WINDOWS"] = str(maintenance_file.resolve())
    settings = _settings(**overrides)
    path = run_report(kind, key, _parse_as_of(as_of), settings)
    click.echo(path)


def run_report(kind: str, key: str | None, as_of: dt.datetime, settings: Settings) -> Path:
    from waooaw_reports.cli.dagster_run import ReportRunError, run_partition

    try:
        period = (
            period_for(kind, key, settings.timezone)
            if key
            else last_complete(kind, as_of, settings.timezone)
        )
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    if period.end > as_of:
        raise click.BadParameter(
            f"The {kind} period {period.key} ends at {period.as_json()['end']}, after the "
            f"as-of instant; only complete periods can be reported.",
            param_hint="--period",
        )
    try:
        # The whole catalog is checked before Dagster starts, so a bad entry stops the run
        # before any query.
        load_catalog(settings.catalog)
    except CatalogError as exc:
        raise ConfigurationError(f"The metric catalog is invalid: {exc}") from exc
    _export(settings)
    log.info("Running the %s report for %s (as of %s)", kind, period.key, as_of.isoformat())
    try:
        return run_partition(kind, period.key, as_of, Path.cwd())
    except ReportRunError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("directories", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--reports-dir",
    type=click.Path(path_type=Path),
    help="Where reports are [WAOOAW_REPORTS_DIR, default reports/].",
)
@click.option("--resolution", default=80, show_default=True, help="Pixels per inch.")
def pages(directories: tuple[Path, ...], reports_dir: Path | None, resolution: int) -> None:
    """Write a PNG of every page of report PDFs, to look at them as a reader would.

    Without DIRECTORIES: the newest weekly and the newest monthly report. Images go to
    pages/ beside each report.pdf; their paths are printed.
    """
    from waooaw_reports.rendering.pages import PagesError, latest_reports, pdf_pages

    settings = _settings(reports_dir=reports_dir)
    try:
        targets = list(directories) or latest_reports(settings.reports_dir)
        for directory in targets:
            for image in pdf_pages(directory / "report.pdf", directory / "pages", resolution):
                click.echo(image)
    except PagesError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group()
def demo() -> None:
    """A demo platform: seven months of history in a local Prometheus and a SQLite database."""


STATE_OPTION = click.option(
    "--state-dir",
    type=click.Path(path_type=Path),
    default=Path(".demo"),
    show_default=True,
    help="Where the demo keeps its history, Prometheus data and database.",
)
PORT_OPTION = click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("WAOOAW_DEMO_PROMETHEUS_PORT", DEMO_PROMETHEUS_PORT)),
    show_default=f"{DEMO_PROMETHEUS_PORT} or WAOOAW_DEMO_PROMETHEUS_PORT",
    help="Loopback port of the demo Prometheus.",
)
END_OPTION = click.option(
    "--end",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day of history, exclusive (UTC midnight). Default: today.",
)


def _demo_end(end: dt.datetime | None) -> dt.datetime | None:
    return end.replace(tzinfo=dt.UTC) if end is not None else None


@demo.command("up")
@STATE_OPTION
@PORT_OPTION
@END_OPTION
def demo_up_command(state_dir: Path, port: int, end: dt.datetime | None) -> None:
    """Generate the demo history (once), load it and start Prometheus on 127.0.0.1."""
    status = _demo_up(state_dir, port, end)
    click.echo(f"WAOOAW_PROMETHEUS_URL={status.prometheus_url}")
    click.echo(f"WAOOAW_DATABASE_URL={status.database_url}")


def _demo_up(state_dir: Path, port: int, end: dt.datetime | None) -> Any:
    from waooaw_reports.demo import demo_up

    try:
        return demo_up(state_dir.resolve(), _demo_end(end), port)
    except (RuntimeError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


@demo.command("down")
@STATE_OPTION
def demo_down_command(state_dir: Path) -> None:
    """Stop the demo Prometheus started by `demo up` (and nothing else)."""
    from waooaw_reports.demo import demo_down

    stopped = demo_down(state_dir.resolve())
    click.echo("Stopped the demo Prometheus." if stopped else "No demo Prometheus was running.")


@demo.command("run")
@STATE_OPTION
@PORT_OPTION
@END_OPTION
@click.option(
    "--reports-dir",
    type=click.Path(path_type=Path),
    help="Where reports are written [WAOOAW_REPORTS_DIR, default reports/].",
)
def demo_run_command(
    state_dir: Path, port: int, end: dt.datetime | None, reports_dir: Path | None
) -> None:
    """Bring the demo up, then write the weekly report for the last complete week and the
    monthly report for the last complete month, and print their paths."""
    status = _demo_up(state_dir, port, end)
    os.environ["WAOOAW_DATABASE_URL"] = status.database_url
    settings = _settings(prometheus_url=status.prometheus_url, reports_dir=reports_dir)
    as_of = status.end if end is not None else dt.datetime.now(dt.UTC).replace(microsecond=0)
    for kind in KINDS:
        directory = run_report(kind, None, as_of, settings)
        for name in ("report.html", "report.pdf", "report.json"):
            click.echo(directory / name)
