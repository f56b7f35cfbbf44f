"""The one YAML reader: hostile documents refused before anything is built, good ones read as PyYAML does."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from yamlsafe import MAX_ALIAS_NODES, InputError, parse_yaml, read_text


def laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs": each level a list of ``width`` aliases to the level before."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 2\na: 3\n", "f.yml:3: a: duplicate key"),
        ("security:\n  allow_targets: [x]\nmodules: {}\nsecurity: {}\n", "f.yml:4: security: duplicate key"),
        ("m:\n  x:\n    timeout: 1s\n    timeout: 2s\n", "f.yml:4: m.x.timeout: duplicate key"),
        ("l:\n  - {k: 1, k: 2}\n", "f.yml:2: l[0].k: duplicate key"),
        ("1: a\n1: b\n", "f.yml:2: 1: duplicate key"),
        ("? [a]\n: 1\n", "f.yml"),  # an unhashable key is a YAML error, not a crash
        ("a: &a [*a]\n", "f.yml:1: a[0]: recursive alias"),
        ("a: &a {b: *a}\n", "f.yml:1: a.b: recursive alias"),
        ("t: 2026-02-30\n", "f.yml: not valid YAML: day is out of range for month"),
        ("[" * 5000, "f.yml: not valid YAML: nested too deeply"),
        ("a: " + "{b: " * 300 + "1" + "}" * 300, "f.yml: not valid YAML: nested too deeply"),
        ("- " * 2000 + "x\n", "f.yml: not valid YAML: nested too deeply"),
        ("a: *nowhere\n", "f.yml:1: not valid YAML: found undefined alias 'nowhere'"),
        (b"a: caf\xe9\n", "f.yml:1: not UTF-8 text (byte 0xe9 at offset 6)"),
        (b"a: 1\nb: \xff\xfe\n", "f.yml:2: not UTF-8 text (byte 0xff at offset 8)"),
    ],
    ids=lambda v: repr(v)[:24],
)
def test_hostile_documents_are_one_line_errors(text: str | bytes, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "f.yml")
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_merge_keys_may_override_and_equal_values_of_other_types_are_distinct_keys() -> None:
    data, _ = parse_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  x: 3\ne: {1: a, '1': b}\n", "f.yml")
    assert data == {"base": {"x": 1, "y": 2}, "d": {"x": 3, "y": 2}, "e": {1: "a", "1": "b"}}


@pytest.mark.parametrize("levels", [5, 7, 9, 12])
def test_alias_bombs_are_refused_fast_with_flat_memory(levels: int) -> None:
    text = laughs(levels)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(InputError, match=f"aliases expand the document by more than {MAX_ALIAS_NODES}"):
            parse_yaml(text, "bomb.yml")
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5, elapsed  # a 9-level bomb took minutes and gigabytes before
    assert peak < 5 * 1024 * 1024, peak


def test_a_few_aliases_within_the_budget_are_read() -> None:
    data, lines = parse_yaml(laughs(3), "ok.yml")  # 9 + 81 + 729 nodes: well within the budget
    assert len(data["l2"]) == 9 and data["l2"][0][0] == ["lol"] * 9
    assert lines[("l2",)] == 3


def test_oversized_documents_are_refused_before_parsing(tmp_path: Path) -> None:
    big = "a: 1\n" + "# padding\n" * 500_000  # 5 MB of comments: valid YAML, just too big
    start = time.perf_counter()
    with pytest.raises(InputError, match="larger than 4194304 bytes, refused before parsing"):
        parse_yaml(big, "big.yml")
    path = tmp_path / "big.yml"
    path.write_text(big)
    with pytest.raises(InputError, match=r"big\.yml: larger than"):
        read_text(path)
    assert time.perf_counter() - start < 0.5
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)
    with pytest.raises(InputError, match="cannot read"):
        read_text(tmp_path / "missing.yml")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_documents_without_tricks_read_as_pyyaml_reads_them(value: object) -> None:
    text = yaml.safe_dump({"v": value})
    assert parse_yaml(text, "f.yml")[0] == yaml.safe_load(text)
