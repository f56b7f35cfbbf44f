"""Writing an output file so that a reader sees the old file or the whole new one, never half of it.

Every result the tool writes (rules, reports, summaries) goes through here: a temporary file in the
same directory, flushed and fsynced, then renamed over the target, which POSIX makes atomic. A set of
files that belong together (one scenario's results) is written into a temporary folder that is
renamed into place once every file is in it (:func:`staged_folder`).

Temporary names carry the writing process's id (``.summary.json.<pid>.<random>.tmp``,
``.<folder>.<pid>.<random>.staging``), so :func:`remove_stale_temporaries` can tell what a killed
run left behind from what a live run is still writing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["remove_stale_temporaries", "staged_folder", "write_bytes_atomic", "write_text_atomic"]

_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.(tmp|staging)$")


@contextmanager
def atomic_writer(path: Path | str) -> Iterator[BinaryIO]:
    """A binary file to write in pieces; it replaces ``path`` only if the ``with`` block completes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; an output is for everyone who reads results/
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    with atomic_writer(path) as handle:
        handle.write(data)


def write_text_atomic(path: Path | str, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` to write into; renamed to ``target`` when the block ends
    without an exception (an older ``target`` is replaced whole), removed when it raises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".staging", dir=target.parent)
    )
    try:
        yield staging
        os.chmod(staging, 0o755)
        if target.exists():
            old = Path(
                tempfile.mkdtemp(
                    prefix=f".{target.name}.{os.getpid()}.", suffix=".staging", dir=target.parent
                )
            )
            os.replace(target, old / target.name)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_temporaries(folder: Path, depth: int = 1) -> list[Path]:
    """Remove our temporary files and folders under ``folder`` (and its sub-folders, ``depth`` deep)
    whose writing process is gone; return what was removed."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        match = _TEMPORARY.match(entry.name)
        if match is not None and not _alive(int(match.group(1))):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
        elif depth > 0 and entry.is_dir() and not entry.is_symlink() and match is None:
            removed.extend(remove_stale_temporaries(entry, depth - 1))
    return removed
