"""Dates as news archives write them, turned into timezone-aware UTC datetimes.

Every source hands its raw date text (a text header, a CSV cell, an RSS ``pubDate``, a JSON
number) to this module, so one set of rules decides what a date means everywhere.

Rules worth knowing:

* A value with no zone is taken as UTC; a date without a time is midnight UTC.
* Ambiguous all-numeric day/month: ``03/04/2017`` (slashes) is read month first, the US
  habit of most English-language archives; ``03.04.2017`` and ``03-04-2017`` (dots, dashes)
  are read day first, the European habit. When the preferred reading is impossible but the
  other one works (``30/01/2017``), the working one is used.
* Something that is clearly a date but cannot exist (``2023-02-30``, month 13, 25 o'clock)
  raises :class:`~searcher.errors.DateError` rather than being guessed at; so does a year
  before 1000 or more than a year after today ("implausible"). Text that merely contains no
  date gives ``None``.
* Only the standard library and precompiled regular expressions are used: this runs once for
  every article.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Iterable, Iterator, Match, Optional, Tuple
from urllib.parse import urlsplit

from searcher.errors import DateError

__all__ = [
    "parse_date", "parse_date_local", "parse_date_value", "split_date_prefix", "date_from_url",
    "month_from_url", "dates_in_text",
]

_UTC = timezone.utc

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
# Month names of the other languages news archives hold most (German, French, Spanish,
# Italian, Portuguese, Dutch), full and abbreviated; accents are also accepted without.
_FOREIGN_MONTHS = {
    1: "januar jänner janvier janv enero ene gennaio gen janeiro januari",
    2: "februar feber février fevrier févr fevr febrero febbraio fevereiro fev februari",
    3: "märz maerz mär mars marzo março marco maart mrt",
    4: "avril avr abril abr aprile",
    5: "mai mayo maggio mag maio mei",
    6: "juni juin junio giugno giu junho",
    7: "juli juillet juil julio luglio lug julho",
    8: "août aout agosto ago augustus",
    9: "septembre septiembre setiembre settembre set setembro",
    10: "oktober okt octobre octubre ottobre ott outubro out",
    11: "noviembre novembre novembro",
    12: "dezember dez décembre decembre déc diciembre dic dicembre dezembro december",
}  # fmt: skip
for _number, _names in _FOREIGN_MONTHS.items():
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

# Fixed offsets in minutes. IST is taken as India (the common one in news datelines).
_ZONES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "wet": 0,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
    "pst": -480, "pdt": -420, "akst": -540, "akdt": -480, "hst": -600,
    "bst": 60, "cet": 60, "cest": 120, "met": 60, "mest": 120, "wat": 60, "eet": 120,
    "eest": 180, "cat": 120, "sast": 120, "eat": 180, "msk": 180, "ist": 330, "pkt": 300,
    "ict": 420, "wib": 420, "hkt": 480, "sgt": 480, "awst": 480, "jst": 540, "kst": 540,
    "acst": 570, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
}  # fmt: skip
# US zones written without saying whether summer time applies: standard offset in minutes.
_US_GENERIC = {"et": -300, "ct": -360, "mt": -420, "pt": -480}

_ZONE_NAMES = "|".join(sorted(list(_ZONES) + list(_US_GENERIC), key=len, reverse=True))
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = (
    r"(?P<H>\d{1,2})(?:"
    r"[:.h](?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9})\d*)?)?"
    r"(?:\s*(?P<ap>[ap])\.?\s?m(?![a-z])\.?)?"
    r"|\s*(?P<ap2>[ap])\.?\s?m(?![a-z])\.?)"
)
_TZ = (
    r"(?:\s*\(?(?P<tz>z(?![a-z])|(?:utc|gmt|ut)?\s?[+-]\d{1,2}(?::?\d{2})?(?!\d)"
    rf"|(?:{_ZONE_NAMES})(?![a-z]))\)?)?"
)
# Between a date and its time: "T", a comma, a space, " at ", " - ", " | ".
_DATE_TIME_SEP = (
    r"(?:t|\s*,\s*|\s+(?:(?:at|à|a\s+las|alle|às|um|om|-|\||@|\u2013)\s+)?|\s*[-|/]\s*)"
)
_TAIL = rf"(?:{_DATE_TIME_SEP}{_TIME}{_TZ})?"

_YMD = re.compile(
    rf"{_WEEKDAY}(?P<y>\d{{4}})(?P<s>[-/.])(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}})(?!\d){_TAIL}",
    re.IGNORECASE,
)
_COMPACT = re.compile(
    r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    r"(?:t(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?(?:[.,](?P<F>\d{1,9}))?"
    r"(?P<tz>z|[+-]\d{2}:?\d{2})?)?(?!\d)",
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    rf"{_WEEKDAY}(?P<a>\d{{1,2}})(?P<s>[-/.])(?P<b>\d{{1,2}})(?P=s)(?P<y>\d{{4}}|\d{{2}})(?!\d)"
    rf"{_TAIL}",
    re.IGNORECASE,
)
# "27 November 2013", "27-Nov-2013", "Mon, 27 Nov 2013 10:30:00 GMT", "27th of May, 2013".
# A two-digit year only when a time follows (RFC 822 "27 Nov 13 10:30 GMT").
_DMY = re.compile(
    rf"{_WEEKDAY}(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?(?:\s+(?:of|de|del)\s+|\s+|-)(?P<mon>{_MONTH_NAMES})\.?"
    rf"(?:,\s*|\s+(?:de|del)\s+|\s+|-)(?P<y>\d{{4}}|\d{{2}}(?=\s+\d{{1,2}}:))(?!\d){_TAIL}",
    re.IGNORECASE,
)
# "Nov 27, 2013", "November 27, 2013 10:30 AM EST", "Wednesday, Nov. 27th 2013".
_MDY = re.compile(
    rf"{_WEEKDAY}(?P<mon>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:,\s*|\s+)(?P<y>\d{{4}})(?!\d){_TAIL}",
    re.IGNORECASE,
)
# A time written before its date: "10:30 AM EST, November 27, 2013".
_TIME_FIRST = re.compile(rf"{_TIME}{_TZ}\s*(?:,|on|\||-)?\s*", re.IGNORECASE)
_EPOCH = re.compile(r"-?\d{9,10}(?:\.\d+)?|\d{12,13}")
# Where a date may start inside longer text ("Published: Nov 27, 2013 by ...").
_DATE_START = re.compile(
    rf"(?<![\d.])(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|º)?\.?\s+(?:(?:of|de)\s+)?(?:{_MONTH_NAMES})(?![^\W\d_])"
    rf"|(?<![^\W\d_])(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}\b)",
    re.IGNORECASE,
)
_SHAPES = (_YMD, _DMY, _MDY, _NUMERIC, _COMPACT)
_SEARCH_LIMIT = 200  # longer text is prose, not a date field: do not hunt inside it

_URL_YMD = re.compile(r"/((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})(?=[/_.-]|$)")
_URL_YMONTHD = re.compile(rf"/((?:19|20)\d{{2}})/({_MONTH_NAMES})/(\d{{1,2}})(?=/|$)", re.I)
_URL_COMPACT = re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?=[/_.-]|$)")
_URL_YM = re.compile(r"/((?:19|20)\d{2})[/_-](\d{1,2})(?=/)")


def parse_date(text: str, *, day_first: bool = False) -> Optional[datetime]:
    """The UTC datetime that ``text`` writes, or ``None`` when it holds no date.

    The whole text should be the date (surrounding whitespace and a leading weekday are
    fine); short text such as "Published: Nov 27, 2013" is also searched for a date.
    ``day_first`` reads ``03/04/2017`` as 3 April (for pages not in US English).
    Raises ``DateError`` for a date that cannot exist or is implausible.
    """
    found = parse_date_local(text, day_first=day_first)
    return found.astimezone(_UTC) if found is not None else None


def parse_date_local(text: str, *, day_first: bool = False) -> Optional[datetime]:
    """Like ``parse_date``, but in the offset from UTC that ``text`` states ("07:47 PM EST"
    gives a datetime at UTC-5), UTC when it states none: its ``.date()`` is then the
    calendar day where the text was written, which is what date filters should use.
    """
    text = text.strip()
    if not text:
        return None
    found = _parse_at(text, 0, whole=True, day_first=day_first)
    if found is not None:
        return found[0]
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text), text)
    time_first = _time_first(text, day_first)
    if time_first is not None:
        return time_first
    if len(text) <= _SEARCH_LIMIT:
        for start in _DATE_START.finditer(text):
            found = _parse_at(text, start.start(), whole=False, day_first=day_first)
            if found is not None:
                return found[0]
        return _rfc822(text)
    return None


def split_date_prefix(text: str) -> Optional[Tuple[str, str]]:
    """Split ``text`` into the date written at its very start and the rest, or ``None``.

    Used where a date runs straight into other words, as in a text file that starts
    "date 2023-08-31 North Korea has..." (giving "2023-08-31" and "North Korea has...").
    The split is by shape only: pass the first part to ``parse_date``, which may still
    return ``None`` (eight digits that are no date) or raise ``DateError`` (2023-02-30).
    """
    text = text.lstrip()
    for pattern in _SHAPES:
        match = pattern.match(text)
        if match is not None and _ends_well(text, match.end(), whole=False):
            return text[: match.end()].strip(), text[match.end() :].lstrip()
    return None


def parse_date_value(value: object) -> Optional[datetime]:
    """Like ``parse_date`` for a value from structured data (JSON, CSV, a datetime).

    Numbers are unix timestamps: seconds, or milliseconds when the number is too large to
    be seconds (above 1e11, which would be the year 5138). ``0`` and booleans are treated
    as "no date", since exports use them as placeholders. A naive datetime is taken as UTC.
    A MongoDB-style ``{"$date": ...}`` object is unwrapped.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=_UTC)
        return _plausible(moment.astimezone(_UTC), str(value))
    if isinstance(value, date):
        return _plausible(datetime(value.year, value.month, value.day, tzinfo=_UTC), str(value))
    if isinstance(value, (int, float)):
        if value == 0 or (isinstance(value, float) and not math.isfinite(value)):
            return None
        try:
            number = float(value)
        except OverflowError:
            raise DateError(f"implausible date '{value}'") from None
        return _from_epoch(number, str(value))
    if isinstance(value, str):
        return parse_date(value)
    if isinstance(value, dict) and "$date" in value:
        return parse_date_value(value["$date"])
    return None


def date_from_url(url: str) -> Optional[datetime]:
    """The publication date a url carries in its path, or ``None``.

    Recognises ``/2013/11/27/``, ``/2013-11-27/``, ``/2013/nov/27/`` and ``/20131127/`` (also
    ``-20131127-``). Never raises: an impossible date in a url is simply no date.
    """
    path = urlsplit(url.strip()).path if "://" in url else url
    for pattern in (_URL_YMD, _URL_YMONTHD, _URL_COMPACT):
        match = pattern.search(path)
        if match is None:
            continue
        year, month, day = match.groups()
        month_number = _MONTHS.get(month.lower()) if month.isalpha() else int(month)
        try:
            return _plausible(
                datetime(int(year), month_number or 0, int(day), tzinfo=_UTC), match.group(0)
            )
        except (ValueError, DateError):
            continue
    return None


def month_from_url(url: str) -> Optional[Tuple[int, int]]:
    """The year and month a url's path names (``/2011/12/slug``, WordPress style), or ``None``."""
    path = urlsplit(url.strip()).path if "://" in url else url
    match = _URL_YM.search(path)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))


def dates_in_text(text: str, *, day_first: bool = False) -> Iterator[datetime]:
    """Every full date (day, month and year) written in running text, in order, each in
    the offset its text states; impossible ones are skipped. For hunting a byline such as
    "Dieser Beitrag wurde am Samstag, 3. Dezember 2011 veröffentlicht" in a page's text."""
    for start in _DATE_START.finditer(text):
        try:
            found = _parse_at(text, start.start(), whole=False, day_first=day_first)
        except DateError:
            continue
        if found is not None:
            yield found[0]


def _parse_at(text: str, pos: int, *, whole: bool, day_first: bool = False) -> Optional[Tuple[datetime, int]]:
    """Try each date shape at ``pos``; with ``whole`` the match must reach the text's end."""
    for pattern in _SHAPES:
        match = pattern.match(text, pos)
        if match is None or not _ends_well(text, match.end(), whole=whole):
            continue
        moment = _from_match(match, pattern, text[pos : match.end()].strip(), day_first)
        if moment is not None:
            return moment, match.end()
    return None


def _ends_well(text: str, end: int, *, whole: bool) -> bool:
    """Whether a date match ending at ``end`` is not the start of a longer token."""
    if whole:
        return end == len(text)
    return end == len(text) or not (text[end].isalnum() or text[end] in "/:")


def _time_first(text: str, day_first: bool = False) -> Optional[datetime]:
    """A text whose time comes before its date ("10:30 AM EST, Wed November 27, 2013")."""
    match = _TIME_FIRST.match(text)
    if match is None or not (match.group("M") or match.group("ap") or match.group("ap2")):
        return None
    found = _parse_at(text, match.end(), whole=True, day_first=day_first)
    if found is None:
        return None
    day = found[0]
    return _build(
        text, day.year, day.month, day.day, match.group("H"), match.group("M"),
        match.group("S"), match.group("F"), match.group("ap") or match.group("ap2"),
        match.group("tz"),
    )  # fmt: skip


def _from_match(
    match: Match[str], pattern: "re.Pattern[str]", original: str, day_first: bool = False
) -> Optional[datetime]:
    """Turn a regex match of one of the date shapes into a UTC datetime."""
    groups = match.groupdict()
    if pattern is _NUMERIC:
        year = _full_year(groups["y"])
        first, second = int(groups["a"]), int(groups["b"])
        month_first = groups["s"] == "/" and not day_first
        month, day = (first, second) if month_first else (second, first)
        if month > 12 and day <= 12:
            month, day = day, month
    else:
        year = _full_year(groups["y"])
        day = int(groups["d"])
        mon = groups.get("mon")
        if mon is not None:
            month = _MONTHS[mon.lower()]
        else:
            month = int(groups["m"])
    if pattern is _COMPACT and not (1 <= month <= 12 and 1 <= day <= 31 and year >= 1000):
        return None  # eight digits that are not a date are just a number
    ap = groups.get("ap") or groups.get("ap2")
    return _build(
        original, year, month, day, groups.get("H"), groups.get("M"), groups.get("S"),
        groups.get("F"), ap, groups.get("tz"),
    )  # fmt: skip


def _full_year(text: str) -> int:
    """A four-digit year; two-digit years are the nearest past-or-next-year century."""
    year = int(text)
    if len(text) == 2:
        pivot = (datetime.now(_UTC).year + 1) % 100
        year += 2000 if year <= pivot else 1900
    return year


def _build(
    original: str,
    year: int,
    month: int,
    day: int,
    hour: Optional[str],
    minute: Optional[str],
    second: Optional[str],
    fraction: Optional[str],
    ampm: Optional[str],
    zone: Optional[str],
) -> datetime:
    """Assemble and check a datetime in the stated zone (UTC when none is stated); raise
    ``DateError`` when it cannot exist."""
    h = int(hour) if hour else 0
    mi = int(minute) if minute else 0
    s = min(int(second), 59) if second else 0  # a leap second is kept inside its minute
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if ampm:
        if not 1 <= h <= 12:
            raise DateError(f"impossible date '{original}'")
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    extra = timedelta(0)
    if h == 24 and mi == 0 and s == 0 and micro == 0:  # ISO 8601 end of day
        h, extra = 0, timedelta(days=1)
    try:
        local = datetime(year, month, day, h, mi, s, micro) + extra
    except ValueError:
        raise DateError(f"impossible date '{original}'") from None
    offset = _offset_minutes(zone, local) if zone else 0
    if offset is None:
        raise DateError(f"impossible date '{original}'")
    try:
        (local - timedelta(minutes=offset)).replace(tzinfo=_UTC)  # the UTC instant must exist
    except OverflowError:
        raise DateError(f"implausible date '{original}'") from None
    zone_info = timezone(timedelta(minutes=offset)) if offset else _UTC
    return _plausible(local.replace(tzinfo=zone_info), original)


def _offset_minutes(zone: str, local: datetime) -> Optional[int]:
    """Minutes east of UTC for a zone name or numeric offset; ``None`` if out of range."""
    name = zone.strip().lower().replace(" ", "")
    if name in _ZONES:
        return _ZONES[name]
    if name in _US_GENERIC:
        return _US_GENERIC[name] + (60 if _us_summer_time(local) else 0)
    for prefix in ("utc", "gmt", "ut"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    sign = -1 if name[0] == "-" else 1
    digits = name[1:].replace(":", "")
    if len(digits) <= 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    if hours > 14 or minutes > 59:
        return None
    return sign * (hours * 60 + minutes)


def _us_summer_time(local: datetime) -> bool:
    """Whether US daylight saving time applies on that local date (rules of 2007 on)."""
    year = local.year

    def nth_sunday(month: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))

    return nth_sunday(3, 2) <= local.date() < nth_sunday(11, 1)


def _from_epoch(number: float, original: str) -> datetime:
    """A unix timestamp in seconds, or in milliseconds when too large to be seconds."""
    if abs(number) >= 1e11:
        number /= 1000.0
    try:
        moment = datetime(1970, 1, 1, tzinfo=_UTC) + timedelta(seconds=number)
    except OverflowError:
        raise DateError(f"implausible date '{original}'") from None
    return _plausible(moment, original)


def _rfc822(text: str) -> Optional[datetime]:
    """Last resort for mail-style dates the patterns missed (asctime, odd spacing)."""
    if not any(c.isalpha() for c in text) or not any(c.isdigit() for c in text):
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_UTC)
    return _plausible(moment, text)


def _plausible(moment: datetime, original: str) -> datetime:
    """``moment`` if its year is 1000 or later and it is at most a year from now."""
    if moment.year < 1000 or moment > datetime.now(_UTC) + timedelta(days=366):
        raise DateError(f"implausible date '{original}'")
    return moment


def first_usable_date(values: Iterable[object], *, url: str = "") -> Tuple[Optional[datetime], str]:
    """The first of ``values`` that is a usable date, else the date in ``url``; with the
    reason (the first one met) when a date was there but could not be used, in which case
    no date is guessed from the url."""
    problem = ""
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            found = parse_date_value(value.strip() if isinstance(value, str) else value)
        except DateError as error:
            problem = problem or str(error)
            continue
        if found is not None:
            return found, ""
        problem = problem or f"unrecognised date '{str(value)[:60]}'"
    if problem:
        return None, problem
    return (date_from_url(url) if url else None), ""

