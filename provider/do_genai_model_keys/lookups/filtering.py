"""Client-side filters and sorts over records, in the manner of DigitalOcean's list data
sources: match exactly, by substring, by regular expression or by a numeric bound; sort on a
field and direction. Every mistake is an `InvalidArgumentError` naming the argument and the
fields allowed. A field is named in either door's spelling (`input_price_per_million` in
Python, `inputPricePerMillion` through the plugin), and an unknown one gets the nearest name, in
the spelling it was given."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ..api.errors import InvalidArgumentError
from ..api.models import Record
from ..doors import camel, snake

MatchBy = Literal["exact", "substring", "re", "at_least", "at_most"]
MATCH_BY = ("exact", "substring", "re", "at_least", "at_most")
Direction = Literal["asc", "desc"]


@dataclass(frozen=True)
class Filter:
    """Keep items whose `key` field matches one of `values` (or all of them, with `all`).

    `key` names a field, or a field of a nested record with a dot (`pricing.input_price_per_
    million`). `match_by`: `exact` (default), `substring`, `re` (a regular expression searched
    in the field), `at_least` or `at_most` (numbers: the field is >= or <= the value). A list
    field (such as `capabilities`) matches when any element does.
    """

    key: str
    values: Sequence[Any]
    match_by: MatchBy = "exact"
    all: bool = False


@dataclass(frozen=True)
class Sort:
    """Order items by the `key` field, `asc` (default) or `desc`."""

    key: str
    direction: Direction = "asc"


T = TypeVar("T", Filter, "Sort")
FilterArg = Filter | Mapping[str, Any]
SortArg = Sort | Mapping[str, Any]


def _field(given: str, fields_allowed: Sequence[str], argument: str, kind: str) -> str:
    """The field a filter or sort names, in either spelling (dotted into nested records)."""
    name = ".".join(snake(part) for part in str(given).split("."))
    if name in fields_allowed:
        return name
    spelled_camel = name != str(given)  # the caller writes camelCase: answer in camelCase
    shown = [".".join(map(camel, f.split("."))) if spelled_camel else f for f in fields_allowed]
    nearest = difflib.get_close_matches(str(given), shown, n=1, cutoff=0.6)
    guess = f". Did you mean {nearest[0]!r}?" if nearest else ""
    raise InvalidArgumentError(
        f"{argument}: unknown field {given!r}; {kind} fields: {', '.join(shown)}{guess}"
    )


def _record(kind: type[T], value: Any, argument: str) -> T:
    """A filter or sort given as its record, or as a map of its fields in either spelling."""
    if isinstance(value, kind):
        return value
    names = [f.name for f in dataclasses.fields(kind)]
    given = {snake(str(k)): v for k, v in dict(value).items()}
    unknown = sorted(set(given) - set(names))
    if unknown or "key" not in given:
        raise InvalidArgumentError(
            f"{argument}: {kind.__name__.lower()} {dict(value)!r} has "
            f"{'unknown ' + ', '.join(map(repr, unknown)) if unknown else 'no key'}: "
            f"its fields are {', '.join(names)}"
        )
    return kind(**given)


def _as_filter(value: FilterArg, fields_allowed: Sequence[str], argument: str) -> Filter:
    raw = _record(Filter, value, argument)
    raw = dataclasses.replace(raw, key=_field(raw.key, fields_allowed, argument, "filterable"))
    if raw.match_by not in MATCH_BY:
        raise InvalidArgumentError(
            f"{argument}: match_by must be one of {', '.join(map(repr, MATCH_BY))}, "
            f"got {raw.match_by!r}"
        )
    if isinstance(raw.values, str) or not raw.values:
        raise InvalidArgumentError(
            f"{argument}: values must be a non-empty list, got {raw.values!r}"
        )
    if raw.match_by in ("at_least", "at_most") and not all(_is_number(v) for v in raw.values):
        raise InvalidArgumentError(
            f"{argument}: match_by {raw.match_by!r} compares numbers, got {raw.values!r}"
        )
    if raw.match_by == "re":
        import regex

        for pattern in raw.values:
            try:
                regex.compile(str(pattern))
            except regex.error as error:
                raise InvalidArgumentError(
                    f"{argument}: {pattern!r} is not a valid regular expression ({error})"
                ) from None
    return raw


def _as_sort(value: SortArg, fields_allowed: Sequence[str]) -> Sort:
    raw = _record(Sort, value, "sorts")
    raw = dataclasses.replace(raw, key=_field(raw.key, fields_allowed, "sorts", "sortable"))
    if raw.direction not in ("asc", "desc"):
        raise InvalidArgumentError(
            f"sorts: direction must be 'asc' or 'desc', got {raw.direction!r}"
        )
    return raw


def _one_matches(field_value: Any, wanted: Any, match_by: MatchBy) -> bool:
    if isinstance(field_value, tuple | list):
        return any(_one_matches(v, wanted, match_by) for v in field_value)
    if match_by == "exact":
        return field_value == wanted or str(field_value) == str(wanted)
    if match_by == "substring":
        return str(wanted) in str(field_value)
    if match_by == "at_least":
        return _is_number(field_value) and field_value >= wanted
    if match_by == "at_most":
        return _is_number(field_value) and field_value <= wanted
    return _search(str(wanted), str(field_value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value(item: Record, path: str) -> Any:
    """The field `path` of `item`; a dotted path reaches into nested records."""
    value: Any = item
    for name in path.split("."):
        value = getattr(value, name)
    return value


REGEX_TIMEOUT_SECONDS = 0.5
"""How long one `match_by: "re"` search may take on one value. The `regex` package can stop a
search (the standard `re` cannot, and holds the GIL meanwhile), so a pattern that backtracks
catastrophically is an error naming it instead of a program that hangs."""


def _search(pattern: str, value: str) -> bool:
    import regex

    try:
        return regex.search(pattern, value, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        raise InvalidArgumentError(
            f"filters: the regular expression {pattern!r} took longer than "
            f"{REGEX_TIMEOUT_SECONDS} s on {value[:80]!r} (catastrophic backtracking?): "
            "simplify it, or use match_by 'substring' or 'exact'"
        ) from None


def _passes(item: Record, rule: Filter) -> bool:
    value = _value(item, rule.key)
    results = [_one_matches(value, wanted, rule.match_by) for wanted in rule.values]
    return all(results) if rule.all else any(results)


R = TypeVar("R", bound=Record)


def apply_filters_and_sorts(
    items: Sequence[R],
    filters: Sequence[FilterArg] | None,
    sorts: Sequence[SortArg] | None,
    fields_allowed: Sequence[str],
) -> list[R]:
    """Filter (every filter must pass) then sort (first sort is the primary key)."""
    checked_filters = [_as_filter(f, fields_allowed, "filters") for f in filters or []]
    checked_sorts = [_as_sort(s, fields_allowed) for s in sorts or []]
    kept = [item for item in items if all(_passes(item, f) for f in checked_filters)]
    for rule in reversed(checked_sorts):  # stable sorts, least significant key first
        kept.sort(key=_field_sort_key(rule.key), reverse=rule.direction == "desc")
    return kept


def _field_sort_key(name: str) -> Callable[[Record], tuple[int, Any]]:
    return lambda item: _sort_key(_value(item, name))


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool | int | float):
        return (0, value)
    return (1, str(value))
