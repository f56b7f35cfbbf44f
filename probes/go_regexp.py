"""Regular expressions written for Go's RE2 (blackbox.yml) compiled by Python's ``re`` to mean the same.

blackbox.yml files are full of Go regexps, and a few spellings differ: the Debian default file's
``pop3s_banner`` expects ``^+OK`` (Go repeats the anchor, Python refuses "nothing to repeat"), Go
writes end-of-text as ``\\z``, and Go's ``$`` without the ``m`` flag matches only at the very end,
where Python's also matches before a final newline. Go's ``${1}`` / ``$name`` expansion in
``query_response.send`` becomes Python's ``\\g<1>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GoRegexp", "expand_go_template", "go_regexp"]

_ANCHOR_REPEAT = re.compile(r"(?<!\\)([\^$])([+*?])")
_TEMPLATE = re.compile(r"\$(?:\{(\w+)\}|(\w+)|(\$))")


@dataclass(frozen=True, slots=True)
class GoRegexp:
    """A Go regexp: the text as written (shown back in ``/config``) and its Python translation."""

    source: str
    pattern: re.Pattern[str]

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


def _translate(source: str) -> str:
    out: list[str] = []
    multiline = re.match(r"\(\?[a-zA-Z]*m", source) is not None
    in_class = False
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            pair = source[i : i + 2]
            out.append(r"\Z" if pair == r"\z" and not in_class else pair)
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":  # a leading ] is literal in both dialects
                out.append("[]")
                i += 2
                continue
        elif c in "^$" and source[i + 1 : i + 2] in ("+", "*", "?"):
            out.append(f"(?:{c})")
            i += 1
            continue
        elif c == "$":
            out.append("$" if multiline else r"\Z")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def go_regexp(value: object) -> GoRegexp:
    """Compile a Go regexp; a ValueError names the problem (pydantic turns it into a config error)."""
    if isinstance(value, GoRegexp):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a regular expression must be a string, not {type(value).__name__}")
    try:
        return GoRegexp(value, re.compile(_translate(value)))
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None


def expand_go_template(template: str, match: re.Match[str]) -> str:
    """Go's ``Regexp.Expand``: ``${1}``, ``$1``, ``${name}``; unknown groups expand to nothing."""

    def one(m: re.Match[str]) -> str:
        if m.group(3):
            return "$"
        name = m.group(1) or m.group(2)
        try:
            group = match.group(int(name) if name.isdigit() else name)
        except IndexError:
            return ""
        return group or ""

    return _TEMPLATE.sub(one, template)
