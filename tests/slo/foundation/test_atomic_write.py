"""Outputs are replaced whole or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from slo import write_text_atomic
from slo.foundation import atomic_write


def test_writes_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "out.json"
    write_text_atomic(path, "one")
    write_text_atomic(path, "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert [p.name for p in path.parent.iterdir()] == ["out.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.json"
    write_text_atomic(path, "old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic_write.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(path, "new")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_staged_folder_lands_whole_and_replaces_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "results" / "scenario"
    with atomic_write.staged_folder(target) as folder:
        (folder / "a").write_text("1")
        assert not target.exists()  # nothing is visible until the block ends
    with atomic_write.staged_folder(target) as folder:
        (folder / "b").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["b"]
    assert [p.name for p in target.parent.iterdir()] == ["scenario"]


def test_a_failed_staged_folder_leaves_the_old_results_and_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "scenario"
    with atomic_write.staged_folder(target) as folder:
        (folder / "summary.json").write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_write.staged_folder(target) as folder:
        (folder / "summary.json").write_text("half")
        raise KeyboardInterrupt
    assert (target / "summary.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["scenario"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporaries_of_dead_writers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead, live = _dead_pid(), os.getpid()
    scenario = tmp_path / "s"
    scenario.mkdir()
    stale = [
        scenario / f".timeline.csv.{dead}.k2j_9x.tmp",
        tmp_path / f".s.{dead}.ab12cd.staging",
        tmp_path / f".report.html.{dead}.9.tmp",
    ]
    kept = [
        scenario / f".timeline.csv.{live}.k2j_9x.tmp",  # a run still writing
        scenario / "timeline.csv",
        scenario / ".hidden-but-not-ours.tmp",
    ]
    for path in stale + kept:
        if path.suffix == ".staging":
            path.mkdir()
            (path / "summary.json").write_text("{}")
        else:
            path.write_text("x")
    removed = atomic_write.remove_stale_temporaries(tmp_path)
    assert sorted(removed) == sorted(stale)
    assert all(p.exists() for p in kept) and not any(p.exists() for p in stale)
