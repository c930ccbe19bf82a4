"""The platform database over SQLAlchemy: incidents and action items as plain rows, and the
numbers the catalog's SQL metrics ask for.

Times come back as aware UTC datetimes whatever the backend stored: SQLite keeps text, which
may or may not carry an offset; PostgreSQL may use ``timestamp`` (naive, meaning UTC) or
``timestamptz``. Naive values are read as UTC (DESIGN §3.2).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    String,
    Table,
    bindparam,
    create_engine,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
)

from waooaw_reports.settings import redact_url
from waooaw_reports.sources import schema

log = logging.getLogger(__name__)

# The times a catalog SQL query may name; `::` (a PostgreSQL cast) is not a parameter.
SQL_TIMES = ("start", "end", "as_of")
_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")


class DatabaseError(RuntimeError):
    """The platform database could not be read."""


@dataclass
class Rows:
    """Rows of one table, and those whose values could not be read, with the reason."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[dict[str, str]] = field(default_factory=list)


def connect(url: str) -> Engine:
    """An engine for ``url``; a SQLite file must already exist and is opened read-only."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"WAOOAW_DATABASE_URL {redact_url(url)!r} is not a SQLAlchemy URL such as "
            "sqlite:///platform.db or postgresql://user@host/db."
        ) from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).resolve()
        if not path.is_file():
            raise DatabaseError(
                f"The SQLite database {path} does not exist. Check WAOOAW_DATABASE_URL "
                "(for the demo, run `waooaw-reports demo up` first)."
            )
        parsed = parsed.set(database=f"file:{path}?mode=ro", query={"uri": "true"})
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(
            f"No driver for {redact_url(url)}: {exc}. Install the driver or fix the URL."
        ) from exc


class PlatformDatabase:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = connect(url)

    def close(self) -> None:
        self._engine.dispose()

    def rows(self, table: Table) -> Rows:
        """Every row of ``table``, times as aware UTC; rows with unreadable times set apart."""
        return self._select(table)

    def incidents(self, start: dt.datetime, end: dt.datetime) -> Rows:
        """Incidents whose ``started_at`` falls in [start, end)."""
        table = schema.incidents
        rows = self._select(table)
        return _in_window(rows, "started_at", start, end)

    def action_items(self) -> Rows:
        return self._select(schema.action_items)

    def metric_value(
        self, query: str, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
    ) -> float | None:
        """The one number a catalog SELECT returns; None when it returns no row or NULL.

        ``:start``, ``:end`` and ``:as_of`` are bound as naive UTC timestamps, the way the
        platform stores its times (DESIGN §3.2); on PostgreSQL the session runs read-only in
        UTC, so a ``timestamptz`` column compares the same. SQLite compares the stored text,
        which SQLAlchemy writes as ``YYYY-MM-DD HH:MM:SS.ffffff``.
        """
        times = {"start": start, "end": end, "as_of": as_of}
        named = [name for name in SQL_TIMES if name in _PARAMETER.findall(query)]
        statement = text(query).bindparams(*(bindparam(name, type_=DateTime()) for name in named))
        values = {name: _naive_utc(times[name]) for name in named}
        try:
            with self._engine.connect() as connection:
                if self._engine.dialect.name == "postgresql":
                    connection.execute(text("SET TRANSACTION READ ONLY"))
                    connection.execute(text("SET LOCAL TIME ZONE 'UTC'"))
                row = connection.execute(statement, values).first()
                connection.rollback()
        except DBAPIError as exc:
            raise DatabaseError(
                f"The metric query {' '.join(query.split())!r} failed on "
                f"{redact_url(self.url)}: {_first_line(exc)}. Check the query in the catalog "
                "and that its tables exist."
            ) from exc
        value = None if row is None else row[0]
        if isinstance(value, Decimal):
            value = float(value)
        if value is not None and not isinstance(value, int | float):
            raise DatabaseError(
                f"The metric query {' '.join(query.split())!r} returned {value!r}; "
                "a metric query must return one number."
            )
        return None if value is None or not math.isfinite(value) else float(value)

    def _select(self, table: Table) -> Rows:
        sqlite = self._engine.dialect.name == "sqlite"
        columns = [
            type_coerce(column, String).label(column.name)
            if sqlite and _is_time(column.type)
            else column
            for column in table.columns
        ]
        try:
            with self._engine.connect() as connection:
                result = connection.execute(select(*columns)).mappings().all()
        except (OperationalError, ProgrammingError) as exc:
            server = "" if sqlite else "that the server runs, "
            raise DatabaseError(
                f"Could not read table {table.name!r} from {redact_url(self.url)}: "
                f"{_first_line(exc)}. Check {server}that WAOOAW_DATABASE_URL is right and that "
                f"the table exists with the columns listed in the README "
                f"(waooaw_reports/sources/schema.py)."
            ) from exc
        log.info("Read %d rows from %s", len(result), table.name)
        return _parse_rows(table, [dict(row) for row in result])


def _is_time(column_type: Any) -> bool:
    return column_type.__class__.__name__ in ("DateTime", "Date")


def _parse_rows(table: Table, raw: list[dict[str, Any]]) -> Rows:
    parsed = Rows()
    for row in raw:
        problems = []
        for column in table.columns:
            if not _is_time(column.type):
                continue
            try:
                row[column.name] = _as_utc(row[column.name], date_only=_is_date(column.type))
            except ValueError:
                problems.append(f"{column.name} {row[column.name]!r} is not a timestamp")
        if problems:
            parsed.unreadable.append({"id": _row_id(row), "reason": "; ".join(problems)})
        else:
            parsed.rows.append(row)
    return parsed


def _row_id(row: dict[str, Any]) -> str:
    """The row's id; tables without one (subscriptions, credentials) name their customer."""
    if "id" in row:
        return str(row["id"])
    return f"customer {row.get('customer_id')}"


def _is_date(column_type: Any) -> bool:
    return column_type.__class__.__name__ == "Date"


def _as_utc(value: Any, date_only: bool) -> Any:
    if value is None:
        return None
    if date_only:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, dt.datetime):
        raise ValueError(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _in_window(rows: Rows, column: str, start: dt.datetime, end: dt.datetime) -> Rows:
    kept = [row for row in rows.rows if row[column] is not None and start <= row[column] < end]
    return Rows(kept, rows.unreadable)


def _naive_utc(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError(f"Query times must carry a zone; got naive {instant}.")
    return instant.astimezone(dt.UTC).replace(tzinfo=None)


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).strip().splitlines()[0]
