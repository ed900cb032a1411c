"""``chaosml history`` (trends and regressions), ``chaosml history import DIR`` and
``chaosml coverage --prometheus URL`` (alerting rules no drill has proven): docs/history.md.

Plain functions the typer app wires in; each raises ``ChaosMLError`` for bad input or an
unreachable store and returns the exit code otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from chaosml.errors import InputError
from chaosml.exit_codes import ExitCode
from chaosml.history import json_view, markdown_view, text_view
from chaosml.history.store import HistoryStore
from chaosml.history.trends import HistoryView, build_view

FORMATS = ("text", "markdown", "json", "html")


def show_history(
    url: str | None,
    fmt: str = "text",
    html: Path | None = None,
    fail_on_regression: bool = False,
    title: str | None = None,
    out: TextIO = sys.stdout,
) -> int:
    _check_format(fmt)
    store = HistoryStore.open(url)
    view = _view(store, title)
    renders = {
        "text": lambda: text_view.render_text(view, store.shown),
        "markdown": lambda: markdown_view.render_markdown(view, store.shown),
        "json": lambda: json_view.render_json(view),
        "html": lambda: _render_html(view, store.shown),
    }
    out.write(renders[fmt]())
    if html is not None:
        _write(html, _render_html(view, store.shown), out)
    failed = fail_on_regression and bool(view.regressions)
    return int(ExitCode.DEVIATED if failed else ExitCode.OK)


def _render_html(view: HistoryView, shown: str) -> str:
    from chaosml.history import html_view  # local: the HTML report's modules (~50 ms)

    return html_view.render_html(view, shown)


def _view(store: HistoryStore, title: str | None) -> HistoryView:
    runs, searches = store.runs(), store.searches()
    if title:
        wanted = title.lower()
        runs = [r for r in runs if wanted in r.title.lower()]
        searches = [s for s in searches if wanted in s.title.lower()]
    return build_view(runs, searches)


def import_history(directory: Path, url: str | None, out: TextIO = sys.stdout) -> int:
    from chaosml.history.importer import import_journals  # local: the journal reader (~50 ms)

    store = HistoryStore.open(url)
    result = import_journals(directory, store)
    done = result.recorded
    out.write(
        f"imported {len(done.runs)} run(s) and {len(done.searches)} sensitivity search(es) "
        f"from {result.journals} journal(s) into {store.shown}; "
        f"{len(done.already)} already recorded\n"
    )
    for problem in result.problems:
        print(f"not imported: {problem}", file=sys.stderr)
    return int(ExitCode.INVALID if result.problems else ExitCode.OK)


def show_coverage(
    prometheus: str,
    url: str | None,
    fmt: str = "text",
    html: Path | None = None,
    out: TextIO = sys.stdout,
) -> int:
    # local: the journal reader and an HTTP client, which `chaosml history` does not need
    from chaosml.history import coverage_views
    from chaosml.history.rule_coverage import rule_coverage
    from chaosml.history.rules import alerting_rules

    _check_format(fmt)
    store = HistoryStore.open(url)
    entries = rule_coverage(alerting_rules(prometheus), store.runs(), store.searches())
    renders = {
        "text": coverage_views.render_text,
        "markdown": coverage_views.render_markdown,
        "json": coverage_views.render_json,
        "html": coverage_views.render_html,
    }
    out.write(renders[fmt](entries, prometheus))
    if html is not None:
        _write(html, coverage_views.render_html(entries, prometheus), out)
    return int(ExitCode.OK)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _write(path: Path, text: str, out: TextIO) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    out.write(f"wrote {path}\n")
