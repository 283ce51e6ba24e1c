"""The one cattrs converter: every public model to plain data and back, and TOML loading.

Plain data is what JSON and TOML hold: dicts, lists, strings, numbers, booleans, plus the
dates and datetimes TOML has natively. Values the seeds write as text stay text:
``"08h30-12h00"`` for a time range, ``"2m"`` for an opening window, ``"60m"`` for a notice.

Values keep their type: text, booleans, numbers, arrays and tables are read only from
their own kind (:mod:`caredomain.strict`), so that ``on_portal = "false"`` is refused, not
true. Structuring errors become one :class:`~caredomain.errors.InvalidInput` whose
``field`` is the path of the first problem (``types[2].duration``) and whose message lists
them all. TOML comes as text or as a file's bytes (:func:`parse_toml`), which must be UTF-8.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from caredomain.durations import MinimumNotice, OpeningWindow
from caredomain.errors import InvalidInput
from caredomain.events import Event, event_class
from caredomain.hours import ReferenceWeek, TimeRange, Weekday
from caredomain.strict import register_strict_hooks, shown_value, toml_type
from caredomain.text import Text

__all__ = ["load_toml", "make_converter", "parse_toml", "structure", "unstructure"]

T = TypeVar("T")


def _from_text(parse: Callable[[str], T], what: str) -> Callable[[Any, type], T]:
    def hook(value: Any, _: type) -> T:
        if not isinstance(value, str):
            raise InvalidInput(Text("expected {what} written as text", what=what), text=repr(value))
        try:
            return parse(value)
        except InvalidInput as error:  # the converter's path names the field
            raise InvalidInput(error.message, text=error.text) from None

    return hook


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(Text("not an ISO 8601 date and time"), text=value) from None
    else:
        raise InvalidInput(Text("expected a date and time"), text=repr(value))
    if moment.utcoffset() is None:
        raise InvalidInput(Text("a timezone-aware datetime is required"), text=str(moment))
    return moment


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        raise InvalidInput(Text("expected a date without a time"), text=str(value))
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(Text("not an ISO 8601 date (YYYY-MM-DD)"), text=value) from None
    raise InvalidInput(Text("expected a date"), text=repr(value))


def _structure_time(value: Any, _: type) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise InvalidInput(Text("not a time of day (HH:MM)"), text=value) from None
    raise InvalidInput(Text("expected a time of day"), text=repr(value))


def _structure_zone(value: Any, _: type) -> ZoneInfo:
    if not isinstance(value, str):
        raise InvalidInput(Text("expected an IANA time zone name"), text=repr(value))
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            Text("unknown time zone (use an IANA name such as Europe/Paris)"), text=value
        ) from None


def _structure_weekday(value: Any, _: type) -> Weekday:
    """A weekday by its name only: a number (is 1 Monday or Tuesday?) is refused."""
    if isinstance(value, str):
        return Weekday.named(value)
    raise InvalidInput(
        Text("expected a weekday name such as 'monday', not {kind}", kind=toml_type(value)),
        text=repr(value),
    )


def _structure_reference_week(value: Any, _: type) -> ReferenceWeek:
    if not isinstance(value, dict):
        raise InvalidInput(
            Text(
                "expected a table with a name and hours per weekday, not {kind}",
                kind=toml_type(value),
            ),
            text=shown_value(value),
        )
    if not isinstance(value.get("name"), str):
        raise InvalidInput(
            Text("expected the week's name as text, not {kind}", kind=toml_type(value.get("name"))),
            field="name",
            text=shown_value(value.get("name")),
        )
    extra = set(value) - {"name", "hours"}
    if extra:
        raise InvalidInput(
            Text("unexpected keys: {keys}", keys=", ".join(sorted(extra))), text=sorted(extra)[0]
        )
    hours = value.get("hours", {})
    if not isinstance(hours, dict):
        raise InvalidInput(
            Text("expected a table of weekdays, not {kind}", kind=toml_type(hours)),
            field="hours",
            text=shown_value(hours),
        )
    for day, text in hours.items():
        if not isinstance(text, str):
            raise InvalidInput(
                Text("expected the day's ranges as text, not {kind}", kind=toml_type(text)),
                field=f"hours.{day}",
                text=shown_value(text),
            )
    try:
        return ReferenceWeek.parse(value["name"], hours)
    except InvalidInput as error:
        if not error.field:
            raise
        raise InvalidInput(
            error.message, line=error.line, field=f"hours.{error.field}", text=error.text
        ) from None


def _structure_decimal(value: Any, _: type) -> Decimal:
    """Amounts are written as text (``"12.50"``) so that no binary float rounds them; an
    integer is accepted too."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(Text("expected a decimal number written as text"), text=repr(value))
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidInput(Text("not a decimal number"), text=str(value)) from None
    if not number.is_finite():
        raise InvalidInput(Text("expected a finite decimal number"), text=str(value))
    return number


def _structure_timedelta(value: Any, _: type) -> timedelta:
    """Durations are numbers of seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(Text("expected a duration in seconds"), text=repr(value))
    return timedelta(seconds=value)


def _unstructure_timedelta(value: timedelta) -> int | float:
    seconds = value.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _unstructure_event(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, **_converter.unstructure(event, unstructure_as=type(event))}


def _structure_event(value: Any, _: type) -> Event:
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise InvalidInput(Text("expected an event with its kind"), text=repr(value))
    data = {k: v for k, v in value.items() if k != "kind"}
    return _converter.structure(data, event_class(value["kind"]))


def _is_set(cls: Any) -> bool:
    origin = getattr(cls, "__origin__", cls)
    return origin in (set, frozenset)


def _unstructure_set(converter: cattrs.Converter, items: Iterable[Any]) -> list[Any]:
    """A set as a sorted list: by its items' own order, or by their plain data when they
    have none (a client's badges), so that the same set always gives the same list."""
    try:
        ordered = sorted(items)
    except TypeError:
        plain = [converter.unstructure(item) for item in items]
        return sorted(plain, key=lambda value: json.dumps(value, sort_keys=True, default=str))
    return [converter.unstructure(item) for item in ordered]


def make_converter() -> cattrs.Converter:
    """A new converter with every caredomain hook; leaf hooks first."""
    converter = cattrs.Converter(forbid_extra_keys=True, prefer_attrib_converters=False)
    register_strict_hooks(converter)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(time, _structure_time)
    converter.register_unstructure_hook(time, lambda t: t.isoformat("minutes"))
    converter.register_structure_hook(ZoneInfo, _structure_zone)
    converter.register_unstructure_hook(ZoneInfo, lambda zone: zone.key)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(timedelta, _structure_timedelta)
    converter.register_unstructure_hook(timedelta, _unstructure_timedelta)
    converter.register_structure_hook(Weekday, _structure_weekday)
    converter.register_unstructure_hook(Weekday, lambda weekday: weekday.key)
    for cls, what in (
        (TimeRange, Text("a range XXhXX-XXhXX")),
        (OpeningWindow, Text("an opening window such as '2m'")),
        (MinimumNotice, Text("a minimum notice such as '60m'")),
    ):
        converter.register_structure_hook(cls, _from_text(cls.parse, what))
        converter.register_unstructure_hook(cls, str)
    converter.register_structure_hook(ReferenceWeek, _structure_reference_week)
    converter.register_unstructure_hook(
        ReferenceWeek, lambda week: {"name": week.name, "hours": week.texts()}
    )
    converter.register_unstructure_hook_func(
        _is_set, lambda items: _unstructure_set(converter, items)
    )
    converter.register_unstructure_hook_func(
        lambda cls: isinstance(cls, type) and issubclass(cls, Event) and cls is Event,
        _unstructure_event,
    )
    # A predicate, not a class hook: a class hook would also catch every Event subclass.
    converter.register_structure_hook_func(lambda cls: cls is Event, _structure_event)
    return converter


_converter = make_converter()


def unstructure(value: Any) -> Any:
    """``value`` as plain data (events carry their ``kind``)."""
    if isinstance(value, Event):
        return _unstructure_event(value)
    return _converter.unstructure(value)


def structure(data: Any, cls: type[T], *, source: str | None = None) -> T:
    """Build a ``cls`` from plain data, or raise InvalidInput naming the path at fault."""
    try:
        return _converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError) as error:
        problems = _problems(error, "")
        first_path, message, first_text = problems[0]
        for path, other, _ in problems[1:]:
            message = Text(
                "{message}; also {path}: {other}",
                message=message,
                path=path or Text("(top)"),
                other=other,
            )
        raise InvalidInput(
            message,
            source=source,
            field=first_path or None,
            text=first_text,
        ) from None
    except InvalidInput as error:
        raise error.located(source=source) from None


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def parse_toml(data: str | bytes, *, source: str | None = None) -> dict[str, Any]:
    """A TOML document as plain data: from bytes (a file's content, UTF-8 with or without a
    byte order mark) or text. Bytes that are not UTF-8 and bad syntax are InvalidInput
    naming ``source`` and the line (for bytes, the offset of the first bad byte too)."""
    text = _decoded(data, source) if isinstance(data, bytes) else data
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_POSITION.search(str(error))
        raise InvalidInput(
            Text("not valid TOML: {reason}", reason=str(error)),
            source=source,
            line=int(match.group(1)) if match else None,
        ) from None
    except ValueError as error:  # an integer of more digits than Python converts
        reason = str(error).partition(":")[0]
        raise InvalidInput(Text("not valid TOML: {reason}", reason=reason), source=source) from None
    except RecursionError:
        raise InvalidInput(
            Text("not valid TOML: {reason}", reason=Text("arrays or tables nested too deeply")),
            source=source,
        ) from None


def _decoded(data: bytes, source: str | None) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            Text(
                "not UTF-8: byte 0x{byte:02x} at offset {offset} (save the file as UTF-8)",
                byte=data[error.start],
                offset=error.start,
            ),
            source=source,
            line=data.count(b"\n", 0, error.start) + 1,
        ) from None


def load_toml(data: str | bytes, cls: type[T], *, source: str | None = None) -> T:
    """Parse TOML (see :func:`parse_toml`) and structure it as ``cls``; errors name the line
    or the path."""
    return structure(parse_toml(data, source=source), cls, source=source)


Problem = tuple[str, str, str | None]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _indexed(path: str, index: object) -> str:
    """An array's item as ``path[2]``; a table's key as TOML writes it: ``path.key`` or
    ``path."appointment.created"``."""
    if not isinstance(index, str):
        return f"{path}[{index!r}]"
    return _join(path, index if _BARE_KEY.fullmatch(index) else json.dumps(index))


def _problems(error: BaseException, path: str) -> list[Problem]:
    """Walk cattrs' exception groups into (path, message, offending text) triples."""
    if isinstance(error, IterableValidationError):
        with_notes, without = error.group_exceptions()
        found: list[Problem] = []
        for sub, note in with_notes:
            found += _problems(sub, _indexed(path, note.index))
        for sub in without:
            found += _problems(sub, path)
        return found
    if isinstance(error, ClassValidationError):
        with_class_notes, without = error.group_exceptions()
        found = []
        for sub, attribute_note in with_class_notes:
            found += _problems(sub, _join(path, attribute_note.name))
        for sub in without:
            found += _problems(sub, path)
        return found
    return [_leaf_problem(error, path)]


def _leaf_problem(error: BaseException, path: str) -> Problem:
    if isinstance(error, InvalidInput):
        # A line inside a value (a reference week's text) is not the file's: say it here.
        message = (
            error.message
            if error.line is None
            else Text("line {line}: {message}", line=error.line, message=error.message)
        )
        return (_join(path, error.field) if error.field else path, message, error.text)
    if isinstance(error, ForbiddenExtraKeysError):
        keys = ", ".join(sorted(error.extra_fields))
        return (path, Text("unknown keys: {keys}", keys=keys), None)
    if isinstance(error, KeyError):  # cattrs' note already names the missing key
        return (path, Text("required but missing"), None)
    if isinstance(error, (ValueError, TypeError)):
        return (path, Text("invalid value: {error}", error=str(error)), None)
    return (path, Text("{kind}: {error}", kind=type(error).__name__, error=str(error)), None)
