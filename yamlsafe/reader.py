"""The YAML reader: text in, document and line map out, hostile input refused before it is built.

PyYAML's ``safe_load`` builds nothing dangerous, but it accepts what a hostile or careless author
can use against us: a second ``security:`` key silently replaces the first (so an allowlist
disappears), a 418-byte "billion laughs" of nested aliases becomes gigabytes once something walks
or validates the result, a self-referencing alias loops every walker, and a huge or non-UTF-8 file
fails deep inside with a traceback. This reader refuses each of those before building anything,
with one line ``file:line: field: reason``:

- documents over ``MAX_YAML_BYTES`` (refused before parsing);
- text that is not UTF-8 (the offset of the first bad byte is named);
- a key given twice in one mapping (``file:line: key: duplicate key``; ``<<`` merges may override);
- aliases that add more than ``MAX_ALIAS_NODES`` nodes to the document, and recursive aliases;
- nesting deeper than the parser's stack allows, or flow (``[``/``{``) nesting past ``MAX_FLOW_DEPTH``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_FLOW_DEPTH",
    "MAX_YAML_BYTES",
    "FieldPath",
    "InputError",
    "decode",
    "field_path",
    "parse_yaml",
    "read_text",
]

MAX_YAML_BYTES = 4 * 1024 * 1024
"""The largest document read (the packaged catalogue, our largest, is about 30 KB)."""

MAX_ALIAS_NODES = 10_000
"""How many nodes aliases may add to a document beyond those written out (anchors are for reuse of
a few blocks; a bomb adds billions)."""

MAX_FLOW_DEPTH = 100
"""The deepest ``[``/``{`` nesting read: PyYAML's scanner takes time quadratic in it (a 5 KB line of
``[`` took seconds), so deeper text is refused by a scan before PyYAML sees it."""

FieldPath = tuple[str | int, ...]
_BRACKETS = re.compile(r"[\[\]{}]")


class InputError(ValueError):
    """A file a user gave us is wrong; the message is one line naming file, line, field and reason."""


def field_path(loc: tuple[str | int, ...]) -> str:
    """``("slos", 3, "target")`` → ``slos[3].target``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a leading byte-order mark dropped); otherwise an InputError naming the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_text(path: Path | str, source: str | None = None, *, limit: int = MAX_YAML_BYTES) -> str:
    """The text of a YAML file, refused (``InputError``) when unreadable, too large or not UTF-8.

    At most ``limit + 1`` bytes are read, so a huge file costs nothing.
    """
    name = source or str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except IsADirectoryError:
        raise InputError(f"{name}: cannot read: is a directory") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{name}: larger than {limit} bytes, refused before parsing")
    return decode(data, name)


def _key_name(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.tag}>"


class _Checker:
    """One walk over the composed node graph, each distinct node once (aliases share nodes)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sizes: dict[int, int] = {}
        self.active: set[int] = set()

    def _fail(self, node: yaml.Node, path: FieldPath, reason: str) -> InputError:
        return InputError(f"{self.source}:{node.start_mark.line + 1}: {field_path(path)}: {reason}")

    def size(self, node: yaml.Node, path: FieldPath) -> int:
        """Nodes in the document once every alias is expanded; duplicate keys and cycles refused."""
        key = id(node)
        known = self.sizes.get(key)
        if known is not None:
            return known
        if key in self.active:
            raise self._fail(node, path, "recursive alias (a node that contains itself)")
        self.active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for k, v in node.value:
                name = _key_name(k)
                if k.tag != "tag:yaml.org,2002:merge" and isinstance(k, yaml.ScalarNode):
                    if (k.tag, name) in seen:
                        raise self._fail(k, (*path, name), "duplicate key")
                    seen.add((k.tag, name))
                total += self.size(k, (*path, name)) + self.size(v, (*path, name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                total += self.size(item, (*path, i))
        self.active.discard(key)
        self.sizes[key] = total
        return total


def _node_lines(node: yaml.Node, path: FieldPath, out: dict[FieldPath, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = _key_name(key)
            out[(*path, name)] = key.start_mark.line + 1
            _node_lines(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), out)


def _flow_depth_exceeded(text: str) -> bool:
    """Whether ``[``/``{`` nest deeper than ``MAX_FLOW_DEPTH`` (brackets inside strings counted too,
    which only ever overstates the depth; no real document has a hundred unclosed ones)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_FLOW_DEPTH:
            return True
    return False


def _syntax_error(exc: yaml.YAMLError, source: str) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    where = f"{source}:{mark.line + 1}" if mark is not None else source
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return InputError(f"{where}: not valid YAML: {problem}")


def parse_yaml(
    text: str | bytes, source: str, *, limit: int = MAX_YAML_BYTES
) -> tuple[Any, dict[FieldPath, int]]:
    """The document and a map from each key path to its 1-based line, or one ``InputError`` line.

    Every check runs on the composed nodes, before any Python object is built.
    """
    docs = _parse(text, source, limit, single=True)
    return (docs[0][0], docs[0][1]) if docs else (None, {})


def parse_yaml_all(
    text: str | bytes, source: str, *, limit: int = MAX_YAML_BYTES
) -> list[tuple[Any, dict[FieldPath, int], int]]:
    """Every non-empty document of a stream (``---``): its data, line map and 1-based first line.

    The same checks as :func:`parse_yaml`; the alias budget counts the whole stream.
    """
    return _parse(text, source, limit, single=False)


# libyaml's parser when PyYAML has it: the pure-Python one takes most of the time of a load. Its error
# messages say less (an undefined alias is not named), so a refused document is parsed again by the
# pure-Python parser for the message.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(
    text: str | bytes,
    source: str,
    limit: int,
    *,
    single: bool,
    loader_class: type[yaml.SafeLoader] = _FAST_LOADER,
) -> list[tuple[Any, dict[FieldPath, int], int]]:
    if len(text) > limit or (isinstance(text, str) and len(text.encode("utf-8", "replace")) > limit):
        raise InputError(f"{source}: larger than {limit} bytes, refused before parsing")
    if isinstance(text, bytes):
        text = decode(text, source)
    if _flow_depth_exceeded(text):
        raise InputError(f"{source}: not valid YAML: nested too deeply (more than {MAX_FLOW_DEPTH} levels)")
    loader = loader_class(text)
    try:
        if single:
            node = loader.get_single_node()
            nodes = [] if node is None else [node]
        else:
            nodes = []
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    nodes.append(node)
        checker = _Checker(source)
        expanded = sum(checker.size(node, ()) for node in nodes)
        if expanded - len(checker.sizes) > MAX_ALIAS_NODES:
            raise InputError(
                f"{source}: aliases expand the document by more than {MAX_ALIAS_NODES} nodes"
                f" ({expanded} in all), refused"
            )
        docs: list[tuple[Any, dict[FieldPath, int], int]] = []
        for node in nodes:
            lines: dict[FieldPath, int] = {}
            _node_lines(node, (), lines)
            docs.append((loader.construct_document(node), lines, node.start_mark.line + 1))
        return docs
    except yaml.YAMLError as exc:
        if loader_class is not yaml.SafeLoader:
            return _parse(text, source, limit, single=single, loader_class=yaml.SafeLoader)
        raise _syntax_error(exc, source) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a timestamp of 2026-02-30
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()
