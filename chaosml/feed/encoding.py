"""Broken text encodings, as a feed with a wrong codec or a byte limit produces them.

- **mojibake**: UTF-8 bytes read as Windows-1252 (``café`` → ``cafÃ©``); bytes that code page
  leaves undefined are read as Latin-1. ASCII text has nothing to garble and stays as it is.
- **truncated UTF-8**: the text's UTF-8 bytes cut inside a multi-byte character (a field cut at
  a byte limit), leaving an incomplete sequence: invalid UTF-8 on the wire and in the file. The
  cut bytes are carried as ``surrogateescape`` code points, which the writers turn back into
  those bytes. Text without a multi-byte character is cut to half its length (valid, shorter).
"""

from __future__ import annotations

BYTES_ERRORS = "surrogateescape"  # how corrupted text carries bytes that are not UTF-8


def mojibake(text: str) -> str:
    return "".join(_cp1252(byte) for byte in text.encode("utf-8", BYTES_ERRORS))


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


def truncated_utf8(text: str) -> str:
    data = text.encode("utf-8", BYTES_ERRORS)
    starts = [i for i, byte in enumerate(data) if byte >= 0xC0]  # lead bytes of multi-byte chars
    if not starts:
        return text[: len(text) // 2]
    cut = starts[len(starts) // 2] + 1  # keep the lead byte, drop its continuation bytes
    return data[:cut].decode("utf-8", BYTES_ERRORS)
