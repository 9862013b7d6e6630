"""Load a YAML data file into a pydantic model, naming file and line on any error.

Rule files and trial files are data; a mistake in one must be reported as
``path:line: problem`` at load time, never as a traceback deep inside the pipeline.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A data file (rules, trial, ranges) is missing, malformed or fails its schema."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


def _node_at(node: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    """Walk a composed YAML node tree along a pydantic error location."""
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    nxt = v
                    break
            if nxt is None:
                return node
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return node
            node = node.value[key]
        else:
            return node
    return node


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


def _read_text(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(p, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(p, None, f"not UTF-8 text ({exc.reason})") from None


def read_yaml(path: Path | str) -> Any:
    """Parse a YAML file. Raise DataFileError (with the line) on any problem."""
    p = Path(path)
    raw = _read_text(p)
    try:
        return yaml.load(raw, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DataFileError(p, line, f"invalid YAML: {exc.problem}") from None


def load_model(path: Path | str, model: type[M]) -> M:
    """Load and validate a YAML file against ``model`` (unknown keys rejected by the model).
    Data files are read once per process (cached by path and modification time)."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except FileNotFoundError:
        raise DataFileError(p, None, "file not found") from None
    return _load_model_cached(str(p), mtime, model)


@functools.lru_cache(maxsize=64)
def _load_model_cached(path: str, _mtime: int, model: type[M]) -> M:
    data = read_yaml(path)
    if data is None:
        raise DataFileError(path, None, "file is empty")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        # only now compose the node tree, to name the line of the problem
        node = yaml.compose(_read_text(Path(path)), Loader=_Loader)
        line = None
        if node is not None:
            line = _node_at(node, loc).start_mark.line + 1
        where = ".".join(str(x) for x in loc) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise DataFileError(path, line, f"{where}: {err['msg']}{more}") from None
