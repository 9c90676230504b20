"""Reading the YAML: ``load_config``/``parse_config``, and problems written as key paths.

``parse_config`` lists every problem, one line each, named by its key path in YAML terms
(``rituals[1].schedule.cron: …``), in the order the keys appear in the file.
"""

from __future__ import annotations

import difflib
import json
import re
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from opsbot.config.models import REFERENCES_CHECKED, Config
from opsbot.config.references import reference_problems
from opsbot.errors import ConfigError
from opsbot.schedules import CronSchedule, EveryWeeksSchedule


def load_config(path: str | None) -> Config:
    """The configuration in the YAML file at ``path``; None gives the built-in defaults.

    Raises ConfigError listing every problem, one line each, named by its key path.
    """
    if path is None:
        return Config()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such configuration file",
            hint="Set OPSBOT_CONFIG to an existing YAML file, or unset it for the defaults.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
    return parse_config(text, source=path)


def parse_config(text: str, *, source: str = "configuration") -> Config:
    """The configuration in YAML ``text``; ``source`` names it in errors about the YAML itself."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(source, exc), hint=_HINT) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the configuration must be a mapping of keys "
            f"({', '.join(Config.model_fields)}), not {_show(data)}",
            hint=_HINT,
        )
    problems: list[str] = []
    config: Config | None = None
    try:
        config = Config.model_validate(data, context={REFERENCES_CHECKED: True})
    except ValidationError as exc:
        problems.extend(_describe(error) for error in exc.errors())
    problems.extend(reference_problems(data))
    if problems or config is None:
        order = list(dict.fromkeys([*map(str, data), *Config.model_fields]))  # file order
        problems = sorted(dict.fromkeys(problems), key=lambda line: _line_order(line, order))
        raise ConfigError("\n".join(problems), hint=_HINT)
    return config


_HINT = "Fix these keys and start again; the README's configuration section documents every key."


def _line_order(line: str, order: list[str]) -> tuple[int, list[int]]:
    """Top-level keys in the file's order, then list positions in numeric order."""
    path = line.split(": ", 1)[0]
    top = re.split(r"[.\[]", path, maxsplit=1)[0]
    rank = order.index(top) if top in order else len(order)
    return rank, [int(index) for index in re.findall(r"\[(\d+)\]", path)]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        try:
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f'duplicate key "{key}" (first given on line {seen[key] + 1})',
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        except TypeError:  # an unhashable key; SafeLoader refuses it with its own message
            pass
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def _yaml_problem(source: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    what = getattr(exc, "problem", None) or str(exc)
    return f"{source}: {where}invalid YAML: {what}"


def _describe(error: ErrorDetails) -> str:
    """One pydantic error as ``key.path: what is wrong``, in the configuration's own terms."""
    loc = error["loc"]
    path = _path(loc)
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "opsbot_at":
        path, what = _join(path, str(ctx["at"])), str(ctx["problem"])
    elif kind == "opsbot":
        what = str(ctx["problem"])
    elif kind == "missing":
        what = "is required"
    elif kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        what = "unknown key; " + (
            f"did you mean {close[0]}?" if close else f"expected one of: {', '.join(allowed)}"
        )
    elif kind == "literal_error":
        what = f"{_show(value)} is not one of {str(ctx.get('expected', '')).replace(chr(39), '')}"
    elif kind == "too_short":
        what = f"needs at least {ctx.get('min_length', 1)} item(s)"
    elif kind in {"model_type", "dict_type", "model_attributes_type"}:
        what = f"should be a mapping of keys, not {_show(value)}"
    else:
        message = error["msg"].removeprefix("Value error, ")
        what = re.sub(r"^Input should", f"{_show(value)} should", message)
    return f"{path}: {what}" if path else what


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if part == "[key]" or part in _SCHEDULE_FORMS:
            continue
        path = _join(path, f"[{part}]" if isinstance(part, int) else part)
    return path


def _join(path: str, part: str) -> str:
    return path + part if not path or part.startswith("[") else f"{path}.{part}"


_SCHEDULE_FORMS: dict[str, type[BaseModel]] = {
    "cron-form": CronSchedule,
    "every-weeks-form": EveryWeeksSchedule,
}


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class validating the mapping at ``loc``, to list the keys it accepts."""
    current: Any = Config
    for part in loc:
        if isinstance(part, str) and part in _SCHEDULE_FORMS:
            current = _SCHEDULE_FORMS[part]
            continue
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(part, str):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        elif get_origin(current) is list and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _show(value: Any) -> str:
    """A value as the person wrote it in YAML, shortened."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"
