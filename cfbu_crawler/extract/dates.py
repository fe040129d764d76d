"""Dates: structured timestamps to Europe/Copenhagen calendar dates, Danish text dates.

Generic date parsers (dateutil & co.) handle Danish poorly: they do not know ``maj``,
``okt.`` or ``marts``, misread ``30.11.2015`` as month-first, and happily invent dates from
stray numbers. The site's formats are few and known (docs/record.md), so a small explicit
table and a handful of anchored patterns are both stricter and easier to audit.
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# Danish month names and the abbreviations seen in print ("sept." and English names too,
# as some CMS templates fall back to English).
MONTHS: dict[str, int] = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "february": 2,
    "marts": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
# 30. november 2015 / 30. nov. 2015 / d. 3. maj 2016 / 30 november 2015
_TEXT_DATE = re.compile(
    rf"(?<![\w.])(\d{{1,2}})\.?\s*(?:de[nt]?\s+)?({_MONTH_ALT})\b\.?,?\s*(\d{{4}})(?!\d)", re.I
)
# November 30, 2015 (English-style fallback templates)
_TEXT_DATE_US = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})(?!\d)", re.I)
# 30.11.2015 / 30/11/2015 / 30-11-2015 (day first, as in Danish)
_NUM_DATE = re.compile(r"(?<![\d.])(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\w)")
# 2015-11-30 (ISO)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_ISO_FULL = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?\s*$",
    re.I,
)


def _make(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first plausible date in ``text`` as (date, start, end); None if there is none."""
    if not text:
        return None
    found: list[tuple[int, int, dt.date]] = []
    for m in _TEXT_DATE.finditer(text):
        d = _make(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _TEXT_DATE_US.finditer(text):
        d = _make(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _NUM_DATE.finditer(text):
        d = _make(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _ISO_DATE.finditer(text):
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append((m.start(), m.end(), d))
    if not found:
        return None
    start, end, d = min(found, key=lambda f: f[0])
    return d, start, end


def parse_danish_date(text: str) -> dt.date | None:
    """Parse the first Danish-style date in ``text`` (``30. november 2015``, ``30. nov.
    2015``, ``d. 3. maj 2016``, ``30.11.2015``, ``30/11/2015``, ``2015-11-30``)."""
    hit = find_date(text)
    return hit[0] if hit else None


def _tz(spec: str | None) -> dt.tzinfo | None:
    if not spec:
        return None
    if spec.upper() == "Z":
        return dt.timezone.utc
    sign = -1 if spec[0] == "-" else 1
    digits = spec[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(spec)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def to_copenhagen_date(value: str | None) -> dt.date | None:
    """A structured date/timestamp as the calendar date a reader in Denmark sees.

    Offsets (``Z``, ``+00:00``) are converted to Europe/Copenhagen, never truncated; a
    date-only value is taken as is; a naive datetime is already local time.
    """
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    stamp: dt.datetime | None
    m = _ISO_FULL.match(value)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if m.group(4) is None:
            return _make(year, month, day)
        try:
            stamp = dt.datetime(
                year, month, day, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0),
                tzinfo=_tz(m.group(7)),
            )  # fmt: skip
        except (ValueError, OverflowError):
            return None
        if stamp.tzinfo is None:
            return _make(year, month, day)
        return _make(*stamp.astimezone(COPENHAGEN).timetuple()[:3])
    if re.match(r"^\s*[A-Za-z]{3},?\s+\d", value):  # RFC 2822 (e.g. in <meta name=date>)
        try:
            stamp = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            stamp = None
        if stamp is not None:
            if stamp.tzinfo is None:
                return _make(stamp.year, stamp.month, stamp.day)
            return _make(*stamp.astimezone(COPENHAGEN).timetuple()[:3])
    return parse_danish_date(value)
