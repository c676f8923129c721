"""Bytes to text for every reader: encoding detection, binary refusal, mojibake repair.

News files arrive in whatever encoding their producer used: UTF-8 with or without a byte
order mark, UTF-16 from Windows tools, cp1252 or latin-1 from older archives, and files that
are mostly UTF-8 with a few stray bytes. ``decode`` never fails on bytes; ``looks_binary``
lets the dispatcher refuse a PDF or an image that was named ``.txt``.
"""

from __future__ import annotations

import codecs
import re
from typing import Optional, Tuple

__all__ = ["decode", "looks_binary", "fix_mojibake"]

_BOMS: Tuple[Tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 8192
# Declared labels that in practice mean Windows-1252 (as browsers treat them).
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii"}
_MAGIC = (
    b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"BZh",
    b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ", b"OggS",
    b"ID3", b"fLaC", b"RIFF", b"\x00\x00\x00\x18ftyp", b"\x00\x00\x00\x20ftyp", b"wOFF",
    b"SQLite format 3",
)  # fmt: skip
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_CONTROL_TABLE = bytes.maketrans(_CONTROL, b"\x00" * len(_CONTROL))
# Runs of characters that UTF-8 bytes become when read as cp1252: a lead byte (Â-ï as
# cp1252) followed by continuation bytes (cp1252 0x80-0xBF).
_CONT = "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d" \
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178" \
    "\u00a0-\u00bf\x81\x8d\x8f\x90\x9d"
_MOJIBAKE = re.compile(f"[\u00c2-\u00ef][{_CONT}]{{1,3}}(?:[\u00c2-\u00ef][{_CONT}]{{1,3}})*")


def _cp1252_bytes(error: UnicodeError) -> Tuple[str, int]:
    """Codec error handler: read the bytes that are not UTF-8 as cp1252 (latin-1 for the
    five bytes cp1252 leaves undefined), so one stray byte spoils one character only."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(_byte_as_cp1252(b) for b in bad), error.end


def _byte_as_cp1252(byte: int) -> str:
    """One byte as cp1252, or as latin-1 where cp1252 has no character for it."""
    try:
        return bytes((byte,)).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error("searcher-cp1252", _cp1252_bytes)


def decode(data: bytes, *, declared: Optional[str] = None) -> str:
    """Text of ``data``; never raises.

    Order: a byte order mark (UTF-8/16/32); else the charset the caller found declared in
    the file (an HTML meta tag or XML declaration), if Python knows it and the bytes fit it;
    else UTF-8, where any bytes that are not UTF-8 are read as cp1252 (so a pure cp1252 or
    latin-1 file decodes as cp1252, and a UTF-8 file with one stray byte keeps the rest of
    its characters). BOM-less UTF-16 (every other byte NUL) is recognised too. Common
    mojibake (UTF-8 read as cp1252, "â€™") is repaired.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if declared:
        text = _decode_declared(data, declared)
        if text is not None:
            return fix_mojibake(text)
    utf16 = _bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="searcher-cp1252")
    return fix_mojibake(text)


def _decode_declared(data: bytes, declared: str) -> Optional[str]:
    """``data`` in its declared charset, or ``None`` if unknown or the bytes do not fit."""
    label = declared.strip().strip("'\"").lower()
    if label in _LATIN1_LABELS:
        label = "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # a declared UTF-16 without a BOM is usually wrong (the file was re-saved)
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        if name == "cp1252":
            return data.decode("latin-1")
        return None


def _bomless_utf16(data: bytes) -> Optional[str]:
    """'utf-16-le'/'utf-16-be' when the sample looks like ASCII-range UTF-16 without a BOM."""
    sample = data[:_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.6 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.6 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def looks_binary(data: bytes, *, nul_ok: bool = False) -> bool:
    """Whether ``data`` is not text: a known binary signature, NUL bytes outside UTF-16/32
    text, or more than 10% control characters in the first 8 KB.

    With ``nul_ok`` (CSV and JSON Lines, whose reader reports a row holding a NUL) a few NUL
    bytes in otherwise textual data are allowed; they still count as control characters."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    if data.startswith(_MAGIC):
        return True
    if _bomless_utf16(data):
        return False
    sample = data[:_SAMPLE]
    if not sample:
        return False
    if not nul_ok and b"\x00" in sample:
        return True
    controls = sample.translate(_CONTROL_TABLE).count(0)
    return controls > 0.10 * len(sample)


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 that was decoded as cp1252 ("donâ€™t" → "don’t", "cafÃ©" → "café").

    Only runs that turn back into valid UTF-8 are changed, and only when the telltale lead
    characters are present at all, so clean text costs one scan.
    """
    if "\u00e2\u20ac" not in text and "\u00c3" not in text and "\u00c2" not in text:
        return text
    return _MOJIBAKE.sub(_repair_run, text)


def _repair_run(match: "re.Match[str]") -> str:
    """One mojibake run back to the characters it stood for, or unchanged if it is not."""
    run = match.group(0)
    raw = bytearray()
    for char in run:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 255:
                return run
            raw.append(ord(char))  # one of the five bytes cp1252 leaves undefined
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return run
