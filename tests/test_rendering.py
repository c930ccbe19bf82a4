"""Rendering: escaping, the URL fetcher, fonts, long tables and atomic writes (C16 to C19).

PDFs are read back with poppler's pdftotext, pdffonts and pdfdetach, independent of WeasyPrint.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import os
import re
import socket
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from waooaw_reports.rendering import (
    MAX_TABLE_ROWS,
    URLRefused,
    formatting,
    render_html,
    render_pdf,
    templates,
    write_report_files,
)
from waooaw_reports.rendering import files as report_files
from waooaw_reports.rendering.html import template_environment
from waooaw_reports.rendering.pdf import TemplateFolderFetcher

FIXTURE = Path(__file__).parent / "fixtures" / "report_weekly.json"
HOSTILE_TITLE = 'DB failover <script>alert(1)</script> & "quotes"'
NBSP = "\u00a0"
MINUS = "\u2212"


@pytest.fixture
def report() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record not in self.records:
            self.records.append(record)


@pytest.fixture
def weasyprint_log() -> Iterator[list[logging.LogRecord]]:
    """WARNING and worse from WeasyPrint's loggers, which report fonts and images it dropped."""
    handler = _Records()
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.fixture
def quiet_weasyprint(weasyprint_log: list[logging.LogRecord]) -> Iterator[None]:
    """C18: a WeasyPrint warning means something silently left the PDF; fail on it."""
    yield
    messages = [f"{record.levelname}: {record.getMessage()}" for record in weasyprint_log]
    assert messages == []


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to open a connection or resolve a name, refused and recorded."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise AssertionError(f"rendering tried to use the network: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def poppler(tool: str, *args: str) -> str:
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=True)
    return result.stdout


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return poppler("pdftotext", *pages, str(pdf), "-")


def pdf_pages(pdf: Path) -> int:
    info = poppler("pdfinfo", str(pdf))
    match = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert match, info
    return int(match[1])


def squeezed(text: str) -> str:
    """Text without any whitespace, so that words wrapped across lines still match."""
    return "".join(text.split())


def write_pdf(pdf: bytes, tmp_path: Path, name: str = "report.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


# C16: autoescape


def test_hostile_title_is_escaped_text_in_the_html(report: dict[str, Any]) -> None:
    html = render_html(report)

    assert "DB failover &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    assert "<script" not in html


def test_autoescape_is_on_whatever_the_template_name() -> None:
    environment = template_environment()

    # select_autoescape() would return a function that says no to *.html.j2 (C16).
    assert environment.autoescape is True
    assert environment.from_string("{{ title }}").render(title="<b>") == "&lt;b&gt;"
    assert templates.MAIN_TEMPLATE.endswith(".j2")


def test_hostile_title_is_text_in_the_pdf(
    report: dict[str, Any], tmp_path: Path, quiet_weasyprint: None
) -> None:
    pdf = write_pdf(render_pdf(render_html(report)), tmp_path)

    assert squeezed(HOSTILE_TITLE) in squeezed(pdf_text(pdf))


# C17: the renderer fetches nothing


HOSTILE_HTML = """<!DOCTYPE html>
<html><head>
<link rel="attachment" href="file:///etc/hostname">
<link rel="stylesheet" href="https://example.org/track.css">
</head><body>
<p>Report</p>
<img src="http://169.254.169.254/latest">
<a rel="attachment" href="fonts/DejaVuSans.ttf">font</a>
</body></html>
"""


def test_pdf_of_hostile_html_fetches_and_embeds_nothing(
    tmp_path: Path, no_network: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="waooaw_reports.rendering.pdf")

    pdf = write_pdf(render_pdf(HOSTILE_HTML), tmp_path)

    refused = [record.args[0] for record in caplog.records if record.msg.startswith("Refused")]
    assert "http://169.254.169.254/latest" in refused
    assert "https://example.org/track.css" in refused
    assert no_network == []
    # The attachment links are dropped before writing, even one inside the template folder.
    assert poppler("pdfdetach", "-list", str(pdf)).strip() == "0 embedded files"


def _folder_url(folder: Path, tail: str) -> str:
    return f"file://{folder}/{tail}"


@pytest.mark.parametrize(
    ("make_url", "reason"),
    [
        (lambda folder: "http://169.254.169.254/latest", "scheme"),
        (lambda folder: "https://example.org/font.ttf", "scheme"),
        (lambda folder: "ftp://example.org/font.ttf", "scheme"),
        (lambda folder: "file:///etc/hostname", "not inside"),
        (lambda folder: _folder_url(folder, "../pyproject.toml"), "not inside"),
        (lambda folder: _folder_url(folder, "fonts/%2e%2e/%2e%2e/pyproject.toml"), "not inside"),
        (lambda folder: _folder_url(folder, "fonts"), "not inside"),
        (lambda folder: _folder_url(folder, "no-such-file.css"), "does not exist"),
        (lambda folder: f"file://otherhost{folder}/report.css", "another host"),
    ],
    ids=[
        "metadata-http",
        "https",
        "ftp",
        "file-outside",
        "dot-dot",
        "encoded-dot-dot",
        "directory",
        "missing",
        "remote-file-host",
    ],
)
def test_fetcher_refuses_everything_but_the_template_folder(make_url: Any, reason: str) -> None:
    folder = templates.template_folder()
    fetcher = TemplateFolderFetcher(folder)

    with pytest.raises(URLRefused, match=reason):
        fetcher.fetch(make_url(folder))


def test_fetcher_serves_template_files_and_data_urls() -> None:
    folder = templates.template_folder()
    fetcher = TemplateFolderFetcher(folder)

    font = fetcher.fetch(_folder_url(folder, "fonts/DejaVuSans.ttf"))
    stylesheet = fetcher.fetch(_folder_url(folder, "fonts.css"))
    inline = fetcher.fetch("data:text/plain;base64,aGVsbG8=")

    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType file
    assert stylesheet.content_type == "text/css"
    assert inline.read() == b"hello"
    assert fetcher.refused == []


def test_fetcher_refuses_a_symlink_that_leaves_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "report_templates"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for reports")
    (folder / "innocent.css").symlink_to(secret)
    fetcher = TemplateFolderFetcher(folder)

    with pytest.raises(URLRefused, match="not inside"):
        fetcher.fetch(_folder_url(folder, "innocent.css"))
    assert fetcher.refused == [_folder_url(folder, "innocent.css")]


# C18: fonts and quiet failures


def test_pdf_embeds_the_shipped_fonts(
    report: dict[str, Any], tmp_path: Path, quiet_weasyprint: None
) -> None:
    pdf = write_pdf(render_pdf(render_html(report)), tmp_path)

    rows = poppler("pdffonts", str(pdf)).splitlines()[2:]
    fonts = {row.split()[0].split("+")[-1]: row.split() for row in rows}
    assert set(fonts) == {"Report-Sans", "Report-Sans-Bold", "Report-Mono"}
    for name, columns in fonts.items():
        emb = columns[-5]
        assert emb == "yes", f"{name} is not embedded: {columns}"


def test_template_folder_ships_its_fonts_and_licence() -> None:
    folder = templates.template_folder()
    declared = re.findall(r'url\("([^"]+)"\)', (folder / "fonts.css").read_text())

    assert declared
    for relative in declared:
        assert (folder / relative).is_file()
    assert (folder / "fonts" / "LICENSE-DejaVu.txt").is_file()


# C19: long tables


def test_long_incident_list_is_capped_in_the_pdf_and_complete_in_the_csv(
    report: dict[str, Any], tmp_path: Path, quiet_weasyprint: None
) -> None:
    template = report["incidents"]["items"][1]
    items = [{**template, "id": f"INC-{number:05d}"} for number in range(1, 3001)]
    report["incidents"]["items"] = items
    report["incidents"]["total"] = len(items)

    paths = write_report_files(report, tmp_path)

    text = pdf_text(paths["pdf"])
    shown = set(re.findall(r"INC-\d{5}", text))
    assert len(shown) == MAX_TABLE_ROWS
    assert "Showing the first 200 of 3,000 incidents" in " ".join(text.split())
    with paths["incidents_csv"].open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [row["id"] for row in rows] == [item["id"] for item in items]

    pages_with_rows = [
        page
        for page in range(1, pdf_pages(paths["pdf"]) + 1)
        if re.search(r"INC-\d{5}", pdf_text(paths["pdf"], page))
    ]
    assert len(pages_with_rows) >= 2
    for page in pages_with_rows:
        assert "To detect" in pdf_text(paths["pdf"], page), f"no table header on page {page}"


def test_every_table_has_a_header_group(report: dict[str, Any]) -> None:
    html = render_html(report)

    assert html.count("<table") == html.count("<thead>") > 5


# Values


def test_quiet_week_says_zero_incidents_and_mttr_na(report: dict[str, Any]) -> None:
    empty = {
        "count": 0,
        "mttd_minutes": None,
        "mtta_minutes": None,
        "mttr_minutes": None,
        "response_target_met": None,
        "resolution_target_met": None,
    }
    report["incidents"] = {
        "total": 0,
        "open": 0,
        "by_severity": {severity: dict(empty) for severity in ("P0", "P1", "P2", "P3")},
        "mttd_minutes": None,
        "mtta_minutes": None,
        "mttr_minutes": None,
        "postmortems": {"required": 0, "completed": 0},
        "items": [],
        "rejected": [],
    }

    text = " ".join(re.sub(r"<[^>]+>", " ", render_html(report)).split())

    assert "0 incidents started in the period" in text
    assert "MTTR n/a" in text


def test_null_metric_renders_na(report: dict[str, Any]) -> None:
    html = render_html(report)

    row = re.search(
        r"Customer satisfaction\s*(?:<div.*?</div>\s*)*</th>(.*?)</tr>", html, re.DOTALL
    )
    assert row
    cells = re.findall(r'<td class="num">([^<]*)</td>', row[1])
    assert cells[0] == "n/a"  # value
    assert cells[-1] == "n/a"  # change, since there is no value to compare


def test_scorecard_notes_and_top_offenders(report: dict[str, Any]) -> None:
    metrics = {m["name"]: m for m in report["metrics"]}
    report["metrics"].append(
        {
            **metrics["goal_execution_success"],
            "name": "active_agents",
            "tier": 4,
            "description": "Mean active agents; judged on the largest day-over-day fall.",
            "value": 95.857,
            "unit": "count",
            "target": 0.0,
            "alert_threshold": 0.2,
            "direction": "lower",
            "status": "breached",
            "previous": 94.571,
            "change": 1.286,
            "judged_on": {"figure": "largest_daily_fall", "value": 0.25, "day": "2026-11-26"}
            | {"unit": "ratio", "daily": [], "previous": 0.021},
        }
    )
    metrics["slow_queries_per_minute"]["details"] = {"minutes_older_than_3_min": 7.0}
    report["top_offenders"] = {
        "limit": 5,
        "error_rate": {
            "rows": [
                {
                    "service": "api-gateway",
                    "endpoint": "/v1/<goals>",
                    "requests": 554400.0,
                    "errors": 800.0,
                    "error_rate": 800 / 554400,
                }
            ],
            "offending": 1,
            "query": {"errors": "e", "requests": "r"},
        },
        "latency_p95": {
            "rows": [{"service": "auth", "endpoint": "", "p95_seconds": 0.35, "requests": 1e6}],
            "measured": 1,
            "query": {"p95": "p", "requests": "r"},
        },
        "slow_queries": {"rows": [], "measured": 0, "query": {"p95": "p"}},
    }
    text = " ".join(re.sub(r"<[^>]+>", " ", render_html(report)).split())

    assert "Tier 4: business health" in text
    # split() folds the no-break spaces between numbers and units into plain ones.
    assert "Judged on the largest day-over-day fall: 25 % on 2026-11-26" in text
    assert "fall ≤ 0 % fall &gt; 20 %" in text
    assert "Minutes older than 3 min: 7" in text
    assert "Top offenders" in text
    assert "api-gateway /v1/&lt;goals&gt; 0.144 % 800 554,400" in text
    assert "auth all 0.350 s 1,000,000" in text
    assert "No query durations were recorded." in text


@pytest.mark.parametrize(
    ("formatted", "expected"),
    [
        # C02: increase() over 10 minutes gave 3.333 errors; a count is a whole number.
        (formatting.whole(3.3333333), "3"),
        (formatting.whole(2.5), "3"),
        (formatting.whole(48251902.6), "48,251,903"),
        (formatting.whole(None), "n/a"),
        (formatting.percent(48213377.4 / 48251902.6), f"99.92{NBSP}%"),
        (formatting.percent(0.999), f"99.9{NBSP}%"),
        (formatting.percent(0.9583), f"95.8{NBSP}%"),
        (formatting.percent(0.000798), f"0.08{NBSP}%"),
        (formatting.percent(-0.199), f"{MINUS}19.9{NBSP}%"),
        (formatting.percent(None), "n/a"),
        (formatting.seconds(0.182), f"0.182{NBSP}s"),
        (formatting.seconds(141.7), f"142{NBSP}s"),
        (formatting.seconds(7200), f"7,200{NBSP}s (2.0{NBSP}h)"),
        (formatting.minutes(30.75), f"30.8{NBSP}min"),
        (formatting.minutes(None), "n/a"),
        (formatting.by_unit(306.2e9, "bytes"), f"306.2{NBSP}GB"),
        (formatting.by_unit(3.4, "per_minute"), f"3.4{NBSP}/min"),
        (formatting.by_unit(4.46, "score"), f"4.46{NBSP}of{NBSP}5"),
        (formatting.by_unit(1287.4, "count"), "1,287"),
        (formatting.change(0.99920 - 0.99961, "ratio"), f"{MINUS}0.041{NBSP}pp"),
        (formatting.change(29.3, "seconds"), f"+29.3{NBSP}s"),
        (formatting.change(None, "ratio"), "n/a"),
        (formatting.change(0.0, "ratio"), "no change"),
        (formatting.days(151.29), f"151{NBSP}days"),
        (formatting.days(None), "n/a"),
        (formatting.local_time("2026-11-23T00:00:00+01:00"), "2026-11-23 00:00"),
        (formatting.metric_label("integration_success:linkedin"), "Integration success: linkedin"),
        (formatting.metric_label("api_latency_p95"), "API latency P95"),
    ],
)
def test_formatting(formatted: str, expected: str) -> None:
    assert formatted == expected


def test_unknown_status_fails_loudly(report: dict[str, Any]) -> None:
    report["areas"][0]["status"] = "green"

    with pytest.raises(ValueError, match="Status 'green' is unknown"):
        render_html(report)


def test_first_page_gives_the_verdicts_in_words(
    report: dict[str, Any], tmp_path: Path, quiet_weasyprint: None
) -> None:
    pdf = write_pdf(render_pdf(render_html(report)), tmp_path)

    first_page = " ".join(pdf_text(pdf, page=1).split())
    assert "Weekly health review" in first_page
    assert "2026-11-23 00:00 \u2013 2026-11-30 00:00 UTC" in first_page
    assert "Overall: Breached" in first_page
    for area in report["areas"]:
        assert area["name"] in first_page
    for label in ("Breached", "At risk", "Met", "No data"):
        assert label in first_page
    for item in report["attention"]:
        assert " ".join(item.split()) in first_page
    assert "Page 1 of" in first_page

    second_page = " ".join(pdf_text(pdf, page=2).split())
    assert second_page.startswith("Weekly health review Week 2026-11-23: 2026-11-23 00:00")
    assert "Page 2 of" in second_page


def test_pdf_is_deterministic(report: dict[str, Any]) -> None:
    html = render_html(report)

    assert render_pdf(html) == render_pdf(html)


# Files


def test_report_files_are_written_without_leftovers(
    report: dict[str, Any], tmp_path: Path, quiet_weasyprint: None
) -> None:
    paths = write_report_files(report, tmp_path)

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "incidents.csv",
        "report.html",
        "report.json",
        "report.pdf",
    ]
    assert paths["json"] == tmp_path / "report.json"
    assert json.loads(paths["json"].read_text(encoding="utf-8")) == report
    assert paths["html"].read_text(encoding="utf-8") == render_html(report)
    assert paths["pdf"].read_bytes().startswith(b"%PDF-")


def test_failed_pdf_rendering_leaves_the_earlier_report(
    report: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_report_files(report, tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def broken(html: str) -> bytes:
        raise RuntimeError("layout failed")

    monkeypatch.setattr(report_files, "render_pdf", broken)
    changed = copy.deepcopy(report)
    changed["title"] = "Rerun"
    with pytest.raises(RuntimeError, match="layout failed"):
        write_report_files(changed, tmp_path)

    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_failed_write_keeps_the_old_file_and_removes_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        report_files.write_atomically(target, b"new")

    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["report.pdf"]


def test_incidents_csv_defuses_spreadsheet_formulas() -> None:
    items = [{"id": "INC-1", "title": '=HYPERLINK("x")', "open": False, "age_minutes": None}]

    rows = list(csv.reader(io.StringIO(report_files.incidents_csv(items).decode("utf-8"))))

    assert rows == [
        ["id", "title", "open", "age_minutes"],
        ["INC-1", '\'=HYPERLINK("x")', "false", ""],
    ]


# HTML properties


def test_html_is_deterministic(report: dict[str, Any]) -> None:
    first = render_html(report)
    second = render_html(json.loads(json.dumps(report)))

    assert first.encode("utf-8") == second.encode("utf-8")


class _References(HTMLParser):
    ATTRIBUTES = {"src", "href", "srcset", "action", "data", "poster", "background"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if name in self.ATTRIBUTES]


def test_html_references_nothing_outside_itself(report: dict[str, Any]) -> None:
    html = render_html(report)
    parser = _References()
    parser.feed(html)

    assert not [ref for ref in parser.found if ref.startswith(("http://", "https://", "//"))]
    assert parser.found == []
    assert "url(" not in html
    assert "@import" not in html


# Template folder


def _fake_package(root: Path, with_templates: bool) -> Path:
    module = root / "waooaw_reports" / "rendering" / "templates.py"
    module.parent.mkdir(parents=True)
    module.touch()
    if with_templates:
        folder = root / "waooaw_reports" / "report_templates"
        folder.mkdir()
        (folder / templates.MAIN_TEMPLATE).touch()
    return module


def test_template_folder_prefers_the_installed_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _fake_package(tmp_path / "site-packages", with_templates=True)
    monkeypatch.setattr(templates, "__file__", str(module))

    assert templates.template_folder() == (
        tmp_path / "site-packages" / "waooaw_reports" / "report_templates"
    )


def test_template_folder_falls_back_to_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _fake_package(tmp_path / "repo", with_templates=False)
    (tmp_path / "repo" / "report_templates").mkdir()
    (tmp_path / "repo" / "report_templates" / templates.MAIN_TEMPLATE).touch()
    monkeypatch.setattr(templates, "__file__", str(module))

    assert templates.template_folder() == tmp_path / "repo" / "report_templates"


def test_missing_template_folder_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _fake_package(tmp_path / "elsewhere", with_templates=False)
    monkeypatch.setattr(templates, "__file__", str(module))

    with pytest.raises(FileNotFoundError, match="report_templates"):
        templates.template_folder()
