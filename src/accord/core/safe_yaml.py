"""YAML read with limits, so that a hostile file is refused in a moment instead of eating the
machine: an alias bomb ("billion laughs"), nesting thousands deep, a number thousands of digits
long, or a file larger than the import limit.

Pure: no Django. The refusal is a ``yaml.YAMLError`` (its ``problem`` says why), so that every
caller that already turns YAML errors into its own message names the file and the reason.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .text import import_max_bytes, megabytes, too_large

#: Nodes a document may hold once every alias is expanded. The largest shipped file (an
#: appraisal of 200 years, or a framework) has a few thousand; an alias bomb has billions.
MAX_NODES = 1_000_000
#: Levels of nesting: Accord's files nest five or six deep.
MAX_DEPTH = 100
#: Digits in one whole number. Python refuses to convert more than 4,300; money and years
#: need far fewer than 30.
MAX_DIGITS = 30


class YamlRefused(yaml.YAMLError):
    """The document is refused for its size or shape, before it is built."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None

    def __str__(self) -> str:
        return self.problem


class _LimitedLoader(yaml.SafeLoader):
    max_nodes = MAX_NODES
    max_depth = MAX_DEPTH
    max_digits = MAX_DIGITS

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._depth = 0
        # Each node's size with its aliases expanded, by id: an alias costs what its anchor
        # costs, so a bomb is seen by arithmetic, without expanding anything.
        self._expanded: dict[int, int] = {}

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # The scanner reads brackets ahead of the composer, and its cost grows with the square
        # of the nesting: count here too, so that ten thousand '[' are refused at the 101st.
        if self.flow_level >= self.max_depth:
            self._too_deep(self.line)
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= self.max_depth:
            self._too_deep(self.line)
        return bool(super().add_indent(column))

    def _too_deep(self, line: int) -> None:
        raise YamlRefused(
            f"it nests deeper than {self.max_depth} levels (line {line + 1}); "
            "no Accord file needs so many"
        )

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        if self._depth > self.max_depth:
            self._too_deep(self.peek_event().start_mark.line)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        size = self._expanded.get(id(node))
        if size is None:
            size = 1
            if isinstance(node, SequenceNode):
                size += sum(self._expanded.get(id(child), 1) for child in node.value)
            elif isinstance(node, MappingNode):
                size += sum(
                    self._expanded.get(id(key), 1) + self._expanded.get(id(value), 1)
                    for key, value in node.value
                )
            self._expanded[id(node)] = size
        if size > self.max_nodes:
            raise YamlRefused(
                f"its aliases expand to more than {self.max_nodes:,} values "
                "(an alias bomb); write the values out instead"
            )
        return node

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        digits = sum(ch.isdigit() for ch in text)
        if digits > self.max_digits:
            raise YamlRefused(
                f"line {node.start_mark.line + 1}: a number of {digits:,} digits; "
                f"numbers may have at most {self.max_digits} digits"
            )
        try:
            return int(super().construct_yaml_int(node))
        except ValueError as exc:  # Python's own limit on converting long numbers
            raise YamlRefused(
                f"line {node.start_mark.line + 1}: a number too long to read"
            ) from exc


_LimitedLoader.add_constructor("tag:yaml.org,2002:int", _LimitedLoader.construct_yaml_int)


def read_file(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> str:
    """A YAML file's text, refused before it is read when it is larger than the import limit,
    and refused with the encoding it is in when that is not UTF-8 (the one wanted). An
    ``OSError`` (no such file) passes through for the caller to word."""
    limit = import_max_bytes() if max_bytes is None else max_bytes
    file = Path(path)
    size = file.stat().st_size
    if size > limit:
        raise YamlRefused(too_large(size, limit))
    return decode(file.read_bytes())


def decode(data: bytes) -> str:
    """A YAML file's bytes as text: UTF-8, with or without its mark; any other encoding is
    refused naming the one found and the one wanted."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise YamlRefused("the file is UTF-32 text: save it as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise YamlRefused("the file is UTF-16 text: save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            data.decode("cp1252")
            found = "it looks like Windows-1252"
        except UnicodeDecodeError:
            found = "nor Windows-1252"
        raise YamlRefused(
            f"the file is not UTF-8 text (byte {exc.start + 1} is not; {found}): save it as UTF-8"
        ) from exc


def load(text: str | bytes, *, max_bytes: int | None = None) -> Any:
    """The document in `text`, as ``yaml.safe_load`` gives it, or :class:`YamlRefused`.

    `max_bytes` is the import limit (``settings.IMPORT_MAX_MB`` in bytes where Django is set
    up); without it, the same limit read from ``ACCORD_IMPORT_MAX_MB``.
    """
    limit = import_max_bytes() if max_bytes is None else max_bytes
    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    if size > limit:
        raise YamlRefused(f"the file is larger than {megabytes(limit)}, the import limit")
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    except RecursionError as exc:  # a guard behind the depth limit, never expected
        raise YamlRefused("it nests too deeply to read") from exc
    finally:
        loader.dispose()
