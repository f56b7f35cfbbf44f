"""Regenerate the Python modules of ``chainpb`` from its ``.proto`` files with ``grpc_tools.protoc``.

``python -m chainpb.generate [OUT_DIR]`` writes ``*_pb2.py``, ``*_pb2.pyi`` and ``*_pb2_grpc.py`` next
to each proto (or under OUT_DIR). protoc names imports after the proto path (``from cosmos.tx...``);
they are rewritten to ``from chainpb.cosmos.tx...`` so the package needs no ``sys.path`` entry. The
output depends only on the protos and the grpcio-tools version, which pyproject pins for that reason.
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

PROTO_ROOT = Path(__file__).resolve().parent
_TOP_PACKAGES = ("cosmos", "tendermint")
_IMPORT = re.compile(rf"^(from|import) ({'|'.join(_TOP_PACKAGES)})([. ])", re.MULTILINE)


def proto_files(root: Path = PROTO_ROOT) -> list[Path]:
    """Every ``.proto`` under ``root``, relative to it, in a stable order."""
    return sorted(path.relative_to(root) for path in root.rglob("*.proto"))


def _package_dirs(out_dir: Path, files: list[Path]) -> list[Path]:
    dirs: set[Path] = set()
    for file in files:
        for parent in file.parents:
            if parent != Path("."):
                dirs.add(out_dir / parent)
    return sorted(dirs)


def generate(out_dir: Path = PROTO_ROOT) -> list[Path]:
    """Run protoc over every proto into ``out_dir``; returns the files written, sorted."""
    files = proto_files()
    well_known = resources.files("grpc_tools") / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(file) for file in files),
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed; see its messages above")
    for package_dir in _package_dirs(out_dir, files):
        init = package_dir / "__init__.py"
        if not init.exists():
            init.write_text("", encoding="utf-8")
    written = sorted(p for p in out_dir.rglob("*_pb2*.py*") if p.suffix in {".py", ".pyi"})
    for path in written:
        text = path.read_text(encoding="utf-8")
        path.write_text(_IMPORT.sub(r"\1 chainpb.\2\3", text), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]).resolve() if args else PROTO_ROOT
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in generate(out_dir):
        print(path.relative_to(out_dir))


if __name__ == "__main__":
    main()
