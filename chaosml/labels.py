"""How an alert instance's labels are written in messages and reports (engine and renderers)."""

from __future__ import annotations


def labels_text(labels: dict[str, str], skip: tuple[str, ...] = ("alertname",)) -> str:
    """``{instance='a:9100', severity='page'}``: an instance's labels, sorted, for messages."""
    shown = [f"{k}={v!r}" for k, v in sorted(labels.items()) if k not in skip]
    return "{" + ", ".join(shown) + "}"
