"""Dates: structured timestamps to calendar dates, and dates written as text.

Generic date parsers (dateutil & co.) handle Danish poorly: they do not know ``maj``,
``okt.`` or ``marts``, misread ``30.11.2015`` as month-first, and happily invent dates from
stray numbers. The formats are few and known, so a small explicit month table (Danish
first, then the languages news sites are written in: en, de, fr, es, it, pt, nl, sv, no,
pl, tr, ru, cs, ro, hu, fi, id; CJK and Korean numerals) and a handful of anchored patterns are both stricter and easier to audit.

Numeric dates are day-first (``30.11.2015``) unless the caller says month-first (an
English page from the US, or a page whose other dates can only be month-first: see
:func:`numeric_order`). Two-digit years (``8.5.12``) are read in numeric dates only, as
2000-2049 and 1950-1999 (no clock is read: extraction is a pure function).
"""

from __future__ import annotations

import datetime as dt
import re
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

_MONTH_NAMES = {
    1: "januar jan january janvier janv enero ene gennaio gen janeiro januari jänner jaenner "
    "stycznia ocak oca января янв ledna ianuarie január tammikuuta",
    2: "februar feb february février fevrier févr fevr febrero febbraio fevereiro fev "
    "februari feber lutego pebruari şubat subat şub февраля фев února unora februarie február "
    "helmikuuta",
    3: "marts mar march mars märz maerz mär marzo março marco maart mrt marca maret mart "
    "марта мар března brezna martie március maaliskuuta",
    4: "april apr avril avr abril abr aprile apr kwietnia nisan nis апреля апр dubna aprilie "
    "április huhtikuuta",
    5: "maj may mai mayo maggio mag maio mei maja mayıs mayis мая května kvetna május toukokuuta",
    6: "juni jun june juin junio giugno giu junho czerwca haziran haz июня июн června cervna "
    "iunie június kesäkuuta",
    7: "juli jul july juillet juil julio luglio lug julho lipca temmuz tem июля июл července "
    "cervence iulie július heinäkuuta",
    8: "august aug août aout agosto ago augusti augustus sierpnia agustus ağustos agustos ağu "
    "августа авг srpna augusztus elokuuta",
    9: "september sep sept septembre septiembre setiembre settembre set setembro września "
    "wrzesnia eylül eylul eyl сентября сен сент září zari septembrie szeptember syyskuuta",
    10: "oktober okt oct october octobre octubre ottobre ott outubro października pazdziernika "
    "ekim eki октября окт října rijna octombrie október lokakuuta",
    11: "november nov novembre noviembre novembro listopada kasım kasim kas ноября ноя "
    "listopadu noiembrie marraskuuta",
    12: "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro "
    "desember grudnia aralık aralik ara декабря дек prosince decembrie joulukuuta",
}
# name -> month number (the same short name never means two months)
# Whether a text holds a digit (every date pattern here needs one): one regex search in C
# rather than a generator over the characters.
has_digit = re.compile(r"\d").search

MONTHS: dict[str, int] = {
    name: number for number, names in _MONTH_NAMES.items() for name in names.split()
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:\.|st|nd|rd|th|er|e|º|ª|°)?"
# 30. november 2015 / 30. nov. 2015 / d. 3. maj 2016 / 15 de Abril de 2020 / 27 juin 2019 /
# 1st of May, 2019 / 3 mei 2020
_TEXT_DATE = re.compile(
    rf"(?<![\w.])(\d{{1,2}}){_ORDINAL}\s*(?:de[nt]?\s+|of\s+)?({_MONTH_ALT})(?![^\W\d_])\.?,?"
    rf"\s*(?:de\s+|del\s+)?(\d{{4}})(?!\d)",
    re.I,
)
# November 30, 2015 / Nov. 30th 2015 / März 3, 2019
_TEXT_DATE_US = re.compile(
    rf"(?<![^\W\d_])({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I
)
# 30.11.2015 / 30/11/2015 / 30-11-2015 / 8.5.12 (day first unless told otherwise)
_NUM_DATE = re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)")
# 2015-11-30 (ISO) / 2015/11/30 / 2015.11.30
_ISO_DATE = re.compile(r"(?<![\d/.-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])")
# 2019年11月19日 (Chinese, Japanese) / 2019. 11. 19. (Korean)
_CJK_DATE = re.compile(
    r"(?<!\d)(\d{4})\s*(?:年|\.\s)\s*(\d{1,2})\s*(?:月|\.\s)\s*(\d{1,2})(?:日|\.)"
)
# 2020. május 5. (Hungarian: year first, with dots)
_YMD_NAMED = re.compile(rf"(?<![\d.])(\d{{4}})\.\s+({_MONTH_ALT})\.?\s+(\d{{1,2}})\.(?!\d)", re.I)
_ISO_FULL = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?\s*$",
    re.I,
)


_JS_DATE = re.compile(
    r"^\s*[A-Za-z]{3},?\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:GMT|UTC)\s*([+-]\d{2}:?\d{2})"
)


def _make(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def find_dates(text: str, month_first: bool = False) -> list[tuple[dt.date, int, int]]:
    """Every plausible date in ``text`` as (date, start, end), in order of position."""
    if not text or not has_digit(text):
        return []
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
        first, second, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        if len(m.group(4)) == 2 and m.group(2) == "-":
            continue  # 12-05-20 is as often a code or a score as a date
        day, month = (second, first) if month_first else (first, second)
        if month > 12 and day <= 12:
            day, month = month, day  # 11/20/2019 is month-first whatever the page says
        d = _make(year, month, day)
        if d:
            found.append((m.start(), m.end(), d))
    for m in _ISO_DATE.finditer(text):
        d = _make(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _CJK_DATE.finditer(text):
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append((m.start(), m.end(), d))
    for m in _YMD_NAMED.finditer(text):
        d = _make(int(m.group(1)), MONTHS[m.group(2).lower()], int(m.group(3)))
        if d:
            found.append((m.start(), m.end(), d))
    found.sort(key=lambda f: f[0])
    return [(d, start, end) for start, end, d in found]


def find_date(text: str, month_first: bool = False) -> tuple[dt.date, int, int] | None:
    """The first plausible date in ``text`` as (date, start, end); None if there is none."""
    hits = find_dates(text, month_first)
    return hits[0] if hits else None


def parse_date(text: str, month_first: bool = False) -> dt.date | None:
    """The first date written in ``text``, in any of the known languages and formats."""
    hit = find_date(text, month_first)
    return hit[0] if hit else None


def parse_danish_date(text: str) -> dt.date | None:
    """Parse the first Danish-style date in ``text`` (``30. november 2015``, ``30. nov.
    2015``, ``d. 3. maj 2016``, ``30.11.2015``, ``30/11/2015``, ``2015-11-30``)."""
    return parse_date(text)


_MONTH_FIRST_LANGS = ("en-us", "en-ca", "en-ph", "fil", "en")
_NUMERIC_PAIR = re.compile(r"(?<![\d.,/-])(\d{1,2})[./-](\d{1,2})[./-](?:\d{4}|\d{2})(?!\d)")


def numeric_order(lang: str | None, texts: list[str]) -> bool:
    """Whether the page's numeric dates are month-first. Dates on the same page that can
    only be read one way decide (``11/20/2019``, ``20.11.2019``); else the page's language:
    US English (and bare ``en``, as most English pages with slashed dates are American)
    month-first, every other language day-first."""
    votes = 0
    for text in texts:
        for m in _NUMERIC_PAIR.finditer(text):
            first, second = int(m.group(1)), int(m.group(2))
            if first > 12 >= second:
                votes -= 1
            elif second > 12 >= first:
                votes += 1
    if votes:
        return votes > 0
    lang = (lang or "").strip().lower().replace("_", "-")
    return lang in _MONTH_FIRST_LANGS


def _tz(spec: str | None) -> dt.tzinfo | None:
    if not spec:
        return None
    if spec.upper() in ("Z", "UTC", "GMT"):
        return dt.timezone.utc
    sign = -1 if spec[0] == "-" else 1
    digits = spec[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(spec)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_timestamp(value: str | None) -> tuple[dt.date, dt.datetime | None] | None:
    """A structured date or timestamp: (the calendar date as written, the aware datetime
    when it states an offset). A naive timestamp is local time: its date is the answer."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    stamp: dt.datetime | None
    m = _ISO_FULL.match(value)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        written = _make(year, month, day)
        if written is None:
            return None
        if m.group(4) is None or m.group(7) is None:
            if m.group(4) is not None and not 0 <= int(m.group(4)) <= 24:
                return None
            return written, None
        try:
            stamp = dt.datetime(
                year, month, day, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0),
                tzinfo=_tz(m.group(7)),
            )  # fmt: skip
        except (ValueError, OverflowError):
            return None
        return written, stamp
    m = _JS_DATE.match(value)
    if m:  # JavaScript's Date.toString(): "Tue Nov 19 2019 03:05:46 GMT+0000"
        js_month = MONTHS.get(m.group(1).lower())
        written = _make(int(m.group(3)), js_month, int(m.group(2))) if js_month else None
        if written is None:
            return None
        try:
            stamp = dt.datetime(
                written.year, written.month, written.day, int(m.group(4)), int(m.group(5)),
                int(m.group(6) or 0), tzinfo=_tz(m.group(7)),
            )  # fmt: skip
        except (ValueError, OverflowError):
            return written, None
        return written, stamp
    if re.match(r"^\s*[A-Za-z]{3},?\s+\d", value):  # RFC 2822 (e.g. in <meta name=date>)
        try:
            stamp = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            stamp = None
        if stamp is not None:
            written = _make(stamp.year, stamp.month, stamp.day)
            if written is None:
                return None
            return written, (stamp if stamp.tzinfo is not None else None)
    found = parse_date(value)
    return (found, None) if found else None


def to_zone_date(value: str | None, zone: dt.tzinfo) -> dt.date | None:
    """A structured date/timestamp as the calendar date a reader in ``zone`` sees:
    offsets (``Z``, ``+00:00``) are converted, never truncated; a date-only or naive value
    is taken as written."""
    parsed = parse_timestamp(value)
    if parsed is None:
        return None
    written, stamp = parsed
    if stamp is None:
        return written
    return _make(*stamp.astimezone(zone).timetuple()[:3])


def to_copenhagen_date(value: str | None) -> dt.date | None:
    """A structured date/timestamp as the calendar date a reader in Denmark sees."""
    return to_zone_date(value, COPENHAGEN)


def stated_date(value: str | None) -> dt.date | None:
    """The calendar date in the timestamp's own offset (as the page states it)."""
    parsed = parse_timestamp(value)
    return parsed[0] if parsed else None
