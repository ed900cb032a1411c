"""Escapers for text from user data (titles, probe output, error messages), one per format.

Every renderer passes what it did not write itself through the escaper of its format:

- ``plain``: control characters removed (C0 but tab and newline, DEL, C1, and the Unicode
  bidirectional overrides that reorder what a reader sees), so no ESC byte ever reaches a
  terminal;
- ``xml``: ``plain`` minus what XML 1.0 cannot hold at all (surrogates, U+FFFE, U+FFFF); the
  XML library escapes ``& < > "`` itself;
- ``html``: ``plain``, then ``& < > " '`` as entities (also for Markdown's HTML blocks, such
  as ``<summary>``, where backslashes would show);
- ``markdown``: ``plain``, then ``& < >`` as HTML entities and Markdown's punctuation
  backslash-escaped, so probe output can open no tag (``<script>``, ``</details>``), no image
  (``![x](http://…)``), no link, no emphasis, no mention and no table cell.
"""

from __future__ import annotations

import re
from html import escape as html_escape

_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?)")  # CSI, OSC
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (tab and newline kept), DEL, C1
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks and overrides
    "\ud800-\udfff\ufffe\uffff]"  # never valid in XML
)
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]#!|~@])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def plain(text: str) -> str:
    """``text`` without terminal escape sequences and control characters (tab and newline
    kept)."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def xml(text: str) -> str:
    """``text`` that an XML 1.0 document can hold (the XML library escapes the rest)."""
    return plain(text)


def html(text: str) -> str:
    """``text`` shown literally inside HTML."""
    return html_escape(plain(text))


def markdown(text: str) -> str:
    """``text`` shown literally by a Markdown renderer (GitHub's included)."""
    text = plain(text)
    text = "".join(_ENTITIES.get(c, c) for c in text)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
